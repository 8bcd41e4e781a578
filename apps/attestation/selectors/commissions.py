"""Reads of commissions and portfolio review: the commissions a user sees, a member's queue
of portfolios to score, a member's scoring sheet with the whole portfolio, and the table of
every member's submitted sheet, each in a number of queries that does not grow with rows.

Independence of the review: a scoring member sees the others' sheets only once their own
is submitted; the chair, the secretary and the body's staff see them always."""

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.core.paginator import Page
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.scopes import commission_seats, read_scope
from apps.core.pagination import paginate_by_ids
from apps.organizations.models import Organization

from ..exclusions import excluded_members
from ..models import (
    Application,
    CategoryRule,
    Commission,
    CommissionMember,
    CommissionSession,
    Criterion,
    EvidenceItem,
    LessonObservation,
    Review,
    ReviewCriterion,
)
from ..scoring import ReviewSummary, review_summaries
from . import PortfolioSection, application_list

A = Application.Status
Member = CommissionMember.Role
# A difference between the lowest and the highest total of the submitted sheets above which
# the reviewers probably read the portfolio differently: the summary asks them to compare
# notes before the vote. A rule of thumb of ours, not of the attestation rules.
SPREAD_WARNING_POINTS = 15
# The applications a member has to look at: to score, returned for correction (back soon),
# or on a session's agenda (a sheet may still be changed until the decision).
REVIEW_STATUSES = (A.ACCEPTED, A.CORRECTION, A.SCHEDULED)
SCORING_ROLES = (Member.CHAIR, Member.MEMBER)
QUEUE_PAGE_SIZE = 25

# --- commissions ------------------------------------------------------------------------------


def visible_commissions(user, cycle=None) -> QuerySet[Commission]:
    """The commissions the user sees: all for a superuser; as staff, those whose body is in
    their read scope (an organisation's, its district's, the region's); and those they sit
    on, whoever they are."""
    if not user.is_authenticated:
        return Commission.objects.none()
    commissions = Commission.objects.all()
    scope = read_scope(user)
    if not scope.everything:
        seats = {commission_id for commission_id, _role in commission_seats(user)}
        commissions = commissions.filter(
            scope.q(organization="organization", district="district", region="cycle__region")
            | scope.q(
                organization="organization",
                district="organization__district",
                region="cycle__region",
            )
            | Q(pk__in=seats)
        )
    if cycle is not None:
        commissions = commissions.filter(cycle=cycle)
    return commissions


def _count_of(queryset: QuerySet) -> Coalesce:
    """A per-commission count as a subquery (two counts joined would multiply each other)."""
    counted = queryset.filter(commission=OuterRef("pk")).order_by().values("commission")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def commission_rows(queryset: QuerySet[Commission]) -> QuerySet[Commission]:
    """The list's rows in one query: the body, the cycle, the voting members and the
    applications counted."""
    return (
        queryset.select_related("cycle__region", "organization__district", "district")
        .annotate(
            voting_count=_count_of(CommissionMember.objects.exclude(role=Member.SECRETARY)),
            application_count=_count_of(Application.objects.all()),
        )
        .order_by("-cycle__application_opens", "level", "name_ru", "pk")
    )


def commission_get(*, user, pk: int) -> Commission:
    """Raises Commission.DoesNotExist for a commission the user does not see."""
    return (
        visible_commissions(user)
        .select_related("cycle__region", "organization__district", "district")
        .get(pk=pk)
    )


def commission_members(commission: Commission) -> list[CommissionMember]:
    """The chair, the members, then the secretary ("chair" < "member" < "secretary")."""
    return list(
        commission.members.select_related("user", "organization").order_by(
            "role", "full_name", "pk"
        )
    )


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def commission_application_counts(commission: Commission) -> list[StatusCount]:
    """How many of the commission's applications are at each stage (those with any)."""
    counts = dict(
        commission.applications.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        StatusCount(status, label, counts[status])
        for status, label in A.choices
        if counts.get(status)
    ]


def commission_sessions(commission: Commission) -> list[CommissionSession]:
    return list(commission.sessions.order_by("-starts_at", "-pk"))


def formed_late(commission: Commission, today: dt.date | None = None) -> bool:
    """Formed (or, while being formed, today is) after the cycle's date for forming."""
    deadline = commission.cycle.commissions_formed_by
    day = commission.formed_on or today or timezone.localdate()
    return deadline is not None and day > deadline


def member_user_find(*, commission: Commission, email: str) -> User | None:
    """An active account of the commission's region by its e-mail: a teacher of the region
    or a user with a role there. Nobody from outside the region can be seated."""
    region_id = commission.cycle.region_id
    of_region = (
        Q(teacher__organization__district__region_id=region_id)
        | Q(role_assignments__region_id=region_id)
        | Q(role_assignments__district__region_id=region_id)
        | Q(role_assignments__organization__district__region_id=region_id)
    )
    users = User.objects.filter(is_active=True, email__iexact=email.strip()).filter(of_region)
    return users.distinct().first()


