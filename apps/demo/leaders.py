"""Demo "1000 leaders": the programme with last year's intake carried all the way through
(five stages decided, training with attendance, internships, reports and reviews, the
reserve, about 78% of reservists appointed head or deputy, vacancies filled and a few still
open) and this year's intake in selection, all through the real services.

The services work on "today", so each past step is done now and its dates are moved back
afterwards with queryset updates (windows, stage decisions, the decision log, reports and
the history rows of the appointments), as the attestation and course demos do.

Applicants must apply themselves (candidate_apply wants the teacher's own account): the
chosen teachers get demo accounts, leader001@demo.ustaz.kz and on (removed with the other
demo logins), with a verified e-mail and the teacher role, the password hashed once.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import role_assignment_create
from apps.leaders import services as leaders
from apps.leaders.models import (
    Appointment,
    Candidate,
    CandidateEvent,
    Intake,
    Internship,
    Module,
    ModuleAttendance,
    Programme,
    ReflectiveReport,
    ReportReview,
    Stage,
    StageResult,
    Vacancy,
)
from apps.organizations.models import Organization
from apps.teachers.models import Position, Teacher

PROGRAMME_KK = "Білім берудегі өзгерістердің 1000 көшбасшысы"
PROGRAMME_RU = "1000 лидеров изменений в образовании"
ELIGIBLE_POSITIONS = ("teacher", "deputy-director")
DEMO_DISTRICT_SHARE = 0.3  # of applicants from Түркістан қаласы, where the demo staff work
STOP_SHARE = 0.08  # of candidates below the pass score at each stage
APPOINTED_SHARE = 0.78  # Turkestan region's reported share (DOMAIN.md)
HEAD_SHARE = 0.3  # of appointments; the rest are deputies
OPEN_VACANCIES = 4
MODULES = (
    ("basic", "Өзгерістер көшбасшысы: негіздер", "Лидер изменений: основы"),
    ("expert", "Мектепті дамыту жоспары", "План развития школы"),
    (
        "professional",
        "Педагогтерді басқару және тәлімгерлік",
        "Управление педагогами и наставничество",
    ),
)
MOTIVATION = (
    "Мектебімізде оқушылардың функционалдық сауаттылығын арттыру жобасын бастадым; енді "
    "бүкіл ұжымды өзгеріске жетелегім келеді."
)
REPORT = "Тағылымдамада озық мектептің басқару тәжірибесін зерттеп, өз мектебіме бейімдедім."
REFLECTION = (
    "Бағдарлама барысында көшбасшылық стилімді қайта қарадым: шешімдерді ұжыммен бірге "
    "қабылдау, кері байланыс және деректерге сүйену."
)


def seed_leaders(*, rng, actor, demo_teacher_id: int) -> dict[str, int]:
    today = timezone.localdate()
    region = actor.role_assignments.get(role=Role.REGION_ADMIN).region
    programme = Programme.objects.create(region=region, name_kk=PROGRAMME_KK, name_ru=PROGRAMME_RU)
    positions = list(Position.objects.filter(code__in=ELIGIBLE_POSITIONS))
    # ~30-60 applicants last year and 20-40 this year, by the size of the demo.
    size = Teacher.objects.count()
    past_count, current_count = min(60, max(30, size // 60)), min(40, max(20, size // 100))
    teachers = _eligible_teachers(
        rng,
        region=region,
        demo_teacher_id=demo_teacher_id,
        today=today,
        count=past_count + current_count,
    )
    past_count = round(len(teachers) * past_count / (past_count + current_count))
    people = _accounts(teachers)
    schools = defaultdict(list)
    for school in Organization.objects.filter(
        kind=Organization.Kind.SCHOOL, district__region=region
    ).select_related("district"):
        schools[school.district_id].append(school)
    past = _past_intake(
        rng,
        actor=actor,
        programme=programme,
        positions=positions,
        people=people[:past_count],
        schools=schools,
        today=today,
    )
    current = _current_intake(
        rng,
        actor=actor,
        programme=programme,
        positions=positions,
        people=people[past_count:],
        today=today,
    )
    return {"past_intake": past.pk, "current_intake": current.pk}


def _eligible_teachers(rng, *, region, demo_teacher_id: int, today, count: int) -> list:
    """`count` teachers and deputies without an account, two years or more in the job
    (fewer in a tiny demo); about a third from the demo district, chosen by the seed."""
    from .seed import DEMO_DISTRICT_KATO

    rows = list(
        Teacher.objects.filter(
            organization__district__region=region,
            position__code__in=ELIGIBLE_POSITIONS,
            user__isnull=True,
            experience_start__lte=today - dt.timedelta(days=2 * 365),
        )
        .exclude(pk=demo_teacher_id)
        .values_list("pk", "organization__district__kato")
        .order_by("pk")
    )
    local = [pk for pk, kato in rows if kato == DEMO_DISTRICT_KATO]
    other = [pk for pk, kato in rows if kato != DEMO_DISTRICT_KATO]
    rng.shuffle(local)
    rng.shuffle(other)
    take_local = min(len(local), round(count * DEMO_DISTRICT_SHARE))
    ids = local[:take_local] + other[: count - take_local]
    rng.shuffle(ids)
    teachers = Teacher.objects.select_related("organization__district", "position").in_bulk(ids)
    return [teachers[pk] for pk in ids]


def _accounts(teachers: list[Teacher]) -> list[tuple[Teacher, User]]:
    """A verified demo login with the teacher role for each, linked to the record."""
    from .seed import DEMO_EMAIL_DOMAIN

    password = make_password(settings.DEMO_PASSWORD)  # hashing once: it is the slow part
    users = User.objects.bulk_create(
        User(
            email=f"leader{n:03d}@{DEMO_EMAIL_DOMAIN}",
            password=password,
            first_name=teacher.first_name,
            last_name=teacher.last_name,
            preferred_language="kk",
        )
        for n, teacher in enumerate(teachers, start=1)
    )
    users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("email"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    for teacher, user in zip(teachers, users, strict=True):
        role_assignment_create(user=user, role=Role.TEACHER)
        teacher.user = user
    Teacher.objects.bulk_update(teachers, ["user"])  # an account link, not a record change
    return list(zip(teachers, users, strict=True))


def _open_intake(*, actor, programme, positions, year, capacity, today) -> Intake:
    intake = leaders.intake_create(
        actor=actor,
        programme=programme,
        positions=positions,
        year=year,
        application_opens=today - dt.timedelta(days=5),
        application_closes=today + dt.timedelta(days=5),
        capacity=capacity,
    )
    return leaders.intake_set_status(intake=intake, actor=actor, status="applications")


def _apply(intake, people) -> dict[int, tuple[Teacher, User]]:
    by_candidate = {}
    for teacher, user in people:
        candidate = leaders.candidate_apply(
            intake=intake, teacher=teacher, actor=user, motivation=MOTIVATION
        )
        by_candidate[candidate.pk] = (teacher, user)
    return by_candidate


def _score_stage(rng, stage: Stage, *, actor, share: float = 1.0) -> None:
    """Scores for (a share of) the candidates still in selection: most pass."""
    alive = Candidate.objects.filter(intake_id=stage.intake_id, status="applied").order_by("pk")
    scores = {}
    for candidate in alive:
        if rng.random() >= share:
            continue
        low, high = int(stage.pass_score), int(stage.max_score)
        if rng.random() < STOP_SHARE:
            low, high = 0, low - 1
        scores[candidate.pk] = Decimal(rng.randint(low, high))
    leaders.stage_scores_record(stage=stage, scores=scores, actor=actor)


def _at(day: dt.date, hour: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _past_intake(rng, *, actor, programme, positions, people, schools, today) -> Intake:
    """Last year's intake, from applications to appointments."""
    opens = today - dt.timedelta(days=430)
    closes = opens + dt.timedelta(days=20)
    decided = [closes + dt.timedelta(days=12 * n) for n in range(1, 6)]  # the five stages
    reserve_from = today - dt.timedelta(days=160)
    intake = _open_intake(
        actor=actor,
        programme=programme,
        positions=positions,
        year=opens.year,
        capacity=round(len(people) * 0.45),
        today=today,
    )
    by_candidate = _apply(intake, people)
    intake = leaders.intake_set_status(intake=intake, actor=actor, status="selection")
    stages = list(intake.stages.order_by("order"))
    for stage in stages:
        _score_stage(rng, stage, actor=actor)
        leaders.stage_decide(stage=stage, actor=actor)
    intake = leaders.intake_set_status(intake=intake, actor=actor, status="training")
    _train(rng, intake, actor=actor, by_candidate=by_candidate, schools=schools, end=reserve_from)
    leaders.training_complete(intake=intake, actor=actor, today=reserve_from)
    intake = leaders.intake_set_status(intake=intake, actor=actor, status="finished")
    appointed = _appoint(rng, intake, actor=actor, schools=schools, today=today)
    # The past, moved back to when it happened.
    Intake.objects.filter(pk=intake.pk).update(application_opens=opens, application_closes=closes)
    events = CandidateEvent.objects.filter(candidate__intake=intake)
    events.filter(to_status="applied").update(at=_at(closes - dt.timedelta(days=3)))
    for stage, day in zip(stages, decided, strict=True):
        Stage.objects.filter(pk=stage.pk).update(closed_at=_at(day, 16))
        StageResult.objects.filter(stage=stage).update(recorded_at=_at(day - dt.timedelta(days=2)))
        events.filter(to_status="stopped", candidate__stopped_at=stage).update(at=_at(day, 16))
    events.filter(to_status="admitted").update(at=_at(decided[-1], 16))
    events.filter(to_status__in=("completed", "not_completed", "reserve")).update(
        at=_at(reserve_from, 15)
    )
    report_day = _at(reserve_from - dt.timedelta(days=25))
    Internship.objects.filter(candidate__intake=intake).update(report_submitted_at=report_day)
    ReflectiveReport.objects.filter(candidate__intake=intake).update(
        submitted_at=report_day, created_at=report_day, updated_at=report_day
    )
    ReportReview.objects.filter(report__candidate__intake=intake).update(
        reviewed_at=_at(reserve_from - dt.timedelta(days=10))
    )
    history = Teacher.history.model.objects
    for appointment in appointed:
        when = _at(appointment.appointed_on, 12)
        events.filter(candidate=appointment.candidate_id, to_status="appointed").update(at=when)
        history.filter(id=appointment.candidate.teacher_id, history_type="~").update(
            history_date=when
        )
    return intake


