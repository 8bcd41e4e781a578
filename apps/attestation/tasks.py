"""Celery tasks of attestation: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import imports
from .services import expiry, orders, sessions


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
