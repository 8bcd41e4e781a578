"""Demo attestation: the region's open cycle with its default rules, test results, lesson
observations and applications of the demo district in every state (draft, submitted,
overdue, returned, refused, accepted; then, in commissions.py, reviewed, corrected,
scheduled, decided, recorded, disqualified), built through the real services like a
year's work would be."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from apps.attestation import eligibility
from apps.attestation import services as attestation
from apps.attestation.models import (
    AgendaItem,
    Appeal,
    AppealEvent,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryCertificate,
    CategoryFreeze,
    CategoryGrant,
    CategoryRule,
    Commission,
    CommissionMember,
    CommissionSession,
    Decision,
    DocumentJob,
    EvidenceItem,
    ExpiryNotice,
    LessonObservation,
    ObservationCriterion,
    Order,
    Review,
    ReviewCriterion,
    Sanction,
    TestResult,
    TestResultImport,
    Vote,
)
from apps.courses.models import ExternalTraining
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import Position, Teacher

from .commissions import seed_commissions
from .courses import placeholder_scan

ESSAY_KK = (
    "Мұғалімнің кәсіби өсуі – оқушының табысына апаратын ең сенімді жол. Соңғы жылдары мен "
    "сабақтарымда функционалдық сауаттылықты дамытуға ерекше көңіл бөлдім. "
)
# The share of applicants in each outcome, in the order they are made.
OUTCOMES = (
    ("accepted", 20),
    ("submitted", 6),
    ("overdue", 3),
    ("returned", 2),
    ("refused", 2),
    ("draft", 4),
)


def seed_attestation(
    *, rng, actor, school_admin, methodologist, member, demo_teacher_id: int
) -> dict:
    today = timezone.localdate()
    start_year = today.year if today.month >= 9 else today.year - 1
    cycle = attestation.cycle_create(
        actor=actor,
        region=actor.role_assignments.get(role="region_admin").region,
        school_year=f"{start_year}-{start_year + 1}",
        application_opens=today - dt.timedelta(days=20),
        application_closes=today + dt.timedelta(days=40),
        review_starts=dt.date(start_year + 1, 1, 10),
        review_ends=dt.date(start_year + 1, 8, 20),
        essay_topic_kk="Функционалдық сауаттылықты дамытудағы менің тәжірибем",
        essay_topic_ru="Мой опыт развития функциональной грамотности учащихся",
    )
    cycle = attestation.cycle_set_status(cycle=cycle, actor=actor, status="open")
    applicants = _applicants(cycle, demo_teacher_id, school_admin)
    kk = InstructionLanguage.objects.get(code="kk")
    made = 0
    plan = [outcome for outcome, count in OUTCOMES for _ in range(count)]
    school = school_admin.role_assignments.get(role="school_admin").organization
    for teacher, outcome in zip(applicants, plan, strict=False):
        # The school's administrator acts for the demo school, the methodologist for others.
        staff = school_admin if teacher.organization_id == school.pk else methodologist
        observers = (staff, methodologist)
        _observations(rng, cycle, teacher, observers=observers, today=today)
        rules = eligibility.claimable_rules(cycle=cycle, teacher=teacher)
        rule = rules[-1] if rng.random() < 0.2 else rules[0]
        application = attestation.application_start(
            cycle=cycle, teacher=teacher, claimed_category=rule.category, actor=staff
        )
        made += 1
        if outcome == "draft":
            continue
        _complete(rng, application, rule=rule, actor=staff, language=kk, today=today)
        application = attestation.application_submit(application=application, actor=staff)
        if outcome == "overdue":
            Application.objects.filter(pk=application.pk).update(
                accept_due_on=today - dt.timedelta(days=rng.randint(1, 4))
            )
        elif outcome == "accepted":
            attestation.application_accept(application=application, actor=staff)
        elif outcome == "returned":
            attestation.application_return(
                application=application,
                actor=staff,
                comment="Эссе тақырыпқа сәйкес емес, қайта жазыңыз.",
            )
        elif outcome == "refused":
            attestation.application_refuse(
                application=application,
                actor=staff,
                reason="Санат туралы бұйрықтың көшірмесі оқылмайды.",
            )
    # The demo teacher's own draft, for the teacher account to fill in.
    demo_teacher = Teacher.objects.select_related("position", "category", "user").get(
        pk=demo_teacher_id
    )
    rules = eligibility.claimable_rules(cycle=cycle, teacher=demo_teacher)
    if rules and not Application.objects.filter(cycle=cycle, teacher=demo_teacher).exists():
        attestation.application_start(
            cycle=cycle,
            teacher=demo_teacher,
            claimed_category=rules[0].category,
            actor=demo_teacher.user,
        )
        made += 1
    seed_commissions(
        rng=rng,
        cycle=cycle,
        region_admin=actor,
        school_admin=school_admin,
        methodologist=methodologist,
        member=member,
    )
    return {"applications": made}


def _applicants(cycle, demo_teacher_id: int, school_admin) -> list[Teacher]:
    """Teachers of the demo school, then of the rest of its district, who can claim a
    category (the staff apply on their behalf)."""
    organization = school_admin.role_assignments.get(role="school_admin").organization
    # Those whose category is at least two years old (earlier is "early attestation").
    two_years_ago = timezone.localdate() - dt.timedelta(days=2 * 365)
    teachers = (
        Teacher.objects.filter(
            Q(category_awarded_on__isnull=True) | Q(category_awarded_on__lte=two_years_ago),
            organization__district_id=organization.district_id,
            position__staff_group=Position.StaffGroup.SCHOOL,
            experience_start__isnull=False,
        )
        .exclude(pk=demo_teacher_id)
        .select_related("position", "category", "organization")
        .annotate(elsewhere=~Q(organization=organization))
        .order_by("elsewhere", "pk")
    )
    wanted = sum(count for _outcome, count in OUTCOMES)
    chosen = []
    for teacher in teachers:
        if eligibility.claimable_rules(cycle=cycle, teacher=teacher):
            chosen.append(teacher)
        if len(chosen) == wanted:
            break
    return chosen


def _observations(rng, cycle, teacher, *, observers, today) -> None:
    codes = list(cycle.observation_criteria.values_list("code", flat=True))
    for n in range(rng.randint(2, 5)):
        attestation.observation_create(
            actor=observers[n % len(observers)],
            cycle=cycle,
            teacher=teacher,
            scores={code: rng.randint(1, 3) for code in codes},
            observed_on=today - dt.timedelta(days=rng.randint(3, 60)),
            grade=f"{rng.randint(5, 11)}«{rng.choice('АӘБВ')}»",
            topic="Функционалдық сауаттылық: мәтінмен жұмыс",
        )


def _complete(rng, application, *, rule: CategoryRule, actor, language, today) -> None:
    """What a complete application needs: PD hours, a passing test, the essay, documents."""
    teacher = application.teacher
    needed = eligibility.pd_hours_needed(teacher, rule)
    since = eligibility.pd_period_start(teacher, today)
    ends = today - dt.timedelta(days=rng.randint(0, max(0, (today - since).days - 20)))
    ExternalTraining.objects.create(
        teacher=teacher,
        title="Жаңартылған білім беру мазмұны аясындағы біліктілікті арттыру курсы",
        provider_name="«Өрлеу» БАҰО",
        number=f"ORL-EXT-{teacher.pk}",
        hours=needed,
        starts_on=max(since, ends - dt.timedelta(days=14)),
        ends_on=ends,
        file=placeholder_scan("PD certificate"),
        file_type="pdf",
        status=ExternalTraining.Status.CONFIRMED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    percent = rng.randint(rule.test_pass_percent, 100)
    TestResult.objects.create(
        teacher=teacher,
        taken_on=today - dt.timedelta(days=rng.randint(10, 200)),
        language=language,
        score=Decimal(percent) / 2,
        max_score=Decimal(50),
        certificate_number=f"ҰТО-{teacher.iin[-6:]}-{teacher.pk}",
        source=TestResult.Source.IMPORT,
    )
    words = ESSAY_KK.split()
    essay = " ".join(words[i % len(words)] for i in range(rng.randint(255, 295)))
    attestation.application_update(
        application=application, actor=actor, essay_text=essay, essay_language="kk"
    )
    attestation.evidence_add(
        application=application,
        actor=actor,
        file=placeholder_scan("Diploma"),
        criterion="diploma",
        title="Жоғары білім туралы диплом",
    )
    if teacher.category_id:
        attestation.evidence_add(
            application=application,
            actor=actor,
            file=placeholder_scan("Category"),
            criterion="category_document",
            title="Санат туралы куәлік пен бұйрық",
        )
    attestation.evidence_add(
        application=application,
        actor=actor,
        file=placeholder_scan("Olympiad"),
        criterion="student_contests",
        title="Оқушының аудандық олимпиададағы II орны",
        level="district",
        is_winner=True,
    )


def demo_attestation_delete() -> None:
    """Delete every attestation row (children first)."""
    for model in (
        AppealEvent,
        Appeal,
        CategoryCertificate,
        DocumentJob,
        Vote,
        Decision,
        AgendaItem,
        CommissionSession,
        Order,
        Review,
        Sanction,
        CategoryGrant,
        ExpiryNotice,
        ApplicationEvent,
        ApplicationVersion,
        EvidenceItem,
        Application,
        CommissionMember,
        Commission,
        LessonObservation,
        ObservationCriterion,
        ReviewCriterion,
        TestResult,
        TestResultImport,
        CategoryFreeze,
        CategoryRule,
        AttestationCycle,
    ):
        model.objects.all().delete()
