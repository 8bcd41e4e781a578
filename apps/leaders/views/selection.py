def intake_list(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def intake_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def intake_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def intake_update(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def intake_status(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def candidate_apply(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def candidate_list(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def stage_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def stage_scores(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def stage_import(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def stage_decide(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def candidate_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def candidate_withdraw(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def my_candidacies(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


