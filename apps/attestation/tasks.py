"""Celery tasks of attestation: thin, idempotent, each calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import imports


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def test_result_import_apply_task(job_id: int) -> None:
    # Safe to run twice: applying resumes after the last committed batch.
    imports.test_result_import_run(job_id=job_id)
