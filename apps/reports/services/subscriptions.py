"""The monthly summary by e-mail: subscribing to the dashboard as filtered, and the beat's
monthly run that mails every subscriber their summary with the report attached."""

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
from django.utils.translation import gettext as _

from ..exports import CONTENT_TYPES, render_report, report_filename
from ..forms import ReportFiltersForm, filters_query
from ..models import SummarySubscription
from ..selectors import dashboard
from ..selectors.subscriptions import summary_filters, summary_query

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
    """Mail every subscriber the summary of the month before `today`, once; return how
    many were sent.

    Each subscription is claimed before its mail goes out, by a conditional UPDATE that
    moves its `last_sent_month` to this month only if it is still behind: on PostgreSQL
    a second worker (two schedulers, or the beat's retry) waits for the row and then finds
    the condition false, so exactly one of them sends. The claim is committed first: a mail
    lost to a crash is not sent again, rather than a mail sent twice. A subscriber who can
    no longer see the dashboard, has no address, or whose filters are no longer valid for
    them (a scope changed) is skipped for the month; a mail that fails is logged; neither
    stops the others. The figures are those of the subscriber's scope at the time of
    sending, in the subscription's language."""
    today = today or timezone.localdate()
    month = (today - relativedelta(months=1)).replace(day=1)
    owed = Q(last_sent_month__isnull=True) | Q(last_sent_month__lt=month)
    sent = 0
    for pk in list(
        SummarySubscription.objects.filter(owed).order_by("pk").values_list("pk", flat=True)
    ):
        if not SummarySubscription.objects.filter(owed, pk=pk).update(last_sent_month=month):
            continue  # claimed by another worker, or deleted meanwhile
        subscription = SummarySubscription.objects.select_related("user").filter(pk=pk).first()
        if subscription is None:
            continue
        try:
            sent += _monthly_summary_send(subscription, month)
        except Exception:
            logger.exception("The monthly summary of subscription %s was not sent.", pk)
    return sent


def _monthly_summary_send(subscription: SummarySubscription, month: dt.date) -> bool:
    """Build and send one subscriber's summary; False when it is skipped."""
    user = subscription.user
    if not (user.is_active and user.email and user.has_perm("reports.view_dashboard")):
        logger.info(
            "Monthly summary %s skipped: its user may not see the dashboard or has no address.",
            subscription.pk,
        )
        return False
    start, end = summary_period(month)
    data = QueryDict(subscription.query, mutable=True)
    data["period_start"], data["period_end"] = start.isoformat(), end.isoformat()
    fmt = subscription.file_format
    with translation.override(subscription.language):
        form = ReportFiltersForm(data, user=user)
        if not form.is_valid():
            logger.warning(
                "Monthly summary %s skipped: its filters are no longer valid (%s).",
                subscription.pk,
                form.errors.as_json(),
            )
            return False
        figures = dashboard(user, form.filters())
        base_url = settings.PUBLIC_BASE_URL.rstrip("/")
        context = {
            "month": month,
            "period_start": start,
            "period_end": end,
            "described": summary_filters(form.cleaned_data),
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
        message.attach(report_filename(figures, fmt), render_report(figures, fmt), content_type)
    message.send()
    return True