def member_organizations(commission: Commission) -> QuerySet[Organization]:
    """Where a member may work: the organisations of the commission's region."""
    return Organization.objects.filter(district__region_id=commission.cycle.region_id).order_by(
        "name_ru", "pk"
    )


# --- the review queue -------------------------------------------------------------------------


def scoring_seats(user) -> dict[int, CommissionMember]:
    """Commission id -> the user's seat on it, where they score (chair or member)."""
    return {
        seat.commission_id: seat
        for seat in CommissionMember.objects.filter(
            user_id=user.pk, role__in=SCORING_ROLES
        ).select_related("commission__cycle")
    }


@dataclass(frozen=True)
class ReviewRow:
    """An application in a member's queue, with the member's own sheet (if any)."""

    application: Application
    member: CommissionMember
    review: Review | None
    exclusion: str | None
    summary: ReviewSummary

    @property
    def pk(self) -> int:
        """The application's, by which the queue is paged."""
        return self.application.pk

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.submitted_at is not None

    @property
    def outdated(self) -> bool:
        """The sheet scored a version the teacher has since corrected."""
        return self.review is not None and self.review.version < self.application.version

    @property
    def correction_overdue(self) -> bool:
        due = self.application.correction_due_on
        return (
            self.application.status == A.CORRECTION
            and due is not None
            and due < timezone.localdate()
        )


def review_queue(*, user, page_number=None, per_page: int = QUEUE_PAGE_SIZE) -> Page:
    """A page of the applications before the commissions where the user scores, those to
    score first, each as a ReviewRow. The queries do not grow with the rows."""
    seats = scoring_seats(user)
    applications = Application.objects.filter(
        commission_id__in=list(seats), status__in=REVIEW_STATUSES
    ).order_by(
        Case(
            When(status=A.ACCEPTED, then=Value(0)),
            When(status=A.SCHEDULED, then=Value(1)),
            default=Value(2),
        ),
        "submitted_at",
        "pk",
    )
    return paginate_by_ids(
        applications,
        page_number=page_number,
        per_page=per_page,
        load=partial(_review_rows, seats),
    )


def _review_rows(seats: dict[int, CommissionMember], ids: list[int]) -> list[ReviewRow]:
    applications = list(
        Application.objects.filter(pk__in=ids).select_related(
            "teacher", "organization__district", "claimed_category", "cycle"
        )
    )
    reviews = {
        review.application_id: review
        for review in Review.objects.filter(application_id__in=ids, member__in=list(seats.values()))
    }
    exclusions: dict = {}
    for commission_id, seat in seats.items():
        theirs = [a for a in applications if a.commission_id == commission_id]
        if theirs:
            exclusions.update(excluded_members(seat.commission, theirs, [seat]))
    summaries = review_summaries(applications)
    rows = []
    for application in applications:
        seat = seats[application.commission_id]
        rows.append(
            ReviewRow(
                application=application,
                member=seat,
                review=reviews.get(application.pk),
                exclusion=exclusions.get((application.pk, seat.pk)),
                summary=summaries[application.pk],
            )
        )
    return rows


# --- one application under review -------------------------------------------------------------


def review_application_get(*, user, pk: int) -> Application:
    """An application the user may see as staff or as the applicant, or one before a
    commission they sit on; raises Application.DoesNotExist otherwise."""
    seats = [commission_id for commission_id, _role in commission_seats(user)]
    return Application.objects.select_related(
        "cycle",
        "teacher__user",
        "teacher__organization__district",
        "organization__district",
        "position",
        "claimed_category",
        "current_category",
        "test_result",
        "commission__cycle",
        "commission__organization__district",
        "commission__district",
    ).get(Q(pk__in=application_list(user).values("pk")) | Q(commission_id__in=seats), pk=pk)


def seat_of(user, application: Application) -> CommissionMember | None:
    """The user's seat on the application's commission, if any."""
    if not application.commission_id:
        return None
    return (
        CommissionMember.objects.select_related("commission__cycle")
        .filter(commission_id=application.commission_id, user_id=user.pk)
        .first()
    )


def others_sheets_visible(*, user, application: Application, seat: CommissionMember | None):
    """Whether the user may see the other members' sheets of this application: a scoring
    member once their own sheet is submitted; the chair and the secretary always; without
    a seat, the body's staff (who may view the commission)."""
    if seat is not None:
        if seat.role != Member.MEMBER:
            return True
        return Review.objects.filter(
            application=application, member=seat, submitted_at__isnull=False
        ).exists()
    return application.commission_id is not None and user.has_perm(
        "attestation.view_commission", application.commission
    )


@dataclass(frozen=True)
class CriterionBlock:
    """A line of the scoring sheet with the evidence filed under it and the member's score."""

    criterion: ReviewCriterion
    evidence: list[EvidenceItem]
    score: int | None


@dataclass(frozen=True)
class ObservationSheet:
    observation: LessonObservation
    scores: list[tuple[str, int]]
    max_total: int


