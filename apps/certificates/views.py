def verify(request):
    raise NotImplementedError
def certificate_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def certificate_pdf(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def certificate_revoke(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def certificate_reissue(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def batch_create(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def batch_detail(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


def batch_download(request, **kwargs):
    raise NotImplementedError  # placeholder until implemented