def _train(rng, intake, *, actor, by_candidate, schools, end: dt.date) -> None:
    """Three modules with attendance, an internship at another school of the district with
    its report, and a scored reflective report; a few fall short (absences, a weak or
    missing report)."""
    starts = end - dt.timedelta(days=170)
    participants = list(
        Candidate.objects.filter(intake=intake, status="admitted")
        .select_related("organization")
        .order_by("pk")
    )
    often_absent = {c.pk for c in participants if rng.random() < 0.06}
    for n, (level, title_kk, title_ru) in enumerate(MODULES):
        module_start = starts + dt.timedelta(days=50 * n)
        module = Module.objects.create(
            intake=intake,
            level=level,
            title_kk=title_kk,
            title_ru=title_ru,
            starts_on=module_start,
            ends_on=module_start + dt.timedelta(days=4),
        )
        present = {c.pk for c in participants if c.pk not in often_absent}
        leaders.module_attendance_mark(module=module, present=present, actor=actor)
    for candidate in participants:
        _teacher, user = by_candidate[candidate.pk]
        district_schools = schools[candidate.organization.district_id]
        hosts = [s for s in district_schools if s.pk != candidate.organization_id]
        leaders.internship_set(
            candidate=candidate,
            actor=actor,
            host=rng.choice(hosts or district_schools),
            starts_on=end - dt.timedelta(days=45),
            ends_on=end - dt.timedelta(days=35),
        )
        if rng.random() < 0.04:
            continue  # no reports: does not complete
        leaders.internship_report_submit(candidate=candidate, actor=user, report=REPORT)
        report = leaders.reflective_report_submit(candidate=candidate, actor=user, text=REFLECTION)
        weak = rng.random() < 0.05
        leaders.report_review(
            report=report,
            actor=actor,
            score=Decimal(rng.randint(35, 55) if weak else rng.randint(65, 95)),
            comment="Рефлексия нақты мысалдармен дәлелденген.",
        )


