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
    """A distinct letters-only suffix for the n-th name (names may not hold digits)."""
    alphabet = "абвгдежзиклмнопрстуфхшэюяәғқңөұүі"
    text = ""
    while True:
        n, rest = divmod(n, len(alphabet))
        text = alphabet[rest] + text
        if n == 0:
            return text


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
