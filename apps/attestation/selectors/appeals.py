"""Reads of appeals: the one scoping function, the reviewers' list (lodged first, then by
due date, the overdue flagged) in constant queries, and the application page's Decision
section."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from apps.accounts.scopes import write_scope

from ..models import Appeal, AppealEvent, Application, CategoryCertificate, Decision, Level
from ..services.appeals import appeal_lodge_until, appeal_refusal
from . import application_list

AP = Appeal.Status


def visible_appeals(user) -> QuerySet[Appeal]:
    """The appeals a user reviews, those whose scope (the body above the one that decided:
    the district for an organisation's decision, the region otherwise) is in their write
    scope, and a teacher's own."""
    if not user.is_authenticated:
        return Appeal.objects.none()
    scope = write_scope(user)
    if scope.everything:
        return Appeal.objects.all()
    q = Q(application__teacher__user=user)
    if scope.region_ids:
        q |= Q(application__organization__district__region__in=scope.region_ids)
    if scope.district_ids:
        q |= Q(
            review_level=Level.DISTRICT,
            application__organization__district__in=scope.district_ids,
        )
    return Appeal.objects.filter(q)


def overdue_q(today: dt.date) -> Q:
    """Lodged and not answered by its due date."""
    return Q(status=AP.LODGED, due_on__lt=today)


def _with_overdue(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return appeals.annotate(
        overdue=ExpressionWrapper(overdue_q(timezone.localdate()), output_field=BooleanField())
    )


def appeal_list(user) -> QuerySet[Appeal]:
    """The user's appeals, those still to answer first, the most urgent first."""
    waiting = Case(When(status=AP.LODGED, then=Value(0)), default=Value(1))
    return visible_appeals(user).order_by(waiting, "due_on", "-pk")


def appeal_rows(ids) -> list[Appeal]:
    """The rows of one page of the list, in one query whatever the page size."""
    return list(
        _with_overdue(Appeal.objects.filter(pk__in=ids)).select_related(
            "application__teacher",
            "application__organization",
            "application__claimed_category",
            "decision__assigned_category",
        )
    )


def appeal_get(*, user, pk: int) -> Appeal:
    """Raises Appeal.DoesNotExist for an appeal the user does not see."""
    return _with_overdue(
        visible_appeals(user).select_related(
            "application__cycle",
            "application__teacher__user",
            "application__organization__district",
            "application__position",
            "application__claimed_category",
            "application__current_category",
            "decision__assigned_category",
            "decision__session__commission",
            "decided_by",
            "lodged_by",
        )
    ).get(pk=pk)


def appeal_history(appeal: Appeal) -> list[AppealEvent]:
    return list(appeal.events.select_related("actor").order_by("at", "pk"))


def decision_get(*, user, pk: int) -> Decision:
    """A decision on an application the user sees; raises Decision.DoesNotExist otherwise."""
    return Decision.objects.select_related(
        "application__cycle",
        "application__teacher",
        "application__organization__district",
        "assigned_category",
        "claimed_category",
        "current_category",
    ).get(pk=pk, application__in=application_list(user).values("pk"))


@dataclass(frozen=True)
class DecisionSection:
    """The application page's Decision section: the decision in force (None once revised
    on appeal, until the new one), its valid category certificate, the last day to appeal
    it, whether an appeal may still be lodged and, if not, why (blank while an appeal is
    being reviewed: the list shows it), and the application's appeals."""

    decision: Decision | None
    certificate: CategoryCertificate | None
    lodge_until: dt.date | None
    appeal_open: bool
    appeals: list[Appeal]
    appeal_closed: str = ""


def decision_section(application: Application) -> DecisionSection | None:
    """None when there is nothing to show (no decision yet, no appeal)."""
    decision = (
        application.decisions.filter(revised_at__isnull=True)
        .select_related("assigned_category", "current_category", "claimed_category", "order")
        .first()
    )
    appeals = list(
        application.appeals.select_related("decision", "decided_by")
        .prefetch_related(Prefetch("events", queryset=AppealEvent.objects.select_related("actor")))
        .order_by("-created_at", "-pk")
    )
    if decision is None and not appeals:
        return None
    certificate, lodge_until, appeal_open, closed = None, None, False, ""
    if decision is not None:
        decision.application = application
        certificate = decision.certificates.filter(status=CategoryCertificate.Status.VALID).first()
        lodge_until = appeal_lodge_until(decision)
        against = [a for a in reversed(appeals) if a.decision_id == decision.pk]
        refusal = appeal_refusal(decision, against, today=timezone.localdate())
        appeal_open = refusal is None
        if refusal is not None and refusal.code != "open":
            closed = refusal.messages[0]
    return DecisionSection(decision, certificate, lodge_until, appeal_open, appeals, closed)
