def catalogue(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def course_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def course_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def course_update(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def provider_list(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def provider_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def provider_update(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_update(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_cancel(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


