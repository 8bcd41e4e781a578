"""factory-boy factories for the models the tests build (regions and districts come from
the data migrations)."""

import datetime as dt
import itertools

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from apps.accounts.models import User
from apps.core.identifiers import check_digit, make_iin
from apps.organizations.models import District, Organization
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