def _appoint(rng, intake, *, actor, schools, today) -> list[Appointment]:
    """About 78% of the reservists appointed at a school of their district, half of them
    to a vacancy opened before; a few vacancies left open where reservists remain."""
    reservists = list(
        Candidate.objects.filter(intake=intake, status="reserve")
        .select_related("teacher", "organization__district")
        .order_by("pk")
    )
    rng.shuffle(reservists)
    count = round(len(reservists) * APPOINTED_SHARE)
    appointments = []
    for n, candidate in enumerate(reservists[:count], start=1):
        post = "head" if rng.random() < HEAD_SHARE else "deputy"
        organization = rng.choice(schools[candidate.organization.district_id])
        appointed_on = candidate.reserve_from + dt.timedelta(
            days=rng.randint(10, min(120, (today - candidate.reserve_from).days))
        )
        vacancy = None
        if n % 2:
            vacancy = leaders.vacancy_create(
                actor=actor,
                organization=organization,
                post=post,
                opened_on=appointed_on - dt.timedelta(days=rng.randint(14, 60)),
            )
        appointments.append(
            leaders.appointment_record(
                candidate=candidate,
                actor=actor,
                post=post,
                organization=organization,
                appointed_on=appointed_on,
                order_number=f"№ {rng.randint(10, 250)}-ж/қ",
                vacancy=vacancy,
            )
        )
    waiting = reservists[count:]
    for candidate in waiting[:OPEN_VACANCIES]:
        leaders.vacancy_create(
            actor=actor,
            organization=rng.choice(schools[candidate.organization.district_id]),
            post=rng.choice(("head", "deputy")),
            opened_on=today - dt.timedelta(days=rng.randint(5, 40)),
        )
    return appointments


