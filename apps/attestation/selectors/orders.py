"""Reads of orders, the decisions waiting for one, and category certificates: the scoping
functions, the pages' queries, and the public look-up by verification code that the
certificates app's verification page calls (registered in apps.py)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from apps.accounts.scopes import commission_seats, read_scope, write_scope
from apps.certificates.models import CODE_ALPHABET, CODE_LENGTH
from apps.certificates.selectors import normalize_code
from apps.certificates.verification import Found

from ..models import (
    Appeal,
    Application,
    AttestationCycle,
    CategoryCertificate,
    Commission,
    CommissionSession,
    Decision,
    DocumentJob,
    Order,
)
from ..services.appeals import appeal_lodge_until, in_force_cutoff

_ORDERED_OUTCOMES = (Decision.Outcome.MEETS, Decision.Outcome.LOWER)
VERIFY_TEMPLATE = "certificates/verify/category.html"


def _body_q(scope, prefix: str = "") -> Q:
    """A commission's body (or, without a commission, the cycle's region) in a scope: an
    organisation's commission is also its district's."""
    return scope.q(
        organization=f"{prefix}commission__organization",
        district=f"{prefix}commission__district",
        region=f"{prefix}cycle__region",
    ) | scope.q(
        organization=f"{prefix}commission__organization",
        district=f"{prefix}commission__organization__district",
        region=f"{prefix}cycle__region",
    )


def visible_orders(user) -> QuerySet[Order]:
    """The orders of the bodies in the user's staff scope (as `view_order` says), and of
    the commissions they sit on."""
    if not user.is_authenticated:
        return Order.objects.none()
    scope = read_scope(user)
    if scope.everything:
        return Order.objects.all()
    seats = [commission_id for commission_id, _role in commission_seats(user)]
    # A scope without staff roles is empty: its Q matches nothing.
    return Order.objects.filter(_body_q(scope) | Q(commission_id__in=seats))


def order_list(user) -> QuerySet[Order]:
    """The order list's rows with their certificate counts, in one query."""
    return (
        visible_orders(user)
        .select_related("commission", "cycle")
        .annotate(certificate_count=Count("certificates"))
        .order_by("-dated", "-pk")
    )


def order_get(*, user, pk: int) -> Order:
    """One order for its page; raises Order.DoesNotExist outside the user's scope."""
    return (
        visible_orders(user)
        .select_related("cycle", "commission__organization__district", "commission__district")
        .get(pk=pk)
    )


def order_decisions(order: Order) -> list[Decision]:
    """The order's decisions with their teachers and certificates, in one query each."""
    return list(
        order.decisions.select_related("application__teacher", "assigned_category")
        .prefetch_related("certificates")
        .order_by("application__teacher__last_name", "application__teacher__first_name", "pk")
    )


def order_job(order: Order) -> DocumentJob | None:
    """The latest run of the order's certificate documents."""
    return order.document_jobs.order_by("-created_at", "-pk").first()


def _awaiting_order(*, user, commission, session) -> QuerySet[Decision]:
    """Decisions not revised that assign a category and have no order yet, of the bodies
    whose orders the user issues (their staff write scope); optionally of one commission
    or of one session."""
    decisions = Decision.objects.filter(
        revised_at__isnull=True,
        order__isnull=True,
        outcome__in=_ORDERED_OUTCOMES,
        application__status=Application.Status.DECIDED,
    )
    scope = write_scope(user)
    if not scope.everything:
        decisions = decisions.filter(_body_q(scope, prefix="application__"))
    if commission is not None:
        decisions = decisions.filter(application__commission=commission)
    if session is not None:
        decisions = decisions.filter(session=session)
    return decisions.order_by(
        "application__commission_id",
        "application__teacher__last_name",
        "application__teacher__first_name",
        "pk",
    )


def _lodged_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(decision=OuterRef("pk"), status=Appeal.Status.LODGED)


def _appeal_period_over(today: dt.date) -> Q:
    """The decision's appeal period is over by `today` (or none runs: the ministry's),
    said in SQL as a decision date no later than the cutoff of its cycle's working days,
    one cutoff per number of working days the cycles use."""
    over = Q(session__isnull=True)
    days = AttestationCycle.objects.values_list("appeal_lodge_working_days", flat=True)
    for lodge_days in set(days):
        over |= Q(
            application__cycle__appeal_lodge_working_days=lodge_days,
            decided_on__lte=in_force_cutoff(today, lodge_days),
        )
    return over


def orderable_decisions(*, user, commission=None, session=None) -> QuerySet[Decision]:
    """Decisions in force that assign a category and wait for an order: their appeal
    period over and no appeal against them under review (what `order_issue` checks)."""
    decisions = _awaiting_order(user=user, commission=commission, session=session)
    return (
        decisions.filter(_appeal_period_over(timezone.localdate()))
        .exclude(Exists(_lodged_appeals()))
        .select_related("application__teacher", "application__commission", "assigned_category")
    )


