"""The monthly summary by e-mail: subscribing to the dashboard as filtered, and the beat's
monthly run that has every subscriber mailed their summary with the report attached."""

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..exports import CONTENT_TYPES, render_report, report_filename
from ..forms import ReportFiltersForm, filters_query
from ..models import SummarySubscription
from ..selectors import dashboard
from ..selectors.described import report_filters_described
from ..selectors.subscriptions import summary_query

logger = logging.getLogger(__name__)


def summary_period(month: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the summary for `month` (its first day): the year to date, from 1
    January up to the month's last day (the summary for December, sent in January, is the
    whole year).

    Why not the month alone: what the department answers for is yearly. The PD plan is
    the year's, and its fact counts the year's completions; attestation cycles and leaders
    intakes run by the year too. One month's share would be a small, often empty slice
    that says nothing about how far the plan has come, while the running total to the end
    of the last month ("нарастающим итогом") is how plan-vs-fact reports are read month
    by month and how the figures compare from one summary to the next. The registry's
    figures (teachers, PD within 3 years, categories expiring) are as of the day of
    sending, as on the dashboard."""
    return dt.date(month.year, 1, 1), month + relativedelta(months=1, days=-1)


def subscription_create(
    *, user, query: str, language: str, file_format: str
) -> SummarySubscription:
    """Subscribe `user` to the monthly summary of the dashboard as filtered by `query` (a
    dashboard query string; its period is not kept, see `summary_period`). The same
    filters again change the language and format of the subscription there is, rather
    than failing or adding a second one. Filters the user may not use (or that make no
    sense) are refused with a ValidationError."""
    if not user.has_perm("reports.add_subscription"):
        raise PermissionDenied
    form = ReportFiltersForm(QueryDict(query), user=user)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        raise ValidationError(
            _("The summary cannot be set up for these filters: %(errors)s")
            % {"errors": " ".join(errors)},
            code="invalid_filters",
        )
    subscription = SummarySubscription(
        user=user,
        query=summary_query(filters_query(form.filters())),
        language=language,
        file_format=file_format,
    )
    subscription.full_clean(exclude=["user"], validate_unique=False)
    subscription, _created = SummarySubscription.objects.update_or_create(
        user=user,
        query=subscription.query,
        defaults={"language": language, "file_format": file_format},
    )
    return subscription


def subscription_delete(*, subscription: SummarySubscription, actor) -> None:
    if not actor.has_perm("reports.delete_subscription", subscription):
        raise PermissionDenied
    subscription.delete()


def monthly_summaries_send(*, today: dt.date | None = None) -> int:
    """The beat's run early each month: queue one task per subscription still owed the
    summary of the month before `today` (`monthly_summary_send`); return how many.

    One task each, not one loop: every subscriber's report is rendered by whichever worker
    is free, a slow or failing one holds up no one else, and each outcome is the
    subscription's own (`last_problem`). The beat runs on the first three days of the
    month; a subscription that is sent is no longer owed, so a second run queues only what
    the first did not send."""
    from ..tasks import monthly_summary_send_task

    month = _last_month(today or timezone.localdate())
    owed = SummarySubscription.objects.filter(_owed(month)).order_by("pk")
    pks = list(owed.values_list("pk", flat=True))
    for pk in pks:
        # Not on commit: the beat's run is in no transaction, the rows are there.
        monthly_summary_send_task.delay(pk, month.isoformat())
    return len(pks)


def monthly_summary_send(*, subscription_id: int, month: dt.date) -> bool:
    """Mail one subscriber the summary of `month` (its first day), once; True if sent.

    The subscription is claimed before its mail goes out, by a conditional UPDATE that
    moves its `last_sent_month` to `month` only if it still holds what was read: on
    PostgreSQL a second worker (two schedulers, a task delivered twice) waits for the row
    and then finds the condition false, so exactly one of them sends. The claim is
    committed first.

    A subscriber who can no longer see the dashboard, has no address, or whose filters are
    no longer valid for them (a scope changed) is skipped for the month; a mail that fails
    gives the claim back, so the next day's run tries again (a mail lost would be worse
    than the rare mail that went out before its connection failed and goes again). Either
    way the reason is kept on the subscription, in its language, for the subscriptions
    page; a summary sent clears it. The figures are those of the subscriber's scope at the
    time of sending, in the subscription's language."""
    subscription = (
        SummarySubscription.objects.select_related("user").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return False  # unsubscribed meanwhile
    previous = subscription.last_sent_month
    if previous is not None and previous >= month:
        return False  # sent, or being sent by another worker
    still = Q(last_sent_month__isnull=True) if previous is None else Q(last_sent_month=previous)
    rows = SummarySubscription.objects.filter(still, pk=subscription.pk)
    if not rows.update(last_sent_month=month):
        return False  # claimed by another worker, or deleted meanwhile
    claimed = SummarySubscription.objects.filter(pk=subscription.pk, last_sent_month=month)
    try:
        problem = _monthly_summary_send(subscription, month)
    except Exception:
        logger.exception("The monthly summary of subscription %s was not sent.", subscription.pk)
        with translation.override(subscription.language):
            problem = _(
                "The summary for %(month)s could not be sent; it is tried again the next "
                "day (the summaries go out on the first three days of each month)."
            ) % {"month": date_format(month, "F Y")}
        claimed.update(last_sent_month=previous, last_problem=problem)
        return False
    claimed.update(last_problem=problem)
    return not problem


def _last_month(today: dt.date) -> dt.date:
    return (today - relativedelta(months=1)).replace(day=1)


def _owed(month: dt.date) -> Q:
    return Q(last_sent_month__isnull=True) | Q(last_sent_month__lt=month)


def _monthly_summary_send(subscription: SummarySubscription, month: dt.date) -> str:
    """Build and send one subscriber's summary: "" once sent, else why it is skipped (in
    the subscription's language)."""
    user = subscription.user
    with translation.override(subscription.language):
        month_name = date_format(month, "F Y")
        if not (user.is_active and user.has_perm("reports.view_dashboard")):
            logger.info(
                "Monthly summary %s skipped: its user may not see the dashboard.",
                subscription.pk,
            )
            return _(
                "The summary for %(month)s was not sent: you may no longer see the HR dashboard."
            ) % {"month": month_name}
        if not user.email:
            logger.info("Monthly summary %s skipped: its user has no address.", subscription.pk)
            return _(
                "The summary for %(month)s was not sent: your account has no e-mail address."
            ) % {"month": month_name}
        start, end = summary_period(month)
        data = QueryDict(subscription.query, mutable=True)
        data["period_start"], data["period_end"] = start.isoformat(), end.isoformat()
        form = ReportFiltersForm(data, user=user)
        if not form.is_valid():
            logger.warning(
                "Monthly summary %s skipped: its filters are no longer valid (%s).",
                subscription.pk,
                form.errors.as_json(),
            )
            errors = [message for messages in form.errors.values() for message in messages]
            return _(
                "The summary for %(month)s was not sent: its filters are no longer within "
                "your access (%(errors)s)."
            ) % {"month": month_name, "errors": " ".join(errors)}
        message = _summary_message(subscription, month, form, data)
    message.send()
    return ""


def _summary_message(subscription, month, form, data) -> EmailMessage:
    """The summary's mail, in the active language, with the report attached."""
    user, fmt = subscription.user, subscription.file_format
    start, end = summary_period(month)
    filters = form.filters()
    figures = dashboard(user, filters)
    described = report_filters_described(user, filters)
    base_url = settings.PUBLIC_BASE_URL.rstrip("/")
    context = {
        "month": month,
        "period_start": start,
        "period_end": end,
        "described": described,
        "figures": figures,
        "appointed": next(row for row in figures.leaders.stages if row.key == "appointed"),
        "file_format": subscription.get_file_format_display(),
        "dashboard_url": f"{base_url}{reverse('reports:dashboard')}?{data.urlencode()}",
        "subscriptions_url": base_url + reverse("reports:subscriptions"),
    }
    template = "reports/email/monthly_summary"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    message = EmailMessage(subject, body, to=[user.email])
    # The bare type: Django names a text attachment's charset itself (and would twice).
    content_type = CONTENT_TYPES[fmt].partition(";")[0]
    message.attach(
        report_filename(figures, fmt, described),
        render_report(figures, fmt, described=described),
        content_type,
    )
    return message
