"""Celery tasks of the certificates app: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import notifications, services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def certificate_render_task(certificate_id: int) -> None:
    # Safe to run twice: a stored PDF is never rendered again.
    services.certificate_render(certificate_id=certificate_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def certificate_batch_run_task(batch_id: int) -> None:
    services.certificate_batch_run(batch_id=batch_id)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def certificate_issued_notify_task(certificate_id: int) -> None:
    notifications.certificate_issued_notify(certificate_id=certificate_id)
