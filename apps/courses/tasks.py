"""Celery tasks of the courses app: thin, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import notifications


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def enrolment_notify_task(enrolment_id: int, event: str) -> None:
    notifications.enrolment_notify(enrolment_id=enrolment_id, event=event)


@shared_task
def run_reminders_send_task() -> None:
    notifications.run_reminders_send()
