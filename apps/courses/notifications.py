"""E-mails to participants about their enrolment, each in the recipient's language."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.mail import mail_send_localized

from .models import CourseRun, Enrolment

EVENTS = ("confirmed", "promoted", "starting_soon", "run_cancelled")


def teacher_recipient(teacher) -> tuple[str, str]:
    """(address, language) for a teacher: their account's, else the registry's e-mail in
    the default language; ("", "") if there is neither."""
    if teacher.user_id and teacher.user.email:
        return teacher.user.email, teacher.user.preferred_language
    return teacher.email, settings.LANGUAGE_CODE


def enrolment_notify(*, enrolment_id: int, event: str) -> None:
    enrolment = (
        Enrolment.objects.select_related("teacher__user", "run__course__provider")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or event not in EVENTS:
        return
    to, language = teacher_recipient(enrolment.teacher)
    run = enrolment.run
    context = {
        "enrolment": enrolment,
        "run": run,
        "course": run.course,
        "teacher": enrolment.teacher,
        "run_url": settings.PUBLIC_BASE_URL.rstrip("/")
        + reverse("courses:run_detail", args=[run.pk]),
    }
    if event == "run_cancelled":
        cancelled = enrolment.events.filter(to_status=Enrolment.Status.CANCELLED).last()
        context["reason"] = cancelled.comment if cancelled else ""
    mail_send_localized(
        to=to, language=language, template=f"courses/email/{event}", context=context
    )


def run_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell the confirmed participants of runs starting within COURSE_REMINDER_DAYS; each
    participant once (the mark is set in the same transaction as the queueing)."""
    from .tasks import enrolment_notify_task

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.COURSE_REMINDER_DAYS)
    runs = CourseRun.objects.filter(
        starts_on__gte=today,
        starts_on__lte=horizon,
        cancelled_at__isnull=True,
        completed_at__isnull=True,
    )
    sent = 0
    with transaction.atomic():
        enrolments = list(
            Enrolment.objects.select_for_update(skip_locked=True)
            .filter(run__in=runs, status=Enrolment.Status.CONFIRMED, reminder_sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Enrolment.objects.filter(pk__in=enrolments).update(reminder_sent_at=timezone.now())
        for pk in enrolments:
            enrolment_notify_task.delay_on_commit(pk, "starting_soon")
            sent += 1
    return sent