def _current_intake(rng, *, actor, programme, positions, people, today) -> Intake:
    """This year's intake: applications taken, two stages decided, the written task being
    scored."""
    opens, closes = today - dt.timedelta(days=45), today - dt.timedelta(days=15)
    intake = _open_intake(
        actor=actor,
        programme=programme,
        positions=positions,
        year=today.year,
        capacity=max(10, round(len(people) * 0.4)),
        today=today,
    )
    _apply(intake, people)
    intake = leaders.intake_set_status(intake=intake, actor=actor, status="selection")
    first, second, third = list(intake.stages.order_by("order"))[:3]
    for stage in (first, second):
        _score_stage(rng, stage, actor=actor)
        leaders.stage_decide(stage=stage, actor=actor)
    _score_stage(rng, third, actor=actor, share=0.6)
    Intake.objects.filter(pk=intake.pk).update(application_opens=opens, application_closes=closes)
    events = CandidateEvent.objects.filter(candidate__intake=intake)
    events.filter(to_status="applied").update(at=_at(closes - dt.timedelta(days=4)))
    for stage, day in (
        (first, closes + dt.timedelta(days=5)),
        (second, today - dt.timedelta(days=2)),
    ):
        Stage.objects.filter(pk=stage.pk).update(closed_at=_at(day, 16))
        events.filter(to_status="stopped", candidate__stopped_at=stage).update(at=_at(day, 16))
    return intake


def demo_leaders_delete() -> None:
    """Delete every "1000 leaders" row (children first; the teachers' history stays with
    the teachers, deleted after this)."""
    Vacancy.objects.all().delete()
    Appointment.objects.all().delete()
    CandidateEvent.objects.all().delete()
    ModuleAttendance.objects.all().delete()
    Candidate.objects.all().delete()  # with results, internships, mentoring and reports
    Intake.objects.all().delete()  # with stages and modules
    Programme.objects.all().delete()
