def external_list(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def external_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def external_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def external_file(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


