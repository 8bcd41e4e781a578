"""factory-boy factories for the models the tests build (regions and districts come from
the data migrations)."""

import datetime as dt
import itertools

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from apps.accounts.models import User
from apps.core.identifiers import check_digit, make_iin
from apps.organizations.models import District, InstructionLanguage, Organization
from apps.teachers.models import Position, QualificationCategory, Teacher
from apps.teachers.services import teacher_search_text

_serials = itertools.count(1)


def next_iin(birth_date=dt.date(1985, 3, 14), sex="F") -> str:
    while True:
        iin = make_iin(birth_date, sex, next(_serials))
        if iin:
            return iin


def _letters(n: int) -> str:
    """A distinct letters-only suffix for the n-th name (names may not hold digits), three
    letters at least, so that no name is the beginning of another (a search by one name
    finds only that teacher) and names sort in the order they were made."""
    alphabet = "абвгдежзиклмнопрстуфхшэюяәғқңөұүі"
    text = ""
    while True:
        n, rest = divmod(n, len(alphabet))
        text = alphabet[rest] + text
        if n == 0:
            return text.rjust(3, alphabet[0])


def next_bin() -> str:
    while True:
        first11 = f"0501400{next(_serials) % 10000:04d}"
        digit = check_digit(first11)
        if digit is not None:
            candidate = f"{first11}{digit}"
            if not Organization.objects.filter(bin=candidate).exists():
                return candidate


def district(kato="6110") -> District:
    return District.objects.get(kato=kato)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    district = factory.LazyFunction(district)
    bin = factory.LazyFunction(next_bin)
    kind = Organization.Kind.SCHOOL
    name_kk = factory.Sequence(lambda n: f"№ {n} жалпы білім беретін мектеп")
    name_ru = factory.Sequence(lambda n: f"Общеобразовательная школа № {n}")


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    iin = factory.LazyFunction(next_iin)
    last_name = factory.Sequence(lambda n: f"Әбдірахманова-{_letters(n)}")
    first_name = "Гүлнар"
    middle_name = "Серікқызы"
    birth_date = dt.date(1985, 3, 14)
    sex = "F"
    organization = factory.SubFactory(OrganizationFactory)
    position = factory.LazyFunction(lambda: Position.objects.get(code="teacher"))
    category = factory.LazyFunction(lambda: QualificationCategory.objects.get(code="moderator"))
    category_awarded_on = dt.date(2023, 5, 1)
    category_valid_until = dt.date(2028, 5, 1)
    experience_start = dt.date(2008, 9, 1)
    search_text = factory.LazyAttribute(teacher_search_text)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    first_name = "Айгүл"
    last_name = "Сейітова"
    preferred_language = settings.LANGUAGE_CODE
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        """Accounts made by staff start with a confirmed address (allauth asks otherwise)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


def _provider_code(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    n += 26 * 27  # three letters at least
    while n:
        n, rest = divmod(n, 26)
        code = letters[rest] + code
    return code


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Provider"

    code = factory.Sequence(_provider_code)
    bin = factory.LazyFunction(next_bin)
    name_kk = factory.Sequence(lambda n: f"«Өрлеу» біліктілікті арттыру орталығы {n}")
    name_ru = factory.Sequence(lambda n: f"Центр повышения квалификации «Өрлеу» {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Course"

    provider = factory.SubFactory(ProviderFactory)
    title_kk = factory.Sequence(lambda n: f"Жаңартылған білім беру мазмұны: қазақ тілі {n}")
    title_ru = factory.Sequence(lambda n: f"Обновлённое содержание образования: казахский язык {n}")
    hours = 72
    format = "in_person"
    language = factory.LazyFunction(lambda: InstructionLanguage.objects.get(code="kk"))
    agreement_reference = "МОН РК № 12-3/456"


class CourseRunFactory(factory.django.DjangoModelFactory):
    """A run a month ahead, open for enrolment (session days are made by `run_save`)."""

    class Meta:
        model = "courses.CourseRun"
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    code = factory.Sequence(lambda n: f"G-{n:03d}")
    starts_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=11))
    enrolment_deadline = factory.LazyAttribute(lambda o: o.starts_on - dt.timedelta(days=7))
    capacity = 25
    location = "Түркістан, Тәуке хан даңғылы, 1"
    trainer_name = "Нұрлан Әбенов"

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        """Session days: the working days of the run, as `run_save` makes them."""
        if create and extracted is not False:
            from apps.core.calendar import is_working_day
            from apps.courses.models import RunSession

            day, days = obj.starts_on, []
            while day <= obj.ends_on:
                if is_working_day(day):
                    days.append(RunSession(run=obj, date=day))
                day += dt.timedelta(days=1)
            RunSession.objects.bulk_create(days or [RunSession(run=obj, date=obj.starts_on)])


# courses results
# Files that are what they say they are (the upload check reads the content, not the name).
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A confirmed place on a run (for attendance and results, which start after the last
    day on which the services still enrol)."""

    class Meta:
        model = "courses.Enrolment"

    run = factory.SubFactory(CourseRunFactory)
    teacher = factory.SubFactory(TeacherFactory)
    status = "confirmed"
    district = factory.LazyAttribute(lambda o: o.teacher.organization.district)


class ExternalTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.ExternalTraining"

    teacher = factory.SubFactory(TeacherFactory)
    title = "Формативное оценивание на уроках математики"
    provider_name = "Назарбаев Интеллектуальные школы, ЦПМ"
    number = factory.Sequence(lambda n: f"CPM-{n:06d}")
    hours = 36
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=50))
    file = factory.django.FileField(filename="certificate.pdf", data=PDF_BYTES)
    file_type = "pdf"


def run_with_sessions(*, past: int, future: int = 0, **kwargs):
    """A run whose session days are the `past` days up to and including today and `future`
    days after it (any weekday: attendance does not look at the calendar)."""
    from django.utils import timezone

    from apps.courses.models import RunSession

    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(past - 1, -1, -1)]
    days += [today + dt.timedelta(days=n) for n in range(1, future + 1)]
    kwargs.setdefault("enrolment_deadline", days[0] - dt.timedelta(days=1))
    run = CourseRunFactory(starts_on=days[0], ends_on=days[-1], sessions=False, **kwargs)
    RunSession.objects.bulk_create(RunSession(run=run, date=day) for day in days)
    return run


# courses views


def provider_staff_user(provider, **kwargs) -> User:
    """An account on the staff of a PD provider (no role of its own)."""
    user = UserFactory(**kwargs)
    provider.staff.add(user)
    return user


def add_course_users(world):
    """Add to the `world` fixture a provider with a course and an open run, the provider's
    staff, another provider's staff and the administrator of school C; the new users join
    `world.users`."""
    from apps.accounts.models import Role
    from apps.accounts.services import role_assignment_create

    world.provider = ProviderFactory()
    world.course = CourseFactory(provider=world.provider)
    world.run = CourseRunFactory(course=world.course)
    world.users["provider_staff"] = provider_staff_user(world.provider)
    world.users["other_provider_staff"] = provider_staff_user(ProviderFactory())
    other_admin = UserFactory()
    role_assignment_create(user=other_admin, role=Role.SCHOOL_ADMIN, organization=world.school_c)
    world.users["other_school_admin"] = other_admin
    return world
