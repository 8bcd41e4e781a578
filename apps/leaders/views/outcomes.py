def reserve(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def appointment_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def vacancy_list(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def vacancy_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def outcomes(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def outcomes_export(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


