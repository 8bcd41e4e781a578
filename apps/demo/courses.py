"""Demo PD courses: three providers, a catalogue, and runs in every state (open, full with a
waitlist, awaiting approval, in progress, finished awaiting results, completed with
certificates issued, revoked and re-issued, cancelled), built through the real services so
that seats, history and certificates are exactly what users would have made.

Runs in the past are made as future runs, filled, then moved back in time (dates and
session days together) before their attendance and results are recorded.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from apps.certificates import services as certificates
from apps.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateEvent,
    RegisterCounter,
)
from apps.courses import services as courses
from apps.courses.models import (
    Attendance,
    Course,
    CourseRun,
    DistrictQuota,
    Enrolment,
    EnrolmentEvent,
    ExternalTraining,
    Provider,
    RunSession,
)
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import Position, Subject, Teacher
from apps.teachers.services import teacher_update

# fmt: off
PROVIDERS = (
    # code, BIN, Kazakh name, Russian name
    ("ORL", "«Өрлеу» біліктілікті арттыру ұлттық орталығы» АҚ Түркістан облысы бойынша филиалы",
     "Филиал АО «НЦПК «Өрлеу» по Туркестанской области"),
    ("CPM", "«Назарбаев Зияткерлік мектептері» ДББҰ Педагогикалық шеберлік орталығы",
     "Центр педагогического мастерства АОО «Назарбаев Интеллектуальные школы»"),
    ("MKTU", "Қожа Ахмет Ясауи атындағы Халықаралық қазақ-түрік университеті",
     "Международный казахско-турецкий университет имени Ходжи Ахмеда Ясави"),
)
# provider, hours, format, language, subjects, positions, Kazakh title, Russian title
COURSES = (
    ("ORL", 72, "in_person", "kk", ("kazakh-language", "kazakh-literature"), ("teacher",),
     "Қазақ тілі мен әдебиетін оқытудағы жаңа тәсілдер",
     "Новые подходы в преподавании казахского языка и литературы"),
    ("ORL", 72, "blended", "kk", ("mathematics",), ("teacher",),
     "Математиканы оқытуда функционалдық сауаттылықты дамыту",
     "Развитие функциональной грамотности на уроках математики"),
    ("ORL", 36, "online", "ru", (), ("teacher", "primary-teacher"),
     "Инклюзивті білім беру: ерекше білім беру қажеттіліктері бар оқушыларды қолдау",
     "Инклюзивное образование: поддержка учащихся с особыми образовательными потребностями"),
    ("ORL", 80, "in_person", "kk", ("primary",), ("primary-teacher",),
     "Бастауыш сыныпта критериалды бағалау",
     "Критериальное оценивание в начальной школе"),
    ("CPM", 108, "blended", "kk", ("physics", "chemistry", "biology"), ("teacher",),
     "Жаратылыстану пәндерін ағылшын тілінде оқыту (CLIL)",
     "Преподавание естественных дисциплин на английском языке (CLIL)"),
    ("CPM", 80, "in_person", "ru", (), ("director", "deputy-director"),
     "Мектептегі білім беру үдерісін басқару: көшбасшылық және өзгерістер",
     "Управление образовательным процессом в школе: лидерство и изменения"),
    ("CPM", 72, "online", "kk", ("informatics",), ("teacher",),
     "Информатиканы оқытуда цифрлық құралдар мен робототехника",
     "Цифровые инструменты и робототехника в преподавании информатики"),
    ("MKTU", 36, "online", "kk", ("history-kz", "world-history"), ("teacher",),
     "Қазақстан тарихын оқытудағы дереккөздермен жұмыс",
     "Работа с историческими источниками на уроках истории Казахстана"),
    ("MKTU", 72, "in_person", "ru", ("english",), ("teacher",),
     "Ағылшын тілін коммуникативтік әдіспен оқыту",
     "Коммуникативная методика преподавания английского языка"),
)
# fmt: on


@dataclass(frozen=True)
class RunPlan:
    course: int  # index in COURSES
    group: str  # the group's letter; the code is the start month and this letter
    starts_in: int  # days from today (negative: in the past)
    days: int
    capacity: int
    enrol: int  # teachers to enrol (beyond the capacity: the waitlist)
    outcome: str  # "open", "approval", "in_progress", "finished", "completed", "cancelled"


RUNS = (
    RunPlan(0, "A", -480, 11, 25, 22, "completed"),
    RunPlan(1, "A", -370, 11, 25, 24, "completed"),
    RunPlan(4, "A", -300, 18, 20, 20, "completed"),
    RunPlan(2, "A", -200, 5, 30, 26, "completed"),
    RunPlan(7, "A", -150, 5, 30, 18, "completed"),
    RunPlan(3, "A", -60, 12, 25, 21, "completed"),
    RunPlan(5, "A", -20, 12, 20, 16, "finished"),
    RunPlan(8, "A", -5, 12, 20, 18, "in_progress"),
    RunPlan(0, "A", 30, 11, 25, 12, "open"),
    RunPlan(1, "B", 35, 11, 20, 26, "open"),  # full, with a waitlist
    RunPlan(6, "A", 60, 11, 25, 8, "approval"),
    RunPlan(2, "B", 45, 5, 30, 10, "cancelled"),
)


def seed_courses(*, rng, actor, trainer, demo_teacher_id: int) -> dict[str, int]:
    """Build the demo catalogue and runs; `actor` is the regional administrator who manages
    them, `trainer` the provider staff account that teaches the demo runs."""
    today = timezone.localdate()
    providers = _providers(rng, trainer)
    languages = {code: InstructionLanguage.objects.get(code=code) for code in ("kk", "ru")}
    subjects = {s.code: s for s in Subject.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}
    courses_ = []
    for provider, hours, fmt, lang, subject_codes, position_codes, title_kk, title_ru in COURSES:
        course = Course.objects.create(
            provider=providers[provider],
            title_kk=title_kk,
            title_ru=title_ru,
            description_kk=f"{title_kk}. Курс диагностикадан басталып, қорытынды "
            "бағалаумен аяқталады.",
            description_ru=f"{title_ru}. Курс начинается с диагностики и завершается "
            "итоговой оценкой.",
            hours=hours,
            format=fmt,
            language=languages[lang],
            agreement_reference=f"ҚР ОМ № {rng.randint(100, 999)}-{rng.randint(10, 99)}",
        )
        course.target_subjects.set([subjects[c] for c in subject_codes if c in subjects])
        course.target_positions.set([positions[c] for c in position_codes if c in positions])
        courses_.append(course)
    pool = list(
        Teacher.objects.exclude(pk=demo_teacher_id).order_by("pk").values_list("pk", flat=True)
    )
    rng.shuffle(pool)
    teachers = Teacher.objects.select_related("organization").in_bulk([*pool, demo_teacher_id])
    used: dict[int, set] = {}
    counts = {"runs": 0, "enrolments": 0}
    for plan in RUNS:
        run = _create_run(plan, courses_[plan.course], actor=actor, trainer=trainer, today=today)
        chosen = _pick(pool, used, run, plan.enrol)
        if plan in (RUNS[0], RUNS[8]):
            # The demo teacher has a completed course with a certificate and an upcoming one.
            chosen = [demo_teacher_id, *chosen[:-1]]
        courses.enrolments_create(
            run=run, teachers=[teachers[pk] for pk in chosen], actor=actor, allow_overlap=True
        )
        if plan.outcome == "approval":
            # ... and a request of their own waiting for the school's approval.
            demo_teacher = Teacher.objects.select_related("user").get(pk=demo_teacher_id)
            courses.enrolment_create(run=run, teacher=demo_teacher, actor=demo_teacher.user)
        _advance(run, plan, rng=rng, actor=actor, today=today)
        counts["runs"] += 1
    # The management course asks for the inclusive-education one first (set after its runs
    # are filled, as a catalogue change would be).
    courses_[5].prerequisites.set([courses_[2]])
    _corrections(actor=actor)
    _external_trainings(rng, pool=pool, demo_teacher_id=demo_teacher_id, reviewer=actor)
    counts["enrolments"] = Enrolment.objects.count()
    counts["certificates"] = Certificate.objects.count()
    return counts


def _corrections(*, actor) -> None:
    """One certificate revoked (issued in error) and one re-issued after a name correction."""
    issued = list(
        Certificate.objects.filter(status=Certificate.Status.VALID)
        .exclude(teacher__user__isnull=False)
        .select_related("teacher")
        .order_by("pk")[:2]
    )
    if len(issued) < 2:
        return
    wrong, misspelt = issued
    certificates.certificate_revoke(
        certificate=wrong,
        actor=actor,
        reason="Қорытынды бағалау расталмады / Итоговая оценка не подтвердилась",
    )
    teacher = misspelt.teacher
    teacher_update(
        teacher=teacher,
        actor=actor,
        source="demo data",
        first_name=f"{teacher.first_name}а" if teacher.sex == "F" else f"{teacher.first_name}ұлы",
    )
    certificates.certificate_reissue(
        certificate=misspelt,
        actor=actor,
        reason="Аты-жөнінде қате / Ошибка в имени",
    )


def _external_trainings(rng, *, pool: list[int], demo_teacher_id: int, reviewer) -> None:
    """External PD certificates: the demo teacher's awaits review, others are reviewed."""
    today = timezone.localdate()
    titles = (
        ("«Цифрлық сауаттылық» онлайн курсы", "Coursera / Stanford University"),
        ("Оқу сауаттылығын дамыту стратегиялары", "«Білім-инновация» оқу орталығы"),
        ("Формативті бағалау практикасы", "Назарбаев Университеті ЖББМ"),
    )
    owners = [demo_teacher_id, *pool[-12:]]
    for index, teacher_id in enumerate(owners):
        title, provider = titles[index % len(titles)]
        ends = today - dt.timedelta(days=rng.randint(20, 700))
        if index == 0:
            status = ExternalTraining.Status.PENDING
        else:
            status = rng.choice(
                [ExternalTraining.Status.PENDING] * 2
                + [ExternalTraining.Status.CONFIRMED] * 3
                + [ExternalTraining.Status.REJECTED]
            )
        reviewed = status != ExternalTraining.Status.PENDING
        ExternalTraining.objects.create(
            teacher_id=teacher_id,
            title=title,
            provider_name=provider,
            number=f"C-{rng.randint(10000, 99999)}",
            hours=rng.choice((16, 24, 36, 40)),
            starts_on=ends - dt.timedelta(days=rng.randint(5, 40)),
            ends_on=ends,
            file=placeholder_scan(title),
            file_type="pdf",
            status=status,
            reviewed_by=reviewer if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
            review_comment="Сертификатта сағат саны көрсетілмеген"
            if status == ExternalTraining.Status.REJECTED
            else "",
        )


