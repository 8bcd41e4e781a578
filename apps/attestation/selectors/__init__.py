"""Reads of attestation: the one scoping function per model family and the queries of the
application pages, the staff queue, test results and lesson observations."""

import copy
import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scopes import commission_seats, read_scope, role_assignments
from apps.core.text import normalize_search
from apps.organizations.models import Region
from apps.teachers.models import QualificationCategory, Teacher
from apps.teachers.selectors import visible_teachers

from .. import eligibility
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryRule,
    Criterion,
    EvidenceItem,
    EvidenceLevel,
    LessonObservation,
    TestResult,
    TestResultImport,
)

# --- applications -----------------------------------------------------------------------------

_APPLICATION_SCOPE = {
    "organization": "organization",
    "district": "organization__district",
    "region": "organization__district__region",
}
# The queue's order: the most urgent answer first, then the oldest application.
QUEUE_ORDERING = (F("accept_due_on").asc(nulls_last=True), "pk")


def application_list(user) -> QuerySet[Application]:
    """Every application this user may see: those of the organisations in their scope as
    staff (by the organisation the teacher applied from), and their own."""
    if not user.is_authenticated:
        return Application.objects.none()
    scope = read_scope(user)
    if scope.everything:
        return Application.objects.all()
    return Application.objects.filter(scope.q(**_APPLICATION_SCOPE) | Q(teacher__user=user))


def overdue_q(today: dt.date) -> Q:
    """Submitted and not answered by its due date."""
    return Q(status=Application.Status.SUBMITTED, accept_due_on__lt=today)