@dataclass(frozen=True)
class ReviewSheet:
    blocks: list[CriterionBlock]
    other_evidence: list[PortfolioSection]
    review: Review | None
    observations: list[ObservationSheet]
    max_total: int
    threshold: int | None

    @property
    def criteria(self) -> list[ReviewCriterion]:
        return [block.criterion for block in self.blocks]

    @property
    def outdated(self) -> bool:
        return self.review is not None and self.review.version < self.review.application.version


def review_sheet(*, application: Application, member: CommissionMember) -> ReviewSheet:
    """What a member scores from: the cycle's criteria, each with the portfolio evidence
    filed under it (removed items left out), the other documents, the lesson observations
    of the cycle with their criteria scores, the member's own sheet and the claimed
    category's threshold (the essay and the test result are the application's own
    fields). Six queries, however big the portfolio."""
    criteria = list(application.cycle.review_criteria.all())
    review = Review.objects.filter(application=application, member=member).first()
    if review is not None:
        review.application = application
    evidence: dict[str, list[EvidenceItem]] = {}
    for item in application.evidence.filter(removed_at__isnull=True).order_by("pk"):
        evidence.setdefault(item.criterion, []).append(item)
    scores = review.scores if review else {}
    blocks = [CriterionBlock(c, evidence.pop(c.code, []), scores.get(c.code)) for c in criteria]
    others = [
        PortfolioSection(value, label, evidence[value])
        for value, label in Criterion.choices
        if value in evidence
    ]
    return ReviewSheet(
        blocks=blocks,
        other_evidence=others,
        review=review,
        observations=_observation_sheets(application),
        max_total=sum(c.max_points for c in criteria),
        threshold=CategoryRule.objects.filter(
            cycle_id=application.cycle_id, category_id=application.claimed_category_id
        )
        .values_list("portfolio_points", flat=True)
        .first(),
    )


def _observation_sheets(application: Application) -> list[ObservationSheet]:
    titles = [
        (c.code, c.title) for c in application.cycle.observation_criteria.order_by("order", "pk")
    ]
    observations = LessonObservation.objects.filter(
        teacher_id=application.teacher_id, cycle_id=application.cycle_id
    ).select_related("observer", "subject")
    sheets = []
    for observation in observations.order_by("-observed_on", "-pk"):
        scores = [
            (title, observation.scores[code])
            for code, title in titles
            if code in observation.scores
        ]
        sheets.append(ObservationSheet(observation, scores, 3 * len(scores)))
    return sheets


@dataclass(frozen=True)
class MemberSheet:
    """A voting member's line in the review table: their submitted sheet, if any."""

    member: CommissionMember
    review: Review | None
    exclusion: str | None
    scores: list[int | None]

    @property
    def submitted(self) -> bool:
        return self.review is not None

    def outdated(self, version: int) -> bool:
        return self.review is not None and self.review.version < version


@dataclass(frozen=True)
class ReviewTable:
    criteria: list[ReviewCriterion]
    sheets: list[MemberSheet]
    summary: ReviewSummary
    version: int

    @property
    def submitted(self) -> list[MemberSheet]:
        return [s for s in self.sheets if s.submitted]

    @property
    def missing(self) -> list[MemberSheet]:
        return [s for s in self.sheets if not s.submitted and not s.exclusion]

    @property
    def excluded(self) -> list[MemberSheet]:
        return [s for s in self.sheets if s.exclusion]

    @property
    def outdated(self) -> list[MemberSheet]:
        return [s for s in self.submitted if s.outdated(self.version)]

    @property
    def rows(self) -> list[tuple[ReviewCriterion, list[int | None]]]:
        """Each criterion with the submitted sheets' points, in the order of `submitted`."""
        submitted = self.submitted
        return [(c, [s.scores[n] for s in submitted]) for n, c in enumerate(self.criteria)]

    @property
    def commented(self) -> list[MemberSheet]:
        return [s for s in self.submitted if s.review.comment]

    @property
    def wide_spread(self) -> bool:
        spread = self.summary.spread
        return spread is not None and spread > SPREAD_WARNING_POINTS


def review_table(application: Application) -> ReviewTable:
    """Every voting member's submitted sheet of the application, per criterion with its
    total (drafts stay private), who has not submitted, who sits out and why, and the
    mean against the claimed category's threshold with the spread between reviewers. The
    summary counts only the sheets of the current version: those of an earlier one are
    listed as outdated, for their members to score again."""
    commission = application.commission
    criteria = list(application.cycle.review_criteria.all())
    members = list(
        commission.members.exclude(role=Member.SECRETARY).order_by("role", "full_name", "pk")
    )
    reviews = {
        review.member_id: review
        for review in Review.objects.filter(application=application, submitted_at__isnull=False)
    }
    exclusions = excluded_members(commission, [application], members)
    sheets = []
    for member in members:
        review = reviews.get(member.pk)
        sheets.append(
            MemberSheet(
                member=member,
                review=review,
                exclusion=exclusions.get((application.pk, member.pk)),
                scores=[review.scores.get(c.code) if review else None for c in criteria],
            )
        )
    return ReviewTable(
        criteria=criteria,
        sheets=sheets,
        summary=review_summaries([application])[application.pk],
        version=application.version,
    )