def _providers(rng, trainer) -> dict[str, Provider]:
    from .seed import _make_bin

    used: set = set()
    providers = {}
    for code, name_kk, name_ru in PROVIDERS:
        provider = Provider.objects.create(
            code=code,
            bin=_make_bin(rng, used, first_year=1995, last_year=2012),
            name_kk=name_kk,
            name_ru=name_ru,
        )
        providers[code] = provider
    providers["ORL"].staff.add(trainer)
    return providers


def _create_run(plan: RunPlan, course: Course, *, actor, trainer, today) -> CourseRun:
    """Every run is created as a future one (so that enrolment is open) and moved later."""
    starts = today + dt.timedelta(days=max(plan.starts_in, 20))
    run = CourseRun(
        course=course,
        code=f"{today + dt.timedelta(days=plan.starts_in):%Y-%m}-{plan.group}",
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=plan.days),
        enrolment_deadline=starts - dt.timedelta(days=5),
        capacity=plan.capacity,
        location="" if course.format == "online" else "Түркістан қ., Тәуке хан даңғылы, 22",
        online_url="https://meet.orleu.edu.kz/demo" if course.format != "in_person" else "",
        trainer=trainer if course.provider.code == "ORL" else None,
        trainer_name=str(trainer) if course.provider.code == "ORL" else "Сәуле Құрманова",
        approval_required=plan.outcome == "approval",
    )
    return courses.run_save(run=run, actor=actor)


