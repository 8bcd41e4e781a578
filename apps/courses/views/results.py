def run_attendance(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_results(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def run_complete(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


