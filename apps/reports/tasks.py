"""Celery tasks of the reports: thin, idempotent, each calls one service."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from .services import exports, subscriptions


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def report_export_run_task(export_id: int) -> None:
    # Safe to run twice: a finished export is left as it is.
    exports.report_export_run(export_id=export_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def monthly_summaries_send_task() -> None:
    # Safe to run twice: it queues only the subscriptions still owed last month's summary.
    subscriptions.monthly_summaries_send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def monthly_summary_send_task(subscription_id: int, month_iso: str) -> None:
    # Safe to run twice: the subscription is claimed for the month before its mail goes.
    subscriptions.monthly_summary_send(
        subscription_id=subscription_id, month=dt.date.fromisoformat(month_iso)
    )