@dataclass(frozen=True)
class WaitingDecision:
    """A decision not in force yet: the first day an order may put it into force once its
    appeal period is over, or the due date of the appeal being reviewed against it."""

    decision: Decision
    in_force_from: dt.date | None
    appeal_due_on: dt.date | None


def waiting_decisions(*, user, commission=None, session=None) -> list[WaitingDecision]:
    """The decisions the order page shows apart, not offered yet: their appeal period
    still running, or an appeal against them under review."""
    decisions = (
        _awaiting_order(user=user, commission=commission, session=session)
        .filter(~_appeal_period_over(timezone.localdate()) | Q(Exists(_lodged_appeals())))
        .annotate(appeal_due_on=Subquery(_lodged_appeals().values("due_on")[:1]))
        .select_related("application__teacher", "application__cycle", "assigned_category")
    )
    return [
        WaitingDecision(
            decision=decision,
            in_force_from=None
            if decision.appeal_due_on
            else appeal_lodge_until(decision) + dt.timedelta(days=1),
            appeal_due_on=decision.appeal_due_on,
        )
        for decision in decisions
    ]


def order_source(*, user, commission_id=None, session_id=None):
    """(commission, session) the new-order page was opened for (a session stands for its
    commission), if the user may see them; (None, None) otherwise."""
    body = ("organization__district", "district", "cycle")  # what the permission reads
    if session_id is not None:
        session = (
            CommissionSession.objects.select_related(*(f"commission__{path}" for path in body))
            .filter(pk=session_id)
            .first()
        )
        if session is not None and user.has_perm("attestation.view_session", session):
            return session.commission, session
    elif commission_id is not None:
        commission = Commission.objects.select_related(*body).filter(pk=commission_id).first()
        if commission is not None and user.has_perm("attestation.view_commission", commission):
            return commission, None
    return None, None


def orderable_commissions(user) -> list[tuple[Commission, int]]:
    """The commissions with decisions waiting for the user's order, and how many each."""
    counts = Counter(
        orderable_decisions(user=user).values_list("application__commission_id", flat=True)
    )
    counts.pop(None, None)  # the ministry's are put into force as they are recorded
    commissions = Commission.objects.select_related("organization").in_bulk(list(counts))
    return sorted(
        ((commissions[pk], count) for pk, count in counts.items()), key=lambda c: c[0].name
    )


# --- category certificates ---------------------------------------------------------------------


def visible_category_certificates(user) -> QuerySet[CategoryCertificate]:
    """The user's own category certificates and those of the teachers in their staff
    scope (by the teacher's organisation now)."""
    if not user.is_authenticated:
        return CategoryCertificate.objects.none()
    scope = read_scope(user)
    if scope.everything:
        return CategoryCertificate.objects.all()
    return CategoryCertificate.objects.filter(
        scope.q(
            organization="teacher__organization",
            district="teacher__organization__district",
            region="teacher__organization__district__region",
        )
        | Q(teacher__user=user)
    )


def _with_kept_until(certificates: QuerySet[CategoryCertificate]) -> QuerySet[CategoryCertificate]:
    """`kept_until`: the date the holder's record keeps the certificate's category to, when
    it was extended after the certificate was issued (kept until the pension, or after a
    freeze): the holder still has the category the decision assigned, in force today and
    for longer than the certificate says. None otherwise."""
    return certificates.annotate(
        kept_until=Case(
            When(
                teacher__category=F("decision__assigned_category"),
                teacher__category_valid_until__gt=F("valid_until"),
                teacher__category_valid_until__gte=timezone.localdate(),
                then=F("teacher__category_valid_until"),
            ),
            default=None,
            output_field=DateField(),
        )
    )


def category_certificate_get(*, user, pk: int) -> CategoryCertificate:
    """One certificate for its page; raises CategoryCertificate.DoesNotExist outside the
    user's scope."""
    return (
        _with_kept_until(visible_category_certificates(user))
        .select_related(
            "teacher__organization__district", "order", "replaces", "replaced_by", "decision"
        )
        .get(pk=pk)
    )


def category_certificate_by_code(code: str) -> Found | None:
    """The category certificate with this verification code, for the public page, with
    what the page reads (its replacement; whether the holder's record keeps its category
    longer, joined from the holder and the decision) in one query."""
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    certificate = (
        _with_kept_until(CategoryCertificate.objects.filter(code=code))
        .select_related("replaced_by")
        .first()
    )
    return Found(VERIFY_TEMPLATE, certificate) if certificate else None


def teacher_category_certificates(teacher) -> QuerySet[CategoryCertificate]:
    return CategoryCertificate.objects.filter(teacher=teacher).order_by("-issued_on", "-pk")
