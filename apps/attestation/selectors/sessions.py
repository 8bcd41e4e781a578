"""Reads of commission sessions: the sessions a user may see, the session page (agenda,
votes grid, attendance, quorum, provisional outcomes) in a constant number of queries,
the applications that may go on an agenda, and document jobs."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.scopes import Scope, commission_seats, read_scope

from ..models import (
    AgendaItem,
    Application,
    Commission,
    CommissionMember,
    CommissionSession,
    Decision,
    DocumentJob,
)
from ..scoring import ReviewSummary
from ..services.sessions import ItemState, Quorum, SessionState, Verdict, session_state


def _commission_q(scope: Scope, prefix: str) -> Q:
    """Commissions whose body is in the scope (not everything): an organisation's (by the
    organisation and its district), a district's, or any of a cycle of a region in it."""
    q = Q(pk__in=[])
    if scope.organization_ids:
        q |= Q(**{f"{prefix}organization__in": scope.organization_ids})
    if scope.district_ids:
        q |= Q(**{f"{prefix}district__in": scope.district_ids})
        q |= Q(**{f"{prefix}organization__district__in": scope.district_ids})
    if scope.region_ids:
        q |= Q(**{f"{prefix}cycle__region__in": scope.region_ids})
    return q


def _seen_commissions_q(user, prefix: str) -> Q | None:
    """As "attestation.view_session" says: the commissions the user sits on, and as staff
    those of the bodies in their read scope; None for all of them (an empty Q would be
    swallowed by the OR with the seats)."""
    scope = read_scope(user)
    if scope.everything:
        return None
    seats = {commission_id for commission_id, _role in commission_seats(user)}
    return _commission_q(scope, prefix) | Q(**{f"{prefix}pk__in": seats})


def visible_sessions(user) -> QuerySet[CommissionSession]:
    if not user.is_authenticated:
        return CommissionSession.objects.none()
    seen = _seen_commissions_q(user, "commission__")
    sessions = CommissionSession.objects.all()
    return sessions if seen is None else sessions.filter(seen)


def session_get(*, user, pk: int) -> CommissionSession:
    """Raises CommissionSession.DoesNotExist for a session the user does not see."""
    return (
        visible_sessions(user)
        .select_related(
            "commission__cycle",
            "commission__organization__district",
            "commission__district",
            "closed_by",
        )
        .get(pk=pk)
    )


def session_commission_get(*, user, pk: int) -> Commission:
    """The commission to plan a session of; raises Commission.DoesNotExist for one the
    user does not see."""
    commissions = Commission.objects.select_related("cycle", "organization__district", "district")
    seen = _seen_commissions_q(user, "") if user.is_authenticated else Q(pk__in=[])
    return (commissions if seen is None else commissions.filter(seen)).get(pk=pk)


@dataclass(frozen=True)
class VoteCell:
    """One member's vote on one agenda item, as the grid shows it."""

    item_id: int
    member: CommissionMember
    choice: str
    excluded: str  # why the member sits out the application, or ""
    present: bool

    @property
    def name(self) -> str:
        """The cell's field in the votes form (parsed by forms.sessions.VotesForm)."""
        return f"vote-{self.item_id}-{self.member.pk}"

    @property
    def labelled_by(self) -> str:
        """The ids of its column and row headers (the member, the teacher): the select's
        accessible name, without a label element in each of a thousand cells."""
        return f"member-{self.member.pk} item-{self.item_id}"


@dataclass(frozen=True)
class AgendaRow:
    state: ItemState
    cells: list[VoteCell]
    provisional: Verdict | None
    decision: Decision | None

    @property
    def item(self):
        return self.state.item

    @property
    def application(self) -> Application:
        return self.state.application

    @property
    def summary(self) -> ReviewSummary:
        """The points of the sheets of the application's current version."""
        return self.state.summary


@dataclass(frozen=True)
class SessionPage:
    session: CommissionSession
    members: list[CommissionMember]
    voting_members: list[CommissionMember]
    present_ids: set[int]
    attested_ids: set[int]
    quorum: Quorum
    rows: list[AgendaRow]
    problems: list[str]
    job: DocumentJob | None

    @property
    def undecided(self) -> list[AgendaRow]:
        """The items that do not meet the claimed category (a lower one may be chosen)."""
        return [r for r in self.rows if r.state.tally.meets is False]


def session_page(session: CommissionSession) -> SessionPage:
    """Everything the session page shows, in the same number of queries for 3 or 200
    applications and any number of members (`session` from `session_get`)."""
    state: SessionState = session_state(session)
    decisions = {}
    job = None
    if session.status == CommissionSession.Status.CLOSED:
        decisions = {
            d.item_id: d
            for d in Decision.objects.filter(session=session).select_related("assigned_category")
        }
        job = session.document_jobs.order_by("-created_at", "-pk").first()
    voting = state.voting_members
    rows = [
        AgendaRow(
            state=item_state,
            cells=[
                VoteCell(
                    item_id=item_state.item.pk,
                    member=member,
                    choice=state.votes.get((item_state.item.pk, member.pk), ""),
                    excluded=item_state.excluded.get(member.pk, ""),
                    present=member.pk in state.present_ids,
                )
                for member in voting
            ],
            provisional=state.verdict(item_state),
            decision=decisions.get(item_state.item.pk),
        )
        for item_state in state.items
    ]
    return SessionPage(
        session=session,
        members=state.members,
        voting_members=voting,
        present_ids=state.present_ids,
        attested_ids=state.attested_ids,
        quorum=state.quorum,
        rows=rows,
        problems=state.problems() if session.status == CommissionSession.Status.PLANNED else [],
        job=job,
    )


def agenda_candidates(session: CommissionSession) -> QuerySet[Application]:
    """Accepted applications of the session's commission that are on no planned agenda
    (an application being corrected comes back once it is resubmitted)."""
    return (
        Application.objects.filter(
            commission_id=session.commission_id, status=Application.Status.ACCEPTED
        )
        .exclude(agenda_items__session__status=CommissionSession.Status.PLANNED)
        .select_related(
            "teacher", "organization", "position", "current_category", "claimed_category"
        )
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )


def agenda_items(session: CommissionSession) -> QuerySet[AgendaItem]:
    return session.items.select_related(
        "application__teacher",
        "application__organization",
        "application__current_category",
        "application__claimed_category",
    ).order_by("number")


def extract_item_get(*, session_pk: int, application_pk: int) -> AgendaItem | None:
    """The decided agenda item of a closed session whose extract is asked for, with what
    the permission checks need (the session's commission, the application's teacher and
    organisation); None if there is none."""
    return (
        AgendaItem.objects.select_related(
            "session__commission__cycle",
            "session__commission__organization__district",
            "session__commission__district",
            "application__teacher",
            "application__organization__district",
        )
        .filter(
            session_id=session_pk,
            application_id=application_pk,
            session__status=CommissionSession.Status.CLOSED,
            decision__isnull=False,
        )
        .first()
    )


def document_job_get(*, pk: int) -> DocumentJob:
    """A document job with what its permission check needs (the session's or the order's
    commission and body); raises DocumentJob.DoesNotExist. The views check "view_session"
    or "view_order" on it."""
    return DocumentJob.objects.select_related(
        "session__commission__cycle",
        "session__commission__organization__district",
        "session__commission__district",
        "order__cycle",
        "order__commission__cycle",
        "order__commission__organization__district",
        "order__commission__district",
    ).get(pk=pk)
