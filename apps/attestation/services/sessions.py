"""Commission sessions (DOMAIN.md "Attestation process", 5–6): the agenda, the attendance
and the votes of a meeting, closing it with a decision on every application, and the
protocol with each teacher's extract, made by the worker.

The voting rules are pure functions (quorum, majority with the chair's casting vote, the
cap set by the knowledge test, the lower categories to choose from), and `session_state`
applies them to a session, so the session page shows the very outcome that closing
records. A decision needs the portfolio scored (a sheet of the application's current
version at least) and, when it says the claimed category is met, a mean of the points that
reaches its threshold; only a formed commission votes and closes. Every write checks
"attestation.run_sessions" and locks the session row, so two tabs (or a replayed form)
cannot close a session twice or vote on a closed one.
"""

import datetime as dt
import logging
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.core.dates import short_date
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient
from apps.teachers.models import QualificationCategory

from ..exclusions import attested_member_ids, excluded_members
from ..models import (
    AgendaItem,
    Application,
    CategoryRule,
    Commission,
    CommissionMember,
    CommissionSession,
    Decision,
    DocumentJob,
    Vote,
)
from ..pdf import protocol as pdf
from ..scoring import ReviewSummary, review_summaries
from . import _transition

logger = logging.getLogger(__name__)

A = Application.Status
S = CommissionSession.Status
FOR, AGAINST = Vote.Choice.FOR, Vote.Choice.AGAINST
Outcome = Decision.Outcome
Track = QualificationCategory.Track
# The progress bar of a document job moves about this many times, whatever the session's size.
PROGRESS_STEPS = 50
_UNSAFE_FILENAME = re.compile(r"[^\w\-. ]+")
PROTOCOL_NUMBER_LENGTH = CommissionSession._meta.get_field("protocol_number").max_length

# --- the rules, as pure functions ---------------------------------------------------------------


