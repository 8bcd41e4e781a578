"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ustaz_pd.settings")

# DjangoTask adds delay_on_commit(): a task never sees rows its caller has not committed.
app = Celery("ustaz_pd", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
