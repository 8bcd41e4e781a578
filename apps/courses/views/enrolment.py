def run_enrol_self(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_enrol_teachers(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def enrolment_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def enrolment_cancel(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def enrolment_approve(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def my_courses(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


