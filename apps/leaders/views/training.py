def cohort(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def module_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def module_attendance(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def internship(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def mentorship(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def reflective_report(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def report_queue(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def training_complete(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


