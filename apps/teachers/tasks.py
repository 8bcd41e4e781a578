"""Celery tasks of the registry: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import exports
from .imports import services as imports


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def import_job_check_task(job_id: int) -> None:
    imports.import_job_check(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def import_job_apply_task(job_id: int) -> None:
    # Safe to run twice: applying resumes after the last committed batch.
    imports.import_job_apply(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def export_job_run_task(job_id: int) -> None:
    exports.export_job_run(job_id=job_id)
