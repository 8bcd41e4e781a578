"""Category-expiry notices: the daily e-mails 12, 6 and 3 months (CATEGORY_EXPIRY_NOTICE_MONTHS)
before a qualification category runs out, to the teacher and, as one digest each, to the
administrators of the teacher's school."""

import datetime as dt
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role, RoleAssignment
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient
from apps.teachers.models import Teacher

from ..models import CategoryFreeze, ExpiryNotice

logger = logging.getLogger(__name__)
# Teachers handled per round trip: bounds the rows held in memory and the parameters of
# one INSERT (three thresholds x four columns x 500 stays well under SQLite's limit).
CHUNK_SIZE = 500


@dataclass(frozen=True)
class ExpiringCategory:
    """A line of a notice: whose category runs out, within how many months, and where the
    teacher's page is."""

    teacher: Teacher
    months: int
    url: str


def category_expiry_notify(*, today: dt.date | None = None) -> int:
    """Send the notices due `today` and return how many teachers were notified.

    A teacher is notified once per threshold reached, and only for the smallest one: a
    category found already inside 3 months gets the 3-month notice, and its 12- and
    6-month notices are recorded as sent so that they never follow. The notices are keyed
    on the valid-until date, so a renewed category starts afresh; a frozen category (an
    open CategoryFreeze) is skipped; an expired one gets nothing. A mail that cannot be
    sent is logged and the others still go: its notice stays recorded, as after a crash.
    """
    today = today or timezone.localdate()
    thresholds = sorted(set(settings.CATEGORY_EXPIRY_NOTICE_MONTHS))
    if not thresholds:
        return 0
    horizons = {months: today + relativedelta(months=months) for months in thresholds}
    digests: dict[int, tuple] = {}  # administrator's user id -> (user, [ExpiringCategory])
    admins_by_organization: dict[int, list] = {}
    notified, after = 0, 0
    while page := _due_page(today, horizons, after):
        after = page[-1].pk
        noticed = _record_notices(page, horizons)
        _load_admins(admins_by_organization, {item.teacher.organization_id for item in noticed})
        for item in noticed:
            to, language = teacher_recipient(item.teacher)
            try:
                mail_send_localized(
                    to=to,
                    language=language,
                    template="attestation/email/category_expiry_teacher",
                    context={"item": item},
                )
            except Exception:
                logger.exception("Expiry notice to teacher %s was not sent.", item.teacher.pk)
            for user in admins_by_organization[item.teacher.organization_id]:
                digests.setdefault(user.pk, (user, []))[1].append(item)
        notified += len(noticed)
    # Sent after every page, so that an administrator whose teachers fall on several pages
    # still gets one digest.
    for user, items in digests.values():
        items.sort(key=lambda item: (item.teacher.category_valid_until, item.teacher.full_name))
        try:
            mail_send_localized(
                to=user.email,
                language=user.preferred_language,
                template="attestation/email/category_expiry_admin",
                context={"items": items},
            )
        except Exception:
            logger.exception("Expiry digest to user %s was not sent.", user.pk)
    return notified


def _due_page(today: dt.date, horizons: dict[int, dt.date], after: int) -> list[Teacher]:
    """The next teachers (by id, after `after`) whose smallest threshold reached has no
    notice yet for their current valid-until date."""
    due, lower = Q(), today
    for months, upper in horizons.items():
        due |= Q(category_valid_until__gt=lower, category_valid_until__lte=upper) & ~Exists(
            ExpiryNotice.objects.filter(
                teacher=OuterRef("pk"), valid_until=OuterRef("category_valid_until"), months=months
            )
        )
        lower = upper
    frozen = CategoryFreeze.objects.filter(teacher=OuterRef("pk"), returned_on__isnull=True)
    return list(
        Teacher.objects.filter(due, ~Exists(frozen), category__isnull=False, pk__gt=after)
        .select_related("category", "user")
        .only(
            "last_name",
            "first_name",
            "middle_name",
            "organization",
            "email",
            "category_valid_until",
            "category__name_kk",
            "category__name_ru",
            "category__name_en",
            "user__email",
            "user__preferred_language",
        )
        .order_by("pk")[:CHUNK_SIZE]
    )


def _record_notices(
    teachers: list[Teacher], horizons: dict[int, dt.date]
) -> list[ExpiringCategory]:
    """Record the notices of `teachers` and return those this call is to send.

    Every threshold a teacher has reached is inserted, the smallest one being the notice
    sent. The unique constraint (teacher, valid_until, months) decides who sends: the rows
    go in with one INSERT ... ON CONFLICT DO NOTHING RETURNING, which returns only the rows
    this statement inserted (PostgreSQL, and SQLite since 3.35). A second run finds the
    rows and inserts nothing; a worker running at the same time waits on the unique index
    until the first one commits, then skips those rows, so a notice is sent by exactly one
    of them. (bulk_create(ignore_conflicts=True) cannot tell which rows were new.) The rows
    are committed before the mails go out: a mail lost to a crash is not sent again, rather
    than a mail sent twice.
    """
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows, smallest = [], {}
    for teacher in teachers:
        reached = [m for m, upper in horizons.items() if teacher.category_valid_until <= upper]
        smallest[teacher.pk] = reached[0]
        valid_until = connection.ops.adapt_datefield_value(teacher.category_valid_until)
        rows += [(teacher.pk, valid_until, months, sent_at) for months in reached]
    meta, quote = ExpiryNotice._meta, connection.ops.quote_name
    column = {
        name: quote(meta.get_field(name).column)
        for name in ("teacher", "valid_until", "months", "sent_at")
    }
    key = ", ".join(column[name] for name in ("teacher", "valid_until", "months"))
    # Only quoted model names are spliced in; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({key}, {column['sent_at']}) "  # noqa: S608
        f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(rows))} "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {column['teacher']}, {column['months']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        inserted = set(cursor.fetchall())
    base_url = settings.PUBLIC_BASE_URL.rstrip("/")
    return [
        ExpiringCategory(
            teacher=teacher,
            months=smallest[teacher.pk],
            url=base_url + reverse("teachers:detail", args=[teacher.pk]),
        )
        for teacher in teachers
        if (teacher.pk, smallest[teacher.pk]) in inserted
    ]


def _load_admins(admins_by_organization: dict[int, list], organization_ids: set[int]) -> None:
    """Add the active school administrators of the organisations not looked up yet."""
    missing = organization_ids - admins_by_organization.keys()
    if not missing:
        return
    for organization_id in missing:
        admins_by_organization[organization_id] = []
    assignments = (
        RoleAssignment.objects.filter(
            role=Role.SCHOOL_ADMIN, organization_id__in=missing, user__is_active=True
        )
        .select_related("user")
        .only("organization", "user__email", "user__preferred_language")
        .order_by("pk")
    )
    for assignment in assignments:
        admins = admins_by_organization[assignment.organization_id]
        if all(user.pk != assignment.user_id for user in admins):
            admins.append(assignment.user)