def quorum_needed(voting_members: int, numerator: int, denominator: int) -> int:
    """The fewest voting members present for a quorum: numerator/denominator of the
    commission's voting members, rounded up (7 members at 2/3: 5). Integer arithmetic, so
    that 2/3 of 6 is exactly 4."""
    return -(-voting_members * numerator // denominator)


@dataclass(frozen=True)
class Quorum:
    present: int
    total: int
    needed: int

    @property
    def met(self) -> bool:
        return self.present >= self.needed


@dataclass(frozen=True)
class Tally:
    """The votes on one application; `meets` is None for a tie the chair did not break."""

    votes_for: int
    votes_against: int
    meets: bool | None
    casting_vote: bool


def tally(choices: Iterable[str], *, chair_choice: str = "") -> Tally:
    """A simple majority of the votes cast; a tie is decided by the chair's vote, if the
    chair voted on it (DOMAIN.md)."""
    choices = list(choices)
    votes_for, votes_against = choices.count(FOR), choices.count(AGAINST)
    if votes_for != votes_against:
        return Tally(votes_for, votes_against, votes_for > votes_against, False)
    if chair_choice in (FOR, AGAINST):
        return Tally(votes_for, votes_against, chair_choice == FOR, True)
    return Tally(votes_for, votes_against, None, False)


def _on_ladder(current: QualificationCategory | None, track: str):
    """The current category as the claimed category's ladder sees it: a category of
    another ladder (a head who is a teacher-moderator) is none; the legacy categories
    belong to the teachers' ladder (as in eligibility.claimable_rules)."""
    if current is None:
        return None
    own = {track, Track.LEGACY} if track == Track.TEACHER else {track}
    return current if current.track in own else None


def _above_current(rule: CategoryRule, current: QualificationCategory | None) -> bool:
    """Whether the rule's category is a step up from the current one: higher on the same
    ladder or, from a legacy category, one the rules let it be claimed for (second ->
    moderator or expert; first -> expert or researcher; highest -> expert and up)."""
    category = rule.category
    if current is None:
        return True
    if current.track == category.track:
        return category.rank > current.rank
    return any(c.pk == current.pk for c in rule.from_categories.all())


def cap_by_test(
    target: QualificationCategory,
    *,
    current: QualificationCategory | None,
    percent: Decimal | None,
    rules: list[CategoryRule],
) -> tuple[QualificationCategory | None, bool]:
    """The category the knowledge test allows, at most `target` (DOMAIN.md 5: the category
    can be no higher than the test result allows): (category, capped). Below the target's
    pass mark, it is the highest category of the target's ladder whose pass mark the
    result reaches and that is above the current category; None (keep the current one)
    if there is none. Without a result (exempt from the test) there is no cap. `rules`
    are the cycle's, with categories and from_categories loaded."""
    if percent is None:
        return target, False
    by_category = {rule.category_id: rule for rule in rules}
    if percent >= by_category[target.pk].test_pass_percent:
        return target, False
    current = _on_ladder(current, target.track)
    reached = [
        rule.category
        for rule in rules
        if rule.category.track == target.track
        and rule.category.rank < target.rank
        and percent >= rule.test_pass_percent
        and _above_current(rule, current)
    ]
    return (max(reached, key=lambda c: c.rank) if reached else None), True


def lower_choices(application: Application, rules: list[CategoryRule]) -> list:
    """The lower categories the commission may assign instead of the claimed one: those
    of the cycle's rules below it on its ladder that the teacher could have claimed from
    their current category (the current one itself is "keep"), highest first."""
    claimed = application.claimed_category
    current = _on_ladder(application.current_category, claimed.track)
    result = []
    for rule in rules:
        category = rule.category
        if category.track != claimed.track or category.rank >= claimed.rank:
            continue
        if current is not None and category.pk == current.pk:
            continue
        if (current is None and rule.from_no_category) or (
            current is not None and any(c.pk == current.pk for c in rule.from_categories.all())
        ):
            result.append(category)
    return sorted(result, key=lambda c: c.rank, reverse=True)


@dataclass(frozen=True)
class Verdict:
    """What a decision records: its outcome, the category assigned (the current one when
    it is kept) and whether the test result capped it, below the category `considered`
    (the claimed one, or the lower one chosen)."""

    outcome: str
    assigned: QualificationCategory | None
    capped_by_test: bool
    considered: QualificationCategory | None = None

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label


def verdict(
    application: Application,
    *,
    meets: bool,
    lower: QualificationCategory | None,
    rules: list[CategoryRule],
) -> Verdict:
    """The decision on an application: the claimed category if it meets it (capped by the
    test); if not, the current category kept or the lower one chosen (capped too)."""
    current = application.current_category
    if not meets and lower is None:
        return Verdict(Outcome.KEEP, current, False)
    target = application.claimed_category if meets else lower
    test_result = application.test_result
    percent = test_result.percent if test_result is not None else None
    assigned, capped = cap_by_test(target, current=current, percent=percent, rules=rules)
    if assigned is None:
        return Verdict(Outcome.KEEP, current, True, target)
    if meets and not capped:
        return Verdict(Outcome.MEETS, assigned, False, target)
    return Verdict(Outcome.LOWER, assigned, capped, target)


# --- a session's state ----------------------------------------------------------------------


def _not_formed_message() -> str:
    """Why a commission being formed again (a seat changed) cannot vote or close a session:
    its composition may no longer be valid."""
    return _(
        "The commission is being formed again after a change of its members: it can vote "
        "and close sessions once it is formed."
    )


@dataclass
class ItemState:
    """One agenda item: who sits it out (member id -> why), who of those who vote on it
    (present, voting, not sitting out) has not voted yet, the tally of their votes and
    the portfolio's points (the sheets of the application's current version)."""

    item: AgendaItem
    excluded: dict[int, str]
    missing: list[CommissionMember]
    tally: Tally
    lower_choices: list
    summary: ReviewSummary

    @property
    def application(self) -> Application:
        return self.item.application

    @property
    def unscored(self) -> bool:
        """No member has submitted a sheet of the current version: nothing to decide on."""
        return self.summary.count == 0

    @property
    def conflict(self) -> bool:
        """The vote says the claimed category is met, but the mean of the points is below
        its threshold: a decision has to follow the points, so the commission votes again
        or the members score again."""
        return self.tally.meets is True and self.summary.meets is False


@dataclass
class SessionState:
    """`attested_ids`: the members being attested in the cycle, who do not sit (DOMAIN.md)
    and so are neither voting members nor counted present."""

    session: CommissionSession
    members: list[CommissionMember]
    present_ids: set[int]
    quorum: Quorum
    items: list[ItemState]
    rules: list[CategoryRule]
    votes: dict[tuple[int, int], str] = field(repr=False)
    attested_ids: set[int] = field(default_factory=set)

    @property
    def voting_members(self) -> list[CommissionMember]:
        return [m for m in self.members if m.is_voting and m.pk not in self.attested_ids]

    def verdict(self, state: ItemState, lower=None) -> Verdict | None:
        """The decision the votes give so far (None while they cannot decide)."""
        if state.missing or state.tally.meets is None:
            return None
        return verdict(state.application, meets=state.tally.meets, lower=lower, rules=self.rules)

    def problems(self) -> list[str]:
        """Why the session cannot be closed yet, each naming the agenda item."""
        problems = []
        if self.session.commission.status != Commission.Status.FORMED:
            problems.append(_not_formed_message())
        if not self.items:
            problems.append(_("The agenda is empty."))
        if not self.quorum.met:
            problems.append(
                _(
                    "There is no quorum: %(present)s of %(total)s voting members are present, "
                    "%(needed)s are needed."
                )
                % {
                    "present": self.quorum.present,
                    "total": self.quorum.total,
                    "needed": self.quorum.needed,
                }
            )
        for state in self.items:
            labels = {"number": state.item.number, "teacher": state.application.teacher.full_name}
            if state.application.status != A.SCHEDULED:
                problems.append(
                    _(
                        "No. %(number)s, %(teacher)s: the application is “%(status)s”; "
                        "take it off the agenda."
                    )
                    % {**labels, "status": state.application.get_status_display()}
                )
                continue
            if state.unscored:
                problems.append(
                    _(
                        "No. %(number)s, %(teacher)s: the portfolio has not been scored: no "
                        "member has submitted a sheet of its current version."
                    )
                    % labels
                )
            if state.missing:
                problems.append(
                    _("No. %(number)s, %(teacher)s: no vote yet from %(members)s.")
                    % {**labels, "members": ", ".join(m.full_name for m in state.missing)}
                )
            elif state.tally.meets is None:
                problems.append(
                    _(
                        "No. %(number)s, %(teacher)s: the votes are tied and the chair has not "
                        "voted on it, so the tie cannot be decided."
                    )
                    % labels
                )
            elif state.conflict:
                problems.append(
                    _(
                        "No. %(number)s, %(teacher)s: the vote says the claimed category is "
                        "met, but the portfolio's mean, %(mean)s points, is below its threshold "
                        "of %(threshold)s: vote again, or the members score it again."
                    )
                    % {
                        **labels,
                        "mean": number_format(state.summary.mean),
                        "threshold": state.summary.threshold,
                    }
                )
        return problems


def session_state(session: CommissionSession) -> SessionState:
    """The session's members, attendance, agenda and votes with the rules applied, in a
    constant number of queries whatever the size of the agenda (`session.commission.cycle`
    loaded)."""
    commission = session.commission
    members = list(commission.members.order_by("role", "full_name", "pk"))
    present_ids = set(session.present.values_list("pk", flat=True))
    items = list(
        session.items.select_related(
            "application__cycle",
            "application__teacher",
            "application__organization__district",
            "application__position",
            "application__current_category",
            "application__claimed_category",
            "application__test_result",
        ).order_by("number")
    )
    votes = {
        (item_id, member_id): choice
        for item_id, member_id, choice in Vote.objects.filter(item__session=session).values_list(
            "item_id", "member_id", "choice"
        )
    }
    rules = list(
        CategoryRule.objects.filter(cycle_id=commission.cycle_id)
        .select_related("category")
        .prefetch_related("from_categories")
    )
    applications = [i.application for i in items]
    exclusions = excluded_members(commission, applications, members)
    summaries = review_summaries(applications)
    attested = attested_member_ids(commission)
    voting = [m for m in members if m.is_voting]
    sitting = [m for m in voting if m.pk not in attested]
    cycle = commission.cycle
    quorum = Quorum(
        present=sum(1 for m in sitting if m.pk in present_ids),
        total=len(sitting),
        needed=quorum_needed(len(sitting), cycle.quorum_numerator, cycle.quorum_denominator),
    )
    states = []
    for item in items:
        excluded = {
            m.pk: exclusions[(item.application_id, m.pk)]
            for m in voting
            if (item.application_id, m.pk) in exclusions
        }
        voters = [m for m in voting if m.pk in present_ids and m.pk not in excluded]
        choices = {m.pk: votes[(item.pk, m.pk)] for m in voters if (item.pk, m.pk) in votes}
        chair = next((m for m in voters if m.role == CommissionMember.Role.CHAIR), None)
        states.append(
            ItemState(
                item=item,
                excluded=excluded,
                missing=[m for m in voters if m.pk not in choices],
                tally=tally(
                    choices.values(), chair_choice=choices.get(chair.pk, "") if chair else ""
                ),
                lower_choices=lower_choices(item.application, rules),
                summary=summaries[item.application_id],
            )
        )
    return SessionState(session, members, present_ids, quorum, states, rules, votes, attested)


# --- writes ---------------------------------------------------------------------------------


def _check_runs(actor, obj) -> None:
    if not actor.has_perm("attestation.run_sessions", obj):
        raise PermissionDenied


def _locked_session(session: CommissionSession) -> CommissionSession:
    return (
        CommissionSession.objects.select_for_update(of=("self",))
        .select_related("commission__cycle", "commission__organization__district")
        .get(pk=session.pk)
    )


def _check_planned(session: CommissionSession) -> None:
    if session.status != S.PLANNED:
        raise ValidationError(
            _("The session is “%(status)s”: it can no longer be changed.")
            % {"status": session.get_status_display()},
            code="not_planned",
        )


def _session_label(session: CommissionSession) -> dict:
    """The date and place that name a session in history comments."""
    return {
        "date": short_date(timezone.localtime(session.starts_at).date()),
        "place": session.place,
    }


def session_create(
    *, commission: Commission, actor, starts_at: dt.datetime, place: str
) -> CommissionSession:
    """A planned meeting of a formed commission."""
    _check_runs(actor, commission)
    if commission.status != Commission.Status.FORMED:
        raise ValidationError(
            _("The commission is still being formed: form it before planning its sessions."),
            code="not_formed",
        )
    place = place.strip()
    if not place:
        raise ValidationError({"place": _("Say where the session takes place.")})
    return CommissionSession.objects.create(
        commission=commission, starts_at=starts_at, place=place, created_by=actor
    )


@dataclass
class AgendaAdd:
    added: list[AgendaItem] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def session_agenda_add(
    *, session: CommissionSession, actor, applications: Iterable[Application]
) -> AgendaAdd:
    """Put accepted applications of the commission on a planned session's agenda, numbered
    after the items already there; each one that cannot go on it is reported with why."""
    _check_runs(actor, session)
    result = AgendaAdd()
    applications = list(applications)
    with transaction.atomic():
        session = _locked_session(session)
        _check_planned(session)
        locked = {
            row.pk: row
            for row in Application.objects.select_for_update(of=("self",))
            .filter(pk__in=[given.pk for given in applications])
            .order_by("pk")  # one order of locking for every writer: no deadlock
        }
        elsewhere = dict(
            AgendaItem.objects.filter(
                application_id__in=locked, session__status=S.PLANNED
            ).values_list("application_id", "session__starts_at")
        )
        last = session.items.order_by("-number").values_list("number", flat=True).first() or 0
        comment = _("On the agenda of the session of %(date)s, %(place)s.") % _session_label(
            session
        )
        for given in applications:
            application = locked[given.pk]
            reason = None
            if application.commission_id != session.commission_id:
                reason = _("it is with another commission")
            elif application.pk in elsewhere:
                reason = _("it is already on the agenda of the session of %(date)s") % {
                    "date": short_date(timezone.localtime(elsewhere[application.pk]).date())
                }
            elif application.status != A.ACCEPTED:
                reason = _("it is “%(status)s”") % {"status": application.get_status_display()}
            if reason:
                result.skipped.append((given, reason))
                continue
            last += 1
            result.added.append(
                AgendaItem.objects.create(session=session, application=application, number=last)
            )
            _transition(application, A.SCHEDULED, actor=actor, comment=comment)
    return result


def session_agenda_remove(*, session: CommissionSession, actor, application: Application) -> None:
    """Take an application off a planned session's agenda (back to "accepted", its votes
    dropped); the items after it move up, so the protocol's numbers have no gap."""
    _check_runs(actor, session)
    with transaction.atomic():
        session = _locked_session(session)
        _check_planned(session)
        item = session.items.filter(application_id=application.pk).first()
        if item is None:
            raise ValidationError(_("This application is not on the session's agenda."))
        application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        item.delete()
        # One at a time, upwards: each number moves into the one just freed, so the
        # (session, number) constraint holds after every statement.
        for later in session.items.filter(number__gt=item.number).order_by("number"):
            later.number -= 1
            later.save(update_fields=["number"])
        if application.status == A.SCHEDULED:  # not one closed meanwhile (disqualified)
            _transition(
                application,
                A.ACCEPTED,
                actor=actor,
                comment=_("Taken off the agenda of the session of %(date)s, %(place)s.")
                % _session_label(session),
            )


def session_attendance_set(
    *, session: CommissionSession, actor, present: Iterable[CommissionMember]
) -> None:
    """Who is at the meeting; the votes of a member no longer marked present are dropped."""
    _check_runs(actor, session)
    present = list(present)
    with transaction.atomic():
        session = _locked_session(session)
        _check_planned(session)
        if any(m.commission_id != session.commission_id for m in present):
            raise ValidationError(_("Only members of this commission can be marked present."))
        session.present.set(present)
        Vote.objects.filter(item__session=session).exclude(
            member_id__in=[m.pk for m in present]
        ).delete()


def session_votes_set(
    *, session: CommissionSession, actor, votes: Mapping[tuple[int, int], str]
) -> None:
    """Record votes as they are cast, (agenda item id, member id) -> "for", "against" or ""
    (clears a vote). Only present voting members (never the secretary), never on an
    application the member sits out, and only while the commission is formed. All or
    nothing: with any error nothing is saved."""
    _check_runs(actor, session)
    with transaction.atomic():
        # The commission's row first, as closing and every change of its seats take it: a
        # vote and a change of the composition never cross.
        Commission.objects.select_for_update().get(pk=session.commission_id)
        session = _locked_session(session)
        _check_planned(session)
        if session.commission.status != Commission.Status.FORMED:
            raise ValidationError(_not_formed_message(), code="not_formed")
        state = session_state(session)
        items = {s.item.pk: s for s in state.items}
        members = {m.pk: m for m in state.members}
        errors, changes = [], {}
        for (item_id, member_id), choice in votes.items():
            item_state, member = items.get(item_id), members.get(member_id)
            if item_state is None or member is None:
                errors.append(_("A vote is not of this session's agenda and members."))
                continue
            labels = {
                "member": member.full_name,
                "number": item_state.item.number,
                "teacher": item_state.application.teacher.full_name,
            }
            if choice not in ("", FOR, AGAINST):
                errors.append(_("%(member)s, No. %(number)s: choose for or against.") % labels)
            elif not member.is_voting:
                errors.append(_("%(member)s is the secretary, who does not vote.") % labels)
            elif member.pk not in state.present_ids:
                errors.append(_("%(member)s is not marked present.") % labels)
            elif member.pk in item_state.excluded:
                errors.append(
                    _("%(member)s sits out No. %(number)s, %(teacher)s: %(reason)s.")
                    % {**labels, "reason": item_state.excluded[member.pk]}
                )
            else:
                changes[(item_id, member_id)] = choice
        if errors:
            raise ValidationError(list(dict.fromkeys(errors)), code="votes")
        _save_votes(changes, state.votes)


def _save_votes(changes: dict, existing: dict) -> None:
    """Write the changed votes in a few statements: one per member and kind of change
    (a filter of OR-ed pairs would grow past SQLite's expression depth on a big agenda)."""
    cleared, updated = defaultdict(list), defaultdict(list)
    for (item_id, member_id), choice in changes.items():
        if not choice and (item_id, member_id) in existing:
            cleared[member_id].append(item_id)
        elif choice and existing.get((item_id, member_id), choice) != choice:
            updated[(member_id, choice)].append(item_id)
    for member_id, item_ids in cleared.items():
        Vote.objects.filter(member_id=member_id, item_id__in=item_ids).delete()
    for (member_id, choice), item_ids in updated.items():
        Vote.objects.filter(member_id=member_id, item_id__in=item_ids).update(choice=choice)
    Vote.objects.bulk_create(
        Vote(item_id=item_id, member_id=member_id, choice=choice)
        for (item_id, member_id), choice in changes.items()
        if choice and (item_id, member_id) not in existing
    )


def session_close(
    *,
    session: CommissionSession,
    actor,
    protocol_number: str,
    lower_choices: Mapping[int, QualificationCategory | None] | None = None,
) -> CommissionSession:
    """Close the session in one transaction: with a quorum, and every present voting
    member who does not sit out an application having voted on it, record a decision on
    each agenda item, mark the applications decided, number the protocol, queue the
    protocol and extracts for the worker and tell each teacher. `lower_choices` maps an
    agenda item id to the lower category the secretary chose for an application that
    does not meet the claimed one (None or missing: the current category is kept)."""
    from ..tasks import decisions_notify_task, session_documents_task

    _check_runs(actor, session)
    lower_choices = lower_choices or {}
    number = protocol_number.strip()
    if not number or len(number) > PROTOCOL_NUMBER_LENGTH:
        raise ValidationError(
            {
                "protocol_number": _("Give the protocol number, up to %(count)s characters.")
                % {"count": PROTOCOL_NUMBER_LENGTH}
            }
        )
    with transaction.atomic():
        # The commission's row first: protocol numbers of one commission are taken one at
        # a time, so two sessions closing at once cannot both take the same number.
        Commission.objects.select_for_update().get(pk=session.commission_id)
        session = _locked_session(session)
        _check_planned(session)
        taken = CommissionSession.objects.filter(
            commission_id=session.commission_id, protocol_number=number
        ).exclude(pk=session.pk)
        if taken.exists():
            raise ValidationError(
                {
                    "protocol_number": _("This commission already has a protocol No. %(number)s.")
                    % {"number": number}
                }
            )
        # The agenda's applications too, so that no review, correction or sanction
        # crosses the decisions being recorded.
        list(
            Application.objects.select_for_update(of=("self",))
            .filter(agenda_items__session=session)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        state = session_state(session)
        problems = state.problems()
        lower_by_item = {}
        for item_state in state.items:
            lower = lower_choices.get(item_state.item.pk)
            if lower is None or item_state.tally.meets is not False:
                continue  # a choice for an item that meets its claim has nothing to change
            if lower.pk not in {c.pk for c in item_state.lower_choices}:
                problems.append(
                    _("No. %(number)s, %(teacher)s: %(category)s cannot be assigned.")
                    % {
                        "number": item_state.item.number,
                        "teacher": item_state.application.teacher.full_name,
                        "category": lower.name,
                    }
                )
            lower_by_item[item_state.item.pk] = lower
        if problems:
            raise ValidationError(problems, code="cannot_close")
        verdicts = {s.item.pk: state.verdict(s, lower_by_item.get(s.item.pk)) for s in state.items}
        decisions = _record_decisions(state, verdicts, number=number, actor=actor)
        session.status = S.CLOSED
        session.protocol_number = number
        session.closed_at = timezone.now()
        session.closed_by = actor
        session.save()
        job = DocumentJob.objects.create(
            kind=DocumentJob.Kind.PROTOCOL,
            session=session,
            total_rows=1 + len(decisions),
            created_by=actor,
        )
        session_documents_task.delay_on_commit(job.pk)
        decisions_notify_task.delay_on_commit([d.pk for d in decisions])
    return session


def _record_decisions(state: SessionState, verdicts: dict, *, number: str, actor) -> list:
    session = state.session
    commission = session.commission
    decided_on = timezone.localtime(session.starts_at).date()
    decisions = []
    for item_state in state.items:
        application, result = item_state.application, verdicts[item_state.item.pk]
        decisions.append(
            Decision(
                application=application,
                session=session,
                item=item_state.item,
                outcome=result.outcome,
                current_category=application.current_category,
                claimed_category=application.claimed_category,
                assigned_category=result.assigned,
                capped_by_test=result.capped_by_test,
                portfolio_score=item_state.summary.mean,
                votes_for=item_state.tally.votes_for,
                votes_against=item_state.tally.votes_against,
                casting_vote=item_state.tally.casting_vote,
                decided_on=decided_on,
                body_kk=commission.name_kk,
                body_ru=commission.name_ru,
                reasons=_reasons(item_state, result),
                created_by=actor,
            )
        )
    decisions = Decision.objects.bulk_create(decisions)
    label = _session_label(session)
    for item_state, decision in zip(state.items, decisions, strict=True):
        _transition(
            item_state.application,
            A.DECIDED,
            actor=actor,
            comment=_(
                "Decided at the session of %(date)s, %(place)s, protocol No. %(number)s: "
                "%(outcome)s."
            )
            % {**label, "number": number, "outcome": decision.get_outcome_display()},
        )
    return decisions


def _reasons(item_state: ItemState, result: Verdict) -> str:
    """The grounds of a decision in words: the vote, and what the test result did."""
    votes = item_state.tally
    parts = [
        _("Votes: %(for)s for, %(against)s against.")
        % {"for": votes.votes_for, "against": votes.votes_against}
    ]
    if votes.casting_vote:
        parts.append(_("The tie was decided by the chair's casting vote."))
    application = item_state.application
    if result.capped_by_test:
        parts.append(
            _(
                "The test result, %(percent)s%%, is below the pass mark of %(category)s, so "
                "the category is limited to what the result allows."
            )
            % {"percent": application.test_result.percent, "category": result.considered.name}
        )
    if result.outcome == Outcome.KEEP:
        parts.append(
            _("The current category is kept: %(category)s.")
            % {"category": result.assigned.name if result.assigned else _("no category")}
        )
    elif result.outcome == Outcome.LOWER:
        parts.append(_("Assigned: %(category)s.") % {"category": result.assigned.name})
    return " ".join(parts)


def session_cancel(*, session: CommissionSession, actor) -> CommissionSession:
    """Call off a planned session: its agenda goes back to "accepted", for another one."""
    _check_runs(actor, session)
    with transaction.atomic():
        session = _locked_session(session)
        _check_planned(session)
        comment = _("The session of %(date)s, %(place)s, was cancelled.") % _session_label(session)
        for application in (
            Application.objects.select_for_update(of=("self",))
            .filter(agenda_items__session=session, status=A.SCHEDULED)
            .order_by("pk")
        ):
            _transition(application, A.ACCEPTED, actor=actor, comment=comment)
        session.status = S.CANCELLED
        session.save(update_fields=["status", "updated_at"])
    return session


def decisions_notify(*, decision_ids: list[int]) -> None:
    """E-mail each teacher their decision, in their own language, with links to the
    extract from the protocol and to their application. One undeliverable address does
    not hold back the others: its failure is logged."""
    decisions = Decision.objects.filter(pk__in=decision_ids).select_related(
        "application__teacher__user",
        "current_category",
        "claimed_category",
        "assigned_category",
        "session",
    )
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    for decision in decisions:
        teacher = decision.application.teacher
        to, language = teacher_recipient(teacher)
        try:
            mail_send_localized(
                to=to,
                language=language,
                template="attestation/email/decision",
                context={
                    "decision": decision,
                    "teacher": teacher,
                    "application_url": base
                    + reverse("attestation:application_detail", args=[decision.application_id]),
                    "extract_url": base
                    + reverse(
                        "attestation:session_extract",
                        args=[decision.session_id, decision.application_id],
                    ),
                },
            )
        except Exception:
            logger.exception("Decision %s: the e-mail was not sent.", decision.pk)


# --- the protocol and the extracts ------------------------------------------------------------


def _category_names(category: QualificationCategory | None) -> tuple[str, str]:
    return (category.name_kk, category.name_ru) if category else ("", "")


def protocol_print(session: CommissionSession) -> pdf.ProtocolPrint:
    """Everything the closed session's protocol prints, in a constant number of queries."""
    commission = session.commission
    members = list(commission.members.order_by("role", "full_name", "pk"))
    present_ids = set(session.present.values_list("pk", flat=True))
    attested = attested_member_ids(commission)
    voting = [m for m in members if m.is_voting and m.pk not in attested]
    cycle = commission.cycle
    decisions = (
        Decision.objects.filter(session=session)
        .select_related(
            "item",
            "application__teacher",
            "application__organization",
            "application__position",
            "current_category",
            "claimed_category",
            "assigned_category",
        )
        .order_by("item__number")
    )
    rows = []
    for decision in decisions:
        application = decision.application
        current, claimed = decision.current_category, decision.claimed_category
        rows.append(
            pdf.RowPrint(
                number=decision.item.number,
                application_id=application.pk,
                full_name=application.teacher.full_name,
                organization_kk=application.organization.name_kk,
                organization_ru=application.organization.name_ru,
                position_kk=application.position.name_kk,
                position_ru=application.position.name_ru,
                current=_category_names(current),
                claimed=_category_names(claimed),
                assigned=_category_names(decision.assigned_category),
                outcome=decision.outcome,
                capped_by_test=decision.capped_by_test,
                votes_for=decision.votes_for,
                votes_against=decision.votes_against,
                casting_vote=decision.casting_vote,
            )
        )

    def name_of(role):
        return next((m.full_name for m in members if m.role == role), "")

    return pdf.ProtocolPrint(
        number=session.protocol_number,
        commission_kk=commission.name_kk,
        commission_ru=commission.name_ru,
        held_at=timezone.localtime(session.starts_at),
        place=session.place,
        present=tuple(
            pdf.MemberPrint(m.full_name, m.position, m.role) for m in members if m.pk in present_ids
        ),
        voting_members=len(voting),
        voting_present=sum(1 for m in voting if m.pk in present_ids),
        quorum_needed=quorum_needed(len(voting), cycle.quorum_numerator, cycle.quorum_denominator),
        chair_name=name_of(CommissionMember.Role.CHAIR),
        secretary_name=name_of(CommissionMember.Role.SECRETARY),
        rows=tuple(rows),
    )


def session_extract_render(*, session: CommissionSession, application: Application) -> bytes:
    """One teacher's extract from the closed session's protocol, rendered on request;
    raises Decision.DoesNotExist if the application was not decided there."""
    protocol = protocol_print(session)
    row = next((r for r in protocol.rows if r.application_id == application.pk), None)
    if row is None:
        raise Decision.DoesNotExist
    return pdf.render_extract(protocol, row)


def _safe_name(text: str) -> str:
    return _UNSAFE_FILENAME.sub("-", text).strip() or "-"


def session_documents_run(*, job_id: int) -> DocumentJob:
    """The protocol (stored on the session) and one extract per teacher, all in a ZIP on
    the job, with progress committed as it goes for the page's progress bar. Safe to run
    twice: a finished job is left as it is, an interrupted one starts over."""
    job = DocumentJob.objects.select_related("session__commission__cycle", "created_by").get(
        pk=job_id
    )
    if job.status == DocumentJob.Status.DONE:
        return job
    session = job.session
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentJob.Status.RUNNING, processed_rows=0, failure=""
    )
    try:
        protocol = protocol_print(session)
        job.total_rows = 1 + len(protocol.rows)
        step = max(1, job.total_rows // PROGRESS_STEPS)
        content = pdf.render_protocol(protocol)
        if session.protocol:
            session.protocol.delete(save=False)
        session.protocol.save(
            f"protocol-{session.pk}-{_safe_name(protocol.number)}.pdf",
            ContentFile(content),
            save=False,
        )
        session.save(update_fields=["protocol", "updated_at"])
        DocumentJob.objects.filter(pk=job.pk).update(processed_rows=1, total_rows=job.total_rows)
        with tempfile.TemporaryFile() as stream:
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(f"{_safe_name(protocol.number)}.pdf", content)
                for done, row in enumerate(protocol.rows, start=2):
                    archive.writestr(
                        f"{row.number:03d} {_safe_name(row.full_name)}.pdf",
                        pdf.render_extract(protocol, row),
                    )
                    if done % step == 0:
                        DocumentJob.objects.filter(pk=job.pk).update(processed_rows=done)
            stream.seek(0)
            job.file.save(f"protocol-{session.pk}-{job.pk}.zip", File(stream), save=False)
    except Exception as exc:
        user = job.created_by
        with translation.override(user.preferred_language if user else settings.LANGUAGE_CODE):
            job.failure = _("The documents could not be prepared: %(error)s") % {"error": exc}
        job.status = DocumentJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at", "total_rows", "updated_at"])
        raise
    job.status = DocumentJob.Status.DONE
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save()
    return job