def _pick(pool: list[int], used: dict, run: CourseRun, count: int) -> list[int]:
    """`count` teachers not yet on an overlapping demo run."""
    chosen = []
    for pk in pool:
        spans = used.setdefault(pk, set())
        if run.pk in spans or len(spans) >= 3:
            continue
        spans.add(run.pk)
        chosen.append(pk)
        if len(chosen) == count:
            break
    return chosen


def _advance(run: CourseRun, plan: RunPlan, *, rng, actor, today) -> None:
    if plan.outcome == "cancelled":
        courses.run_cancel(run=run, actor=actor, reason="Тренер ауырып қалды / Болезнь тренера")
        return
    if plan.outcome in ("open", "approval"):
        return
    shift = (today + dt.timedelta(days=plan.starts_in)) - run.starts_on
    CourseRun.objects.filter(pk=run.pk).update(
        starts_on=F("starts_on") + shift,
        ends_on=F("ends_on") + shift,
        enrolment_deadline=F("enrolment_deadline") + shift,
    )
    RunSession.objects.filter(run=run).update(date=F("date") + shift)
    run.refresh_from_db()
    seats = list(run.enrolments.filter(status=Enrolment.Status.CONFIRMED))
    sessions = list(run.sessions.filter(date__lte=today))
    present = set()
    for enrolment in seats:
        # Most attend nearly every day; a few drop out.
        rate = 0.3 if rng.random() < 0.08 else 0.95
        for session in sessions:
            if rng.random() < rate:
                present.add((session.pk, enrolment.pk))
    courses.attendance_mark(run=run, present=present, actor=actor)
    if plan.outcome == "in_progress":
        return
    for enrolment in run.enrolments.filter(status=Enrolment.Status.ATTENDED):
        passed = rng.random() < 0.93
        score = rng.randint(70, 100) if passed else rng.randint(30, 59)
        courses.assessment_record(enrolment=enrolment, passed=passed, score=score, actor=actor)
    if plan.outcome == "completed":
        courses.run_complete(run=run, actor=actor)


def placeholder_scan(title: str) -> ContentFile:
    """A one-page PDF standing in for a scanned external certificate."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawString(72, 760, title)
    pdf.save()
    return ContentFile(buffer.getvalue(), name="scan.pdf")


def demo_courses_delete() -> None:
    """Delete all certificates, enrolments, runs, courses and providers (children first)."""
    CertificateBatch.objects.all().delete()
    CertificateEvent.objects.all().delete()
    # Re-issues point at the certificate they replace: newest first.
    Certificate.objects.filter(replaces__isnull=False).update(replaces=None)
    Certificate.objects.all().delete()
    RegisterCounter.objects.all().delete()
    ExternalTraining.objects.all().delete()
    Attendance.objects.all().delete()
    EnrolmentEvent.objects.all().delete()
    Enrolment.objects.all().delete()
    RunSession.objects.all().delete()
    DistrictQuota.objects.all().delete()
    CourseRun.objects.all().delete()
    Course.prerequisites.through.objects.all().delete()
    Course.objects.all().delete()
    Provider.objects.all().delete()
