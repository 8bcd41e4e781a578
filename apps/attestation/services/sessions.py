"""Placeholder: to be written."""


def session_documents_run(*, job_id: int):
    raise NotImplementedError
