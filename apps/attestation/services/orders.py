"""Placeholder: to be written."""


def order_certificates_run(*, job_id: int):
    raise NotImplementedError


def category_certificate_render(*, certificate_id: int):
    raise NotImplementedError
