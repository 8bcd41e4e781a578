"""Celery tasks of the reports: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def report_export_run_task(export_id: int) -> None:
    # Safe to run twice: a finished export is left as it is.
    services.report_export_run(export_id=export_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def monthly_summaries_send_task() -> None:
    # Safe to run twice: each subscription is claimed for the month before its mail goes.
    services.monthly_summaries_send()
