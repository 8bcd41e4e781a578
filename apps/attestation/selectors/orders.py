"""Reads of orders, the decisions waiting for one, and category certificates: the scoping
functions, the pages' queries, and the public look-up by verification code that the
certificates app's verification page calls (registered in apps.py)."""

from collections import Counter

from django.db.models import Count, Q, QuerySet

from apps.accounts.scopes import commission_seats, read_scope, write_scope
from apps.certificates.models import CODE_ALPHABET, CODE_LENGTH
from apps.certificates.selectors import normalize_code
from apps.certificates.verification import Found

from ..models import (
    Application,
    CategoryCertificate,
    Commission,
    CommissionSession,
    Decision,
    DocumentJob,
    Order,
)

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


def orderable_decisions(*, user, commission=None, session=None) -> QuerySet[Decision]:
    """Decisions in force that assign a category and wait for an order, of the bodies whose
    orders the user issues (their staff write scope); optionally of one commission or of
    one session."""
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
    return decisions.select_related(
        "application__teacher", "application__commission", "assigned_category"
    ).order_by(
        "application__commission_id",
        "application__teacher__last_name",
        "application__teacher__first_name",
        "pk",
    )


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


def category_certificate_get(*, user, pk: int) -> CategoryCertificate:
    """One certificate for its page; raises CategoryCertificate.DoesNotExist outside the
    user's scope."""
    return (
        visible_category_certificates(user)
        .select_related(
            "teacher__organization__district", "order", "replaces", "replaced_by", "decision"
        )
        .get(pk=pk)
    )


def category_certificate_by_code(code: str) -> Found | None:
    """The category certificate with this verification code, for the public page."""
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    certificate = (
        CategoryCertificate.objects.select_related("replaced_by").filter(code=code).first()
    )
    return Found(VERIFY_TEMPLATE, certificate) if certificate else None


def teacher_category_certificates(teacher) -> QuerySet[CategoryCertificate]:
    return CategoryCertificate.objects.filter(teacher=teacher).order_by("-issued_on", "-pk")
