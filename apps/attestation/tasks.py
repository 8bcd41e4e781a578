"""Celery tasks of attestation: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import imports
from .services import appeals, commissions, expiry, orders, sessions


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def test_result_import_apply_task(job_id: int) -> None:
    # Safe to run twice: applying resumes after the last committed batch.
    imports.test_result_import_run(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def session_documents_task(job_id: int) -> None:
    # Safe to run twice: a finished job is left as it is.
    sessions.session_documents_run(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def order_certificates_task(job_id: int) -> None:
    # Safe to run twice: a finished job is left as it is; stored PDFs are not redrawn.
    orders.order_certificates_run(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def category_certificate_render_task(certificate_id: int) -> None:
    orders.category_certificate_render(certificate_id=certificate_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def category_expiry_notify_task() -> None:
    # Safe to run twice: each notice is recorded once per teacher, date and threshold.
    expiry.category_expiry_notify()


# E-mails of the workflow: sent by the worker, so a slow mail server never holds up a
# secretary closing a session of 200 applications.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def review_return_notify_task(application_id: int) -> None:
    commissions.review_return_notify(application_id=application_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def decisions_notify_task(decision_ids: list[int]) -> None:
    sessions.decisions_notify(decision_ids=decision_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def appeal_lodged_notify_task(appeal_id: int) -> None:
    appeals.appeal_lodged_notify(appeal_id=appeal_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def appeal_decided_notify_task(appeal_id: int) -> None:
    appeals.appeal_decided_notify(appeal_id=appeal_id)