def with_overdue(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.annotate(
        overdue=ExpressionWrapper(overdue_q(timezone.localdate()), output_field=BooleanField())
    )


def application_get(*, user, pk: int) -> Application:
    """One application for its pages; raises Application.DoesNotExist outside the user's
    scope, so that ids cannot be probed."""
    return with_overdue(
        application_list(user).select_related(
            "cycle",
            "teacher__organization__district",
            "teacher__position",
            "teacher__category",
            "organization__district",
            "position",
            "current_category",
            "claimed_category",
            "routed_district",
            "test_result",
        )
    ).get(pk=pk)


def application_rows(ids) -> list[Application]:
    """The rows of one queue page, in one query whatever the page size."""
    return list(
        with_overdue(Application.objects.filter(pk__in=ids)).select_related(
            "cycle",
            "teacher",
            "organization__district",
            "claimed_category",
            "current_category",
        )
    )


@dataclass(frozen=True)
class StageCount:
    status: str
    label: str
    count: int


def stage_counts(queryset: QuerySet[Application]) -> tuple[list[StageCount], int]:
    """How many applications are at each stage, and how many answers are overdue: one
    aggregate query."""
    counts = queryset.order_by().aggregate(
        overdue=Count("pk", filter=overdue_q(timezone.localdate())),
        **{status: Count("pk", filter=Q(status=status)) for status in Application.Status.values},
    )
    stages = [
        StageCount(status, label, counts[status]) for status, label in Application.Status.choices
    ]
    return stages, counts["overdue"]


def visible_cycles(user) -> QuerySet[AttestationCycle]:
    """The cycles of the regions the user's staff scope reaches into."""
    scope = read_scope(user)
    if scope.everything:
        return AttestationCycle.objects.all()
    regions = Region.objects.filter(
        scope.q(organization="districts__organizations__pk", district="districts__pk", region="pk")
    )
    return AttestationCycle.objects.filter(region__in=regions.values("pk"))


def applicant_get(*, user, teacher_id=None) -> Teacher | None:
    """The teacher the user applies for: their own record, or (staff acting for a teacher)
    one of the teachers they may see; None when there is none."""
    queryset = Teacher.objects.select_related(
        "organization__district", "position", "category", "user"
    )
    if teacher_id is None:
        return queryset.filter(user_id=user.pk).first()
    visible = visible_teachers(user).values("pk")
    return queryset.filter(pk__in=visible, pk=teacher_id).first()


def open_cycle(teacher: Teacher) -> AttestationCycle | None:
    """The open cycle of the teacher's region (a region has at most one)."""
    return AttestationCycle.objects.filter(
        region_id=teacher.organization.district.region_id, status=AttestationCycle.Status.OPEN
    ).first()


def teacher_applications(teacher: Teacher) -> list[Application]:
    return list(
        with_overdue(Application.objects.filter(teacher=teacher))
        .select_related("cycle", "claimed_category", "current_category")
        .order_by("-cycle__application_opens", "-pk")
    )


@dataclass(frozen=True)
class Claim:
    """A category the teacher may claim in the cycle, and whether it confirms their own."""

    rule: CategoryRule
    confirming: bool

    @property
    def category(self) -> QualificationCategory:
        return self.rule.category


def claims(*, cycle: AttestationCycle, teacher: Teacher) -> list[Claim]:
    """What the teacher may claim, the next category first, then confirming the current."""
    result = [
        Claim(rule, rule.category_id == teacher.category_id)
        for rule in eligibility.claimable_rules(cycle=cycle, teacher=teacher)
    ]
    return sorted(result, key=lambda c: (c.confirming, c.category.rank))


def start_checklist(*, cycle, teacher, claimed, today=None) -> list[eligibility.Check]:
    """The checklist before there is an application: what the teacher's record and the cycle
    say about claiming `claimed`."""
    return eligibility.checklist(
        cycle=cycle, teacher=teacher, claimed=claimed, today=today or timezone.localdate()
    )


def application_checklist(
    application: Application, *, claimed=None, test_exemption=None, today=None
) -> list[eligibility.Check]:
    """The application's checklist, or a preview of it with another claimed category or
    test exemption (nothing is saved). Once submitted, the window no longer applies: the
    answer may come after it closes."""
    if claimed is not None or test_exemption is not None:
        application = copy.copy(application)
        if claimed is not None:
            application.claimed_category = claimed
        if test_exemption is not None:
            application.test_exemption = test_exemption
    checks = eligibility.checklist(
        cycle=application.cycle,
        teacher=application.teacher,
        claimed=application.claimed_category,
        application=application,
        today=today or timezone.localdate(),
    )
    if not application.is_editable:
        checks = [c for c in checks if c.code != "window"]
    return checks


@dataclass(frozen=True)
class PortfolioSection:
    criterion: str
    label: str
    items: list[EvidenceItem]


def portfolio(application: Application) -> list[PortfolioSection]:
    """The evidence in place (not removed), grouped under the portfolio's headings."""
    items: dict[str, list[EvidenceItem]] = {}
    for item in application.evidence.filter(removed_at__isnull=True).order_by("pk"):
        items.setdefault(item.criterion, []).append(item)
    return [
        PortfolioSection(value, label, items[value])
        for value, label in Criterion.choices
        if value in items
    ]


def application_observations(application: Application) -> list[LessonObservation]:
    return list(
        LessonObservation.objects.filter(teacher_id=application.teacher_id, cycle=application.cycle)
        .select_related("observer", "subject")
        .order_by("-observed_on", "-pk")
    )


def application_history(application: Application) -> list[ApplicationEvent]:
    return list(application.events.select_related("actor").order_by("at", "pk"))


def application_versions(application: Application) -> list[ApplicationVersion]:
    return list(application.versions.select_related("submitted_by").order_by("number"))


def evidence_get(*, user, pk: int) -> EvidenceItem:
    """One evidence item of an application the user may see (removed ones too: a kept
    version still shows them), or of one before a commission they sit on; raises
    EvidenceItem.DoesNotExist otherwise."""
    seats = [commission_id for commission_id, _role in commission_seats(user)]
    return EvidenceItem.objects.select_related(
        "application__organization__district", "application__teacher"
    ).get(
        Q(application__in=application_list(user).values("pk"))
        | Q(application__commission_id__in=seats),
        pk=pk,
    )


@dataclass(frozen=True)
class VersionEvidence:
    item_id: int
    criterion: str
    title: str
    level: str
    is_winner: bool
    file_type: str
    item: EvidenceItem | None


@dataclass(frozen=True)
class VersionView:
    """A submitted version, its snapshot made readable."""

    version: ApplicationVersion
    claimed_category: QualificationCategory | None
    current_category: QualificationCategory | None
    test_exemption: str
    essay_language: str
    essay_text: str
    evidence: list[VersionEvidence]

    @property
    def essay_words(self) -> int:
        return len(self.essay_text.split())


def application_version(*, application: Application, number: int) -> VersionView:
    """Raises ApplicationVersion.DoesNotExist for a number the application never had."""
    version = application.versions.select_related("submitted_by").get(number=number)
    snapshot = version.snapshot
    codes = [snapshot.get("claimed_category"), snapshot.get("current_category")]
    categories = {c.code: c for c in QualificationCategory.objects.filter(code__in=codes)}
    entries = snapshot.get("evidence", [])
    items = EvidenceItem.objects.filter(
        application=application, pk__in=[e["id"] for e in entries]
    ).in_bulk()
    criteria, levels = dict(Criterion.choices), dict(EvidenceLevel.choices)
    exemptions = dict(Application.TestExemption.choices)
    languages = dict(Application._meta.get_field("essay_language").choices)
    return VersionView(
        version=version,
        claimed_category=categories.get(codes[0]),
        current_category=categories.get(codes[1]),
        test_exemption=str(exemptions.get(snapshot.get("test_exemption", ""), "")),
        essay_language=str(languages.get(snapshot.get("essay_language"), "")),
        essay_text=snapshot.get("essay_text", ""),
        evidence=[
            VersionEvidence(
                item_id=e["id"],
                criterion=str(criteria.get(e["criterion"], e["criterion"])),
                title=e["title"],
                level=str(levels.get(e["level"], "")),
                is_winner=e["is_winner"],
                file_type=e["file_type"],
                item=items.get(e["id"]),
            )
            for e in entries
        ],
    )


# --- cycles, test results and lesson observations --------------------------------------------

_TEACHER_THING_SCOPE = {
    "organization": "teacher__organization",
    "district": "teacher__organization__district",
    "region": "teacher__organization__district__region",
}


def cycle_list(user) -> QuerySet[AttestationCycle]:
    """The cycles a signed-in user sees: of the regions their staff scope reaches into
    (`visible_cycles`) and of the region of their own teacher record."""
    if not user.is_authenticated:
        return AttestationCycle.objects.none()
    own_regions = Region.objects.filter(districts__organizations__teachers__user=user)
    return AttestationCycle.objects.filter(
        Q(pk__in=visible_cycles(user).values("pk")) | Q(region__in=own_regions.values("pk"))
    ).select_related("region")


def cycle_get(*, user, pk: int) -> AttestationCycle:
    """Raises AttestationCycle.DoesNotExist for a cycle the user does not see."""
    return cycle_list(user).get(pk=pk)


def cycle_rules_for_edit(cycle: AttestationCycle) -> QuerySet[CategoryRule]:
    """The cycle's table of category rules in the order the defaults list them: the
    teachers' ladder, then the heads' and the deputy heads'."""
    return cycle.rules.select_related("category").order_by("pk")


def cycle_rules(cycle: AttestationCycle) -> list[CategoryRule]:
    return list(cycle_rules_for_edit(cycle).prefetch_related("from_categories"))


def cycle_regions(user) -> QuerySet[Region]:
    """The regions whose cycles the user prepares: a regional administrator's own."""
    if user.is_superuser:
        return Region.objects.all()
    region_ids = {
        a.region_id for a in role_assignments(user) if a.role == Role.REGION_ADMIN and a.region_id
    }
    return Region.objects.filter(pk__in=region_ids)


def teacher_search_q(value: str, *, prefix: str = "") -> Q:
    """A name or IIN search, as the teacher list does it: digits search the IIN (a prefix
    of it), words the folded full name."""
    value = normalize_search(value)
    compact = value.replace(" ", "")
    if compact.isdigit():
        lookup = "iin" if len(compact) == 12 else "iin__startswith"
        return Q(**{f"{prefix}{lookup}": compact})
    q = Q()
    for word in value.split(" ")[:4]:
        q &= Q(**{f"{prefix}search_text__contains": word})
    return q


def teacher_find(*, user, iin: str = "", pk: int | None = None) -> Teacher | None:
    """A teacher the user may see, by IIN or by id; None when there is none."""
    teachers = visible_teachers(user).select_related(
        "organization__district", "position", "category", "user"
    )
    if pk is not None:
        return teachers.filter(pk=pk).first()
    return teachers.filter(iin=iin).first() if iin else None


def test_result_list(
    user, *, search: str = "", taken_from=None, taken_until=None, min_percent=None
) -> QuerySet[TestResult]:
    """Test results of the teachers in the user's scope as staff, and their own; filtered
    by a name or IIN, a range of test dates and a lowest percentage."""
    if not user.is_authenticated:
        return TestResult.objects.none()
    scope = read_scope(user)
    results = TestResult.objects.all()
    if not scope.everything:
        results = results.filter(scope.q(**_TEACHER_THING_SCOPE) | Q(teacher__user=user))
    if search:
        results = results.filter(teacher_search_q(search, prefix="teacher__"))
    if taken_from:
        results = results.filter(taken_on__gte=taken_from)
    if taken_until:
        results = results.filter(taken_on__lte=taken_until)
    if min_percent is not None:
        # score / max >= p / 100, multiplied out: no division, exact on every database.
        results = results.alias(hundredfold=F("score") * 100).filter(
            hundredfold__gte=F("max_score") * min_percent
        )
    return results.select_related("teacher__organization", "language", "created_by").order_by(
        "-taken_on", "-pk"
    )


def test_result_imports(user) -> QuerySet[TestResultImport]:
    """The test-result imports the user uploaded (a superuser sees all)."""
    jobs = TestResultImport.objects.select_related("created_by")
    return jobs if user.is_superuser else jobs.filter(created_by_id=user.pk)


def test_result_import_get(*, user, pk: int) -> TestResultImport:
    """Raises TestResultImport.DoesNotExist for an import the user did not upload."""
    return test_result_imports(user).get(pk=pk)


def observation_list(
    user, *, search: str = "", cycle=None, teacher_id: int | None = None
) -> QuerySet[LessonObservation]:
    """Observation sheets the user entered, those of the teachers in their scope as staff,
    and (a teacher) those of their own lessons."""
    if not user.is_authenticated:
        return LessonObservation.objects.none()
    scope = read_scope(user)
    observations = LessonObservation.objects.all()
    if not scope.everything:
        observations = observations.filter(
            Q(observer=user) | Q(teacher__user=user) | scope.q(**_TEACHER_THING_SCOPE)
        )
    if search:
        observations = observations.filter(teacher_search_q(search, prefix="teacher__"))
    if cycle is not None:
        observations = observations.filter(cycle=cycle)
    if teacher_id is not None:
        observations = observations.filter(teacher_id=teacher_id)
    return observations.select_related("teacher", "observer", "cycle", "subject").order_by(
        "-observed_on", "-pk"
    )


def observation_get(*, user, pk: int) -> LessonObservation:
    """Raises LessonObservation.DoesNotExist for a sheet the user does not see."""
    return (
        observation_list(user)
        .select_related("teacher__organization__district", "teacher__user")
        .get(pk=pk)
    )


def observation_scores(observation: LessonObservation) -> list[tuple[str, int]]:
    """(criterion, score) in the order of the cycle's sheet; a score of a criterion since
    removed from the sheet keeps its code."""
    scores = dict(observation.scores)
    rows = [
        (criterion.title, scores.pop(criterion.code))
        for criterion in observation.cycle.observation_criteria.all()
        if criterion.code in scores
    ]
    return rows + sorted(scores.items())
