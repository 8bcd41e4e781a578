"""Builds the demo region (organisations, teachers, one account per role) fast and reproducibly.

Everything is drawn from `random.Random` streams seeded by `--seed`, planned in memory and
written in one transaction: the per-row services would take an hour for the region's 67,000
teachers, and even the ORM's bulk_create spends a minute preparing values, so the big tables
are written with plain multi-row INSERTs. The rows still obey the registry's rules
(`apps.teachers.services.teacher_clean`) and get one "+" history row each, as if created by
the services. Later features add their own demo data here, after the teachers.
"""

import bisect
import datetime as dt
import functools
import itertools
import math
import random
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.services import role_assignment_create
from apps.core.bulk import allocate_ids, insert_rows
from apps.core.identifiers import check_digit, make_iin
from apps.organizations.models import District, InstructionLanguage, Organization, Region
from apps.teachers.models import (
    ExportJob,
    ImportJob,
    Position,
    QualificationCategory,
    Subject,
    Teacher,
)
from apps.teachers.services import teacher_search_text

from . import names
from .attestation import demo_attestation_delete, seed_attestation
from .courses import demo_courses_delete, seed_courses
from .leaders import demo_leaders_delete, seed_leaders
from .reports import demo_pd_plans_delete, seed_pd_plans

# --- Scale and fixed points -------------------------------------------------------------------

# DOMAIN.md: ~67,000 teachers, ~1,100 schools and 50 colleges; the rest is our guess.
FULL_SCALE_TEACHERS = 67_000
FULL_SCALE_ORGANIZATIONS = {"school": 1100, "college": 50, "preschool": 30, "additional": 20}
DEMO_EMAIL_DOMAIN = "demo.ustaz.kz"
DEMO_DISTRICT_KATO = "6110"  # Түркістан қаласы: the demo school, methodologist, commission
REGION_KATO = "61"
HISTORY_REASON = "demo data"
# The demo school always has this many teachers (or all of them when N is smaller), so the
# school administrator and the teacher account have someone to look at.
DEMO_SCHOOL_MIN_TEACHERS = 5

KK, RU, UZ = "kk", "ru", "uz"

# fmt: off
# Language mixes of schools: (languages, main first; share of schools in percent).
DEFAULT_MIX = (((KK,), 80), ((KK, RU), 17), ((RU,), 3))
CITY_MIX = (((KK,), 60), ((KK, RU), 25), ((RU,), 15))
# KATO -> (population in thousands, approximate; school language mix). Uzbek-language
# schools are in Сайрам, Сарыағаш, Келес and Түркістан; Russian ones in the towns and Ленгер.
DISTRICT_PROFILES = {
    "6110": (210, (((KK,), 66), ((KK, RU), 20), ((RU,), 6), ((UZ,), 4), ((UZ, KK), 4))),
    "6116": (80, CITY_MIX),
    "6120": (100, CITY_MIX),
    "6136": (55, DEFAULT_MIX),
    "6138": (185, DEFAULT_MIX),
    "6139": (160, (((KK,), 76), ((KK, RU), 10), ((RU,), 2), ((UZ,), 6), ((UZ, KK), 6))),
    "6140": (115, DEFAULT_MIX),
    "6144": (150, DEFAULT_MIX),
    "6146": (125, DEFAULT_MIX),
    "6148": (60, DEFAULT_MIX),
    "6152": (330, (((KK,), 55), ((KK, RU), 10), ((RU,), 2), ((UZ,), 18), ((UZ, KK), 12),
                   ((UZ, RU), 3))),
    "6154": (210, (((KK,), 70), ((KK, RU), 16), ((RU,), 5), ((UZ,), 4), ((UZ, KK), 5))),
    "6155": (100, DEFAULT_MIX),
    "6156": (65, DEFAULT_MIX),
    "6158": (130, (((KK,), 65), ((KK, RU), 22), ((RU,), 13))),
    "6160": (105, DEFAULT_MIX),
    "6164": (85, DEFAULT_MIX),
}
COLLEGE_LANGUAGES = (((KK, RU), 70), ((KK,), 25), ((RU,), 5))
ADDITIONAL_LANGUAGES = (((KK, RU), 60), ((KK,), 40))
# In a two-language organisation, the share of staff teaching in the main language.
MAIN_LANGUAGE_SHARE = 0.6
# Sparse rural districts have many small schools: schools follow population plus a constant.
SCHOOLS_PER_DISTRICT_BASE = 40
# The regional centre hosts a large share of the colleges.
COLLEGE_WEIGHT_FACTOR = {"6110": 3.0, "6116": 1.5, "6120": 1.5}

SCHOOL_TYPE_WEIGHTS = {
    "city": (("general", 62), ("gymnasium", 14), ("lyceum", 10), ("basic", 10), ("primary", 4)),
    "district": (("general", 68), ("gymnasium", 5), ("lyceum", 4), ("basic", 17), ("primary", 6)),
}
# Staff size: a general school has ~55 teachers (x1.35 in towns), the others relative to it.
SCHOOL_TYPE_SIZE = {"general": 1.0, "gymnasium": 1.5, "lyceum": 1.5, "basic": 0.4, "primary": 0.2}
PRIMARY_TEACHER_SHARE = {"general": 0.28, "gymnasium": 0.25, "lyceum": 0.2, "basic": 0.35,
                         "primary": 1.0}

# --- Teachers ---------------------------------------------------------------------------------

# Age weights, 22 to 64: a young-to-middle-aged workforce.
AGE_WEIGHTS = tuple(
    (age, 2.0 if age < 25 else 3.0 if age < 30 else 3.2 if age < 40 else 2.8 if age < 50
     else 2.0 if age < 58 else 0.9)
    for age in range(22, 65)
)
MIN_AGE_AT_START = 21  # teachers start work after a 4-year degree
# Years between 21 and the start of pedagogical work.
START_DELAY_WEIGHTS = ((0, 30), (1, 25), (2, 15), (3, 10), (4, 6), (5, 5), (7, 4), (10, 3),
                       (15, 2))

# National stock (DOMAIN.md, Dec 2025) for 90%, plus 3% interns, 4% legacy, 3% none.
CATEGORY_WEIGHTS = (
    ("intern", 3.0), ("teacher", 22.88), ("moderator", 27.68), ("expert", 20.70),
    ("researcher", 18.09), ("master", 0.65), ("second", 1.4), ("first", 1.6), ("highest", 1.0),
    (None, 3.0),
)
# Heads and deputies not on the manager ladder hold higher teacher categories.
MANAGER_TEACHER_CATEGORY_WEIGHTS = (
    ("teacher", 5), ("moderator", 25), ("expert", 35), ("researcher", 30), ("master", 2),
    ("highest", 3),
)
# Position -> (share on the manager ladder, its categories).
MANAGER_LADDER = {
    "director": (0.55, (("head-3", 45), ("head-2", 35), ("head-1", 20))),
    "deputy-director": (0.45, (("deputy-3", 45), ("deputy-2", 35), ("deputy-1", 20))),
}
# Years of experience a category needs before it could have been awarded (one step at a time
# up the ladder, DOMAIN.md); the age floor follows from it.
CATEGORY_MIN_EXPERIENCE = {
    None: 0, "intern": 0, "teacher": 1, "moderator": 3, "expert": 5, "researcher": 7,
    "master": 10, "second": 7, "first": 7, "highest": 7,
    "deputy-3": 5, "deputy-2": 5, "deputy-1": 5, "head-3": 6, "head-2": 6, "head-1": 6,
}
POSITION_MIN_AGE = {"director": 30, "deputy-director": 27, "methodologist": 26}
INTERN_AGES = (22, 23, 24)
EXPIRED_SHARE = 0.05  # of the categories with a validity period

POSITION_FEMALE_SHARE = {
    "teacher": 0.86, "primary-teacher": 0.97, "college-lecturer": 0.68, "psychologist": 0.92,
    "social-pedagogue": 0.9, "educator": 0.99, "additional-teacher": 0.5, "defectologist": 0.95,
    "speech-therapist": 0.98, "methodologist": 0.85, "deputy-director": 0.72, "director": 0.45,
}
SUBJECT_FEMALE_SHARE = {
    "physical-education": 0.25, "initial-military": 0.05, "technology": 0.5,
    "informatics": 0.65, "physics": 0.65, "mathematics": 0.8,
}
# What a school subject teacher teaches: (subjects, weight).
SUBJECT_PROFILES = (
    (("kazakh-language", "kazakh-literature"), 12), (("kazakh-language",), 3),
    (("russian-language", "russian-literature"), 8), (("english",), 9),
    (("mathematics",), 10), (("mathematics", "informatics"), 2), (("informatics",), 3),
    (("physics",), 3), (("physics", "informatics"), 1), (("physics", "mathematics"), 1),
    (("chemistry",), 2.5), (("chemistry", "biology"), 1.5), (("biology",), 3),
    (("biology", "geography"), 1), (("geography",), 2.5), (("history-kz", "world-history"), 5),
    (("history-kz", "law"), 1.5), (("world-history",), 1), (("physical-education",), 6),
    (("music",), 2), (("visual-arts",), 1.5), (("visual-arts", "technology"), 1),
    (("technology",), 2), (("self-knowledge",), 1.5), (("initial-military",), 1.5),
    (("german",), 0.3),
)
UZBEK_SCHOOL_SUBJECT_PROFILES = (*SUBJECT_PROFILES, (("uzbek-language",), 8))
COLLEGE_GENERAL_SUBJECTS = (
    "mathematics", "kazakh-language", "russian-language", "english", "history-kz", "physics",
    "informatics", "physical-education", "initial-military", "chemistry", "biology",
)
ADDITIONAL_SUBJECTS = ("music", "visual-arts", "physical-education", "technology", "informatics")

EDUCATION_WEIGHTS = {
    "default": (("higher", 84), ("postgraduate", 5), ("vocational", 10), ("other", 1)),
    "educator": (("higher", 58), ("postgraduate", 1), ("vocational", 39), ("other", 2)),
    "primary-teacher": (("higher", 78), ("postgraduate", 2), ("vocational", 19), ("other", 1)),
    "director": (("higher", 86), ("postgraduate", 14)),
    "deputy-director": (("higher", 88), ("postgraduate", 12)),
    "college-lecturer": (("higher", 78), ("postgraduate", 20), ("vocational", 2)),
}
# The region's own universities trained most of its teachers (same order as names.UNIVERSITIES).
UNIVERSITY_WEIGHTS = tuple(zip(names.UNIVERSITIES, (30, 18, 22, 6, 4, 6, 4, 5, 3, 2), strict=True))
EMAIL_SHARE = 0.4
PHONE_SHARE = 0.95

# (login, role, scope, preferred language, whose name: the linked teacher's or of an origin).
DEMO_ACCOUNTS = (
    ("teacher", Role.TEACHER, "none", "kk", "teacher"),
    ("school", Role.SCHOOL_ADMIN, "organization", "kk", KK),
    ("methodologist", Role.METHODOLOGIST, "district", "kk", KK),
    ("commission", Role.COMMISSION_MEMBER, "district", "kk", KK),
    ("hr", Role.HR_ANALYST, "region", "ru", RU),
    ("admin", Role.REGION_ADMIN, "region", "kk", KK),
)
# fmt: on


class DemoDataError(Exception):
    """Raised with a translated message when the demo data cannot be built or removed."""


@dataclass(frozen=True)
class DemoAccount:
    """A login the command prints: who to sign in as, to see what."""

    email: str
    role: str
    scope: str


@dataclass
class DemoSummary:
    """What was built, for the command's report."""

    organizations: dict[str, int]
    teachers: int
    accounts: list[DemoAccount]
    password: str


@dataclass(frozen=True)
class Reference:
    """The migrations' reference rows, by code, loaded once."""

    region: Region
    districts: list[District]
    languages: dict[str, InstructionLanguage]
    categories: dict[str, QualificationCategory]
    positions: dict[str, Position]
    subjects: dict[str, Subject]


@dataclass
class OrganizationPlan:
    """An organisation planned in memory, saved in bulk, then staffed."""

    district: District
    kind: str
    school_type: str
    name_kk: str
    name_ru: str
    bin: str
    address: str
    languages: tuple[str, ...]  # main language first
    weight: float  # relative staff size
    is_demo: bool = False
    organization: Organization | None = None  # once saved


@dataclass(slots=True)
class TeacherPlan:
    """A teacher row kept as a dict: inserting dicts is far cheaper than model instances."""

    row: dict  # column values by attname, as inserted
    position: str
    subject_ids: list[int] = field(default_factory=list)


# --- Entry points -----------------------------------------------------------------------------


def demo_users():
    """The demo accounts: everything under the demo e-mail domain."""
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


def demo_data_exists() -> bool:
    """Whether seeding would collide with rows already there (teachers, organisations, logins)."""
    return Teacher.objects.exists() or Organization.objects.exists() or demo_users().exists()


@transaction.atomic
def demo_data_delete() -> None:
    """Wipe the registry (all teachers with their history, all organisations), the courses
    and certificates built on it, and the demo logins."""
    demo_pd_plans_delete()
    demo_leaders_delete()
    demo_attestation_delete()
    demo_courses_delete()
    ExportJob.objects.all().delete()
    ImportJob.objects.all().delete()  # with their rejected rows
    _history_subjects_model().objects.all().delete()
    Teacher.history.model.objects.all().delete()
    Teacher.subjects.through.objects.all().delete()
    # A plain DELETE: the ORM's delete would load every teacher and write a "-" history row for
    # each through simple-history's signal, minutes for data we are throwing away. Rows of
    # later features that point at teachers must be deleted above this line (the database's
    # foreign keys refuse the commit otherwise).
    teachers = Teacher.objects.all()
    teachers._raw_delete(teachers.db)
    demo_users().delete()
    Organization.languages.through.objects.all().delete()
    try:
        Organization.objects.all().delete()
    except ProtectedError as exc:
        raise DemoDataError(
            _(
                "Some organisations are still used by other records (for example the roles "
                "of accounts outside the demo); remove those first."
            )
        ) from exc


@transaction.atomic
def demo_seed(*, teachers: int, seed: int, reset: bool = False) -> DemoSummary:
    """Build the demo region for `teachers` teachers; the same seed on the same day, same data."""
    if teachers < 1:
        raise DemoDataError(_("The number of teachers must be at least 1."))
    if reset:
        demo_data_delete()
    elif demo_data_exists():
        raise DemoDataError(
            _(
                "The database already has teachers, organisations or demo accounts. "
                "Run the command with --reset to delete them first."
            )
        )
    ref = _load_reference()
    today = timezone.localdate()
    plans = plan_organizations(rng=_rng(seed, "organizations"), ref=ref, teachers=teachers)
    _save_organizations(plans=plans, ref=ref)
    teacher_plans = plan_teachers(
        rng=_rng(seed, "teachers"), ref=ref, organizations=plans, teachers=teachers, today=today
    )
    demo_school = next(p.organization for p in plans if p.is_demo)
    accounts = create_demo_accounts(
        rng=_rng(seed, "accounts"), ref=ref, demo_school=demo_school, teacher_plans=teacher_plans
    )
    _save_teachers(teacher_plans=teacher_plans)
    _seed_activity(seed=seed, accounts=accounts)
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.kind] = counts.get(plan.kind, 0) + 1
    return DemoSummary(
        organizations=counts,
        teachers=len(teacher_plans),
        accounts=accounts,
        password=settings.DEMO_PASSWORD,
    )


def _seed_activity(*, seed: int, accounts: list) -> None:
    """What the people of the demo region have done: courses taken, certificates issued,
    attestation applications made, the districts' PD plans (each through the real
    services)."""

    def login(name: str) -> User:
        return User.objects.get(email=f"{name}@{DEMO_EMAIL_DOMAIN}")

    demo_teacher_id = Teacher.objects.get(user__email=f"teacher@{DEMO_EMAIL_DOMAIN}").pk
    trainer = _provider_account(rng=_rng(seed, "provider"), accounts=accounts)
    seed_courses(
        rng=_rng(seed, "courses"),
        actor=login("admin"),
        trainer=trainer,
        demo_teacher_id=demo_teacher_id,
    )
    seed_attestation(
        rng=_rng(seed, "attestation"),
        actor=login("admin"),
        school_admin=login("school"),
        methodologist=login("methodologist"),
        member=login("commission"),
        demo_teacher_id=demo_teacher_id,
    )
    seed_leaders(rng=_rng(seed, "leaders"), actor=login("admin"), demo_teacher_id=demo_teacher_id)
    seed_pd_plans(actor=login("admin"))


# --- Organisations ----------------------------------------------------------------------------


def organization_counts(*, teachers: int, districts: int) -> dict[str, int]:
    """How many organisations of each kind N teachers need: the region's mix, scaled down."""
    scale = teachers / FULL_SCALE_TEACHERS
    counts = {kind: round(n * scale) for kind, n in FULL_SCALE_ORGANIZATIONS.items()}
    counts["school"] = max(counts["school"], districts)  # every district has a school
    counts["college"] = max(counts["college"], 1)
    return counts


def plan_organizations(*, rng: random.Random, ref: Reference, teachers: int) -> list:
    """Schools, colleges, preschools and additional-education centres, district by district."""
    counts = organization_counts(teachers=teachers, districts=len(ref.districts))
    population = [DISTRICT_PROFILES[d.kato][0] for d in ref.districts]
    college_weights = [
        p * COLLEGE_WEIGHT_FACTOR.get(d.kato, 1.0)
        for p, d in zip(population, ref.districts, strict=True)
    ]
    schools = apportion(
        counts["school"], [p + SCHOOLS_PER_DISTRICT_BASE for p in population], minimum=1
    )
    colleges = apportion(counts["college"], college_weights)
    preschools = apportion(counts["preschool"], population)
    additional = apportion(counts["additional"], population)
    used_bins: set[str] = set()
    plans = []
    for i, district in enumerate(ref.districts):
        demo = district.kato == DEMO_DISTRICT_KATO
        plans += _plan_schools(rng, district, schools[i], used_bins, demo=demo)
        plans += _plan_colleges(rng, district, colleges[i], used_bins)
        plans += _plan_preschools(rng, district, preschools[i], used_bins)
        plans += _plan_additional(rng, district, additional[i], used_bins)
    return plans


def _plan_schools(rng, district, count, used_bins, *, demo: bool) -> list:
    """A district's schools: numbered, some named after a person, in the district's languages."""
    mix = DISTRICT_PROFILES[district.kato][1]
    type_weights = SCHOOL_TYPE_WEIGHTS[district.kind]
    plans, used_persons, number = [], set(), 0
    for i in range(count):
        is_demo = demo and i == 0  # a Kazakh-language gymnasium, named, big
        languages = (KK,) if is_demo else _weighted(rng, mix)
        school_type = "gymnasium" if is_demo else _weighted(rng, type_weights)
        number += rng.choice((1, 1, 1, 1, 2, 3))
        type_kk, type_ru = names.SCHOOL_TYPES[school_type]
        person = None
        if is_demo or rng.random() < (0.25 if school_type in ("basic", "primary") else 0.35):
            person = _school_person(rng, languages, used_persons)
        if person:
            name_kk = f"{person[0]} атындағы № {number} {type_kk}"
            name_ru = f"{type_ru} № {number} имени {person[1]}"
        else:
            name_kk, name_ru = f"№ {number} {type_kk}", f"{type_ru} № {number}"
        size = rng.lognormvariate(math.log(55), 0.45) * SCHOOL_TYPE_SIZE[school_type]
        if district.kind == District.Kind.CITY:
            size *= 1.35
        plans.append(
            OrganizationPlan(
                district=district,
                kind=Organization.Kind.SCHOOL,
                school_type=school_type,
                name_kk=name_kk,
                name_ru=name_ru,
                bin=_make_bin(rng, used_bins, first_year=1995, last_year=2023),
                address=_address(rng, district),
                languages=languages,
                weight=90.0 if is_demo else size,
                is_demo=is_demo,
            )
        )
    return plans


def _school_person(rng, languages, used_persons):
    """Whom a school is named after; Uzbek schools mostly after Uzbek classics."""
    if UZ in languages and rng.random() < 0.7:
        pool = names.SCHOOL_PERSONS_UZ
    elif languages == (RU,) and rng.random() < 0.4:
        pool = names.SCHOOL_PERSONS_RU
    else:
        pool = names.SCHOOL_PERSONS
    person = rng.choice(pool)
    if person in used_persons:  # one school per person in a district
        return None
    used_persons.add(person)
    return person


def _plan_colleges(rng, district, count, used_bins) -> list:
    """Colleges named by place and profile ("Сарыағаш аграрлық жоғары колледжі")."""
    place_kk, adjective_ru, _villages = names.PLACES[district.kato]
    profiles = rng.sample(names.COLLEGE_PROFILES, k=min(count, len(names.COLLEGE_PROFILES)))
    plans = []
    for i in range(count):
        profile_kk, profile_ru = profiles[i % len(profiles)]
        suffix = f" № {i // len(profiles) + 1}" if i >= len(profiles) else ""
        plans.append(
            OrganizationPlan(
                district=district,
                kind=Organization.Kind.COLLEGE,
                school_type="",
                name_kk=f"{place_kk} {profile_kk} жоғары колледжі{suffix}",
                name_ru=f"{adjective_ru} {profile_ru} высший колледж{suffix}",
                bin=_make_bin(rng, used_bins, first_year=1995, last_year=2012),
                address=_address(rng, district, centre=True),
                languages=_weighted(rng, COLLEGE_LANGUAGES),
                weight=rng.lognormvariate(math.log(50), 0.35),
            )
        )
    return plans


def _plan_preschools(rng, district, count, used_bins) -> list:
    """Nursery-kindergartens ("№ 7 «Балдырған» бөбекжай-балабақшасы")."""
    plans, number = [], 0
    for _i in range(count):
        number += rng.choice((1, 1, 2))
        title = rng.choice(names.PRESCHOOL_NAMES)
        plans.append(
            OrganizationPlan(
                district=district,
                kind=Organization.Kind.PRESCHOOL,
                school_type="",
                name_kk=f"№ {number} «{title}» бөбекжай-балабақшасы",
                name_ru=f"Ясли-сад № {number} «{to_russian_spelling(title)}»",
                bin=_make_bin(rng, used_bins, first_year=2000, last_year=2023),
                address=_address(rng, district),
                languages=_weighted(rng, DISTRICT_PROFILES[district.kato][1]),
                weight=rng.lognormvariate(math.log(22), 0.3),
            )
        )
    return plans


def _plan_additional(rng, district, count, used_bins) -> list:
    """Sports schools, music schools, pupils' houses: numbered per type within a district."""
    plans, numbers = [], {}
    for _i in range(count):
        type_kk, type_ru = rng.choice(names.ADDITIONAL_TYPES)
        number = numbers[type_kk] = numbers.get(type_kk, 0) + 1
        plans.append(
            OrganizationPlan(
                district=district,
                kind=Organization.Kind.ADDITIONAL,
                school_type="",
                name_kk=f"№ {number} {type_kk}",
                name_ru=f"{type_ru} № {number}",
                bin=_make_bin(rng, used_bins, first_year=1995, last_year=2020),
                address=_address(rng, district, centre=True),
                languages=_weighted(rng, ADDITIONAL_LANGUAGES),
                weight=rng.lognormvariate(math.log(18), 0.35),
            )
        )
    return plans


def _make_bin(rng, used: set, *, first_year: int, last_year: int) -> str:
    """A unique BIN: registration YYMM, 4 (legal entity), 0 (head office), serial, check digit."""
    while True:
        year, month = rng.randint(first_year, last_year), rng.randint(1, 12)
        first11 = f"{year % 100:02d}{month:02d}40{rng.randrange(100_000):05d}"
        digit = check_digit(first11)
        if digit is None:
            continue
        number = f"{first11}{digit}"
        if number not in used:
            used.add(number)
            return number


def _address(rng, district, *, centre: bool = False) -> str:
    """A Kazakh postal address in the district, so the organisation pages look real."""
    villages = names.PLACES[district.kato][2]
    village = villages[0] if centre or rng.random() < 0.35 else rng.choice(villages)
    street = rng.choice(names.STREETS)
    # A town's own streets need no district; its villages and a district's do.
    in_town = district.kind == District.Kind.CITY and village == villages[0]
    place = village if in_town else f"{district.name_kk}, {village}"
    return f"{place}, {street} көшесі, {rng.randint(1, 120)}"


def _save_organizations(*, plans: list, ref: Reference) -> None:
    """Bulk create the organisations and their languages (a few thousand rows: the ORM is fine)."""
    organizations = [
        Organization(
            district=p.district,
            bin=p.bin,
            kind=p.kind,
            name_kk=p.name_kk,
            name_ru=p.name_ru,
            address=p.address,
        )
        for p in plans
    ]
    Organization.objects.bulk_create(organizations, batch_size=1000)
    through = Organization.languages.through
    rows = []
    for plan, organization in zip(plans, organizations, strict=True):
        plan.organization = organization
        rows += [
            through(organization_id=organization.pk, instructionlanguage_id=ref.languages[c].pk)
            for c in plan.languages
        ]
    through.objects.bulk_create(rows, batch_size=1000)


# --- Teachers ---------------------------------------------------------------------------------


def plan_teachers(*, rng, ref: Reference, organizations: list, teachers: int, today) -> list:
    """N teachers spread over the organisations by size, staffed head first."""
    reserved = min(teachers, DEMO_SCHOOL_MIN_TEACHERS)
    sizes = apportion(teachers - reserved, [p.weight for p in organizations])
    used_iins: set[str] = set()
    used_emails: set[str] = set()
    plans = []
    for organization, size in zip(organizations, sizes, strict=True):
        if organization.is_demo:
            size += reserved
        for position in staff_positions(rng=rng, organization=organization, size=size):
            plans.append(
                _plan_teacher(
                    rng,
                    ref=ref,
                    organization=organization,
                    position=position,
                    today=today,
                    used_iins=used_iins,
                    used_emails=used_emails,
                )
            )
    return plans


def staff_positions(*, rng, organization: OrganizationPlan, size: int) -> list[str]:
    """Position codes of an organisation's staff: the head first, then deputies, specialists."""
    kind = organization.kind
    if kind == Organization.Kind.SCHOOL:
        if size < 6:
            deputies = 0
        elif size < 15:
            deputies = 1
        else:
            deputies = 3 if size >= 40 and rng.random() < 0.6 else 2
        staff = ["director", *["deputy-director"] * deputies]
        staff += ["psychologist"] * ((size >= 12) + (size >= 90))
        staff += ["social-pedagogue"] * (size >= 25) + ["defectologist"] * (size >= 45)
        staff += ["speech-therapist"] * (size >= 70) + ["additional-teacher"] * (size >= 60)
        primary_share = PRIMARY_TEACHER_SHARE[organization.school_type]
        staff += [
            "primary-teacher" if rng.random() < primary_share else "teacher"
            for _i in range(size - len(staff))
        ]
    elif kind == Organization.Kind.COLLEGE:
        deputies = 0 if size < 8 else 2 if size < 40 else 3
        staff = ["director", *["deputy-director"] * deputies]
        staff += ["methodologist"] * ((size >= 15) + (size >= 60))
        staff += ["psychologist"] * (size >= 25) + ["social-pedagogue"] * (size >= 40)
        staff += ["college-lecturer"] * (size - len(staff))
    elif kind == Organization.Kind.PRESCHOOL:
        staff = ["director", *["deputy-director"] * (size >= 25)]
        staff += ["methodologist"] * (size >= 6) + ["speech-therapist"] * (size >= 15)
        staff += ["psychologist"] * (size >= 20)
        staff += ["educator"] * (size - len(staff))
    else:
        staff = ["director", *["deputy-director"] * (size >= 10)]
        staff += ["methodologist"] * (size >= 12)
        staff += ["additional-teacher"] * (size - len(staff))
    return staff[:size]


def _plan_teacher(rng, *, ref, organization, position, today, used_iins, used_emails):
    """One teacher whose IIN, age, experience and category dates agree with each other."""
    language = organization.languages[0]
    if len(organization.languages) > 1 and rng.random() >= MAIN_LANGUAGE_SHARE:
        language = organization.languages[1]
    subjects = _subjects(rng, position=position, organization=organization)
    origin = _origin(rng, language=language, subjects=subjects)
    female_share = POSITION_FEMALE_SHARE[position]
    if position == "teacher":
        female_share = SUBJECT_FEMALE_SHARE.get(subjects[0], female_share)
    sex = (Teacher.Sex.FEMALE if rng.random() < female_share else Teacher.Sex.MALE).value
    category_code = _category_code(rng, position=position)
    min_experience = CATEGORY_MIN_EXPERIENCE[category_code]
    if category_code == "intern":
        age = rng.choice(INTERN_AGES)
    else:
        min_age = max(MIN_AGE_AT_START + 1 + min_experience, POSITION_MIN_AGE.get(position, 22))
        age = _weighted(rng, _ages_from(min_age))
    birth_date = _add_years(today, -age) - dt.timedelta(days=rng.randint(0, 364))
    experience_start = _experience_start(
        rng,
        birth_date=birth_date,
        today=today,
        min_experience=min_experience,
        intern=category_code == "intern",
    )
    category = ref.categories[category_code] if category_code else None
    awarded_on = valid_until = None
    if category is not None:
        awarded_on, valid_until = _category_dates(
            rng, category=category, experience_start=experience_start, today=today
        )
    last_name, first_name, middle_name = person_name(rng, origin=origin, sex=sex, age=age)
    education = _weighted(rng, EDUCATION_WEIGHTS.get(position, EDUCATION_WEIGHTS["default"]))
    russian_documents = language == RU or origin == RU
    row = {
        "iin": _unique_iin(rng, birth_date=birth_date, sex=sex, used=used_iins),
        "last_name": last_name,
        "first_name": first_name,
        "middle_name": middle_name,
        "birth_date": birth_date,
        "sex": sex,
        "organization_id": organization.organization.pk,
        "position_id": ref.positions[position].pk,
        "teaching_language_id": ref.languages[language].pk,
        "experience_start": experience_start,
        "education": education,
        "education_institution": _institution(rng, education, russian=russian_documents),
        "specialty": _specialty(position, subjects, russian=russian_documents),
        "category_id": category.pk if category else None,
        "category_awarded_on": awarded_on,
        "category_valid_until": valid_until,
        "phone": _phone(rng) if rng.random() < PHONE_SHARE else "",
        "email": (
            _email(rng, first_name, last_name, birth_date, used_emails)
            if rng.random() < EMAIL_SHARE
            else ""
        ),
        "user_id": None,
    }
    # The services' own rule for the name search, fed the same three attributes.
    row["search_text"] = teacher_search_text(
        SimpleNamespace(last_name=last_name, first_name=first_name, middle_name=middle_name)
    )
    return TeacherPlan(
        row=row, position=position, subject_ids=[ref.subjects[s].pk for s in subjects]
    )


def _subjects(rng, *, position: str, organization: OrganizationPlan) -> list[str]:
    """Subject codes for a position: 1-2 for subject teachers, few or none for the others."""
    if position == "teacher":
        uzbek = UZ in organization.languages
        return list(_weighted(rng, UZBEK_SCHOOL_SUBJECT_PROFILES if uzbek else SUBJECT_PROFILES))
    if position == "primary-teacher":
        return ["primary"]
    if position == "college-lecturer":
        # The rest teach vocational disciplines, which are not on the subject list.
        return [rng.choice(COLLEGE_GENERAL_SUBJECTS)] if rng.random() < 0.45 else []
    if position == "additional-teacher":
        return [rng.choice(ADDITIONAL_SUBJECTS)]
    if position in MANAGER_LADDER and organization.kind == Organization.Kind.SCHOOL:
        teaches = rng.random() < (0.35 if position == "director" else 0.55)
        return [_weighted(rng, SUBJECT_PROFILES)[0]] if teaches else []
    return []


def _origin(rng, *, language: str, subjects: list[str]) -> str:
    """Whose names: Uzbek-language classes mostly have Uzbek teachers, Russian ones Russian."""
    r = rng.random()
    if "uzbek-language" in subjects:
        return UZ
    if language == UZ:
        return UZ if r < 0.85 else KK
    if language == RU:
        return KK if r < 0.42 else RU if r < 0.97 else UZ
    if "russian-language" in subjects:
        return KK if r < 0.60 else RU if r < 0.95 else UZ
    return KK if r < 0.97 else RU if r < 0.995 else UZ


def _category_code(rng, *, position: str) -> str | None:
    """A category drawn by the national stock; heads and deputies may be on their own ladder."""
    ladder = MANAGER_LADDER.get(position)
    if ladder is None:
        return _weighted(rng, CATEGORY_WEIGHTS)
    share, weights = ladder
    return _weighted(rng, weights if rng.random() < share else MANAGER_TEACHER_CATEGORY_WEIGHTS)


@functools.cache
def _ages_from(min_age: int) -> tuple:
    """(age, weight) pairs from an age up: the category's experience sets the floor."""
    return tuple((age, weight) for age, weight in AGE_WEIGHTS if age >= min_age)


def _experience_start(rng, *, birth_date, today, min_experience: int, intern: bool) -> dt.date:
    """Work starts at 21 or later and early enough for the category's years of experience."""
    earliest = _add_years(birth_date, MIN_AGE_AT_START)
    if intern:  # in the first year of work
        return max(earliest, today - dt.timedelta(days=rng.randint(10, 330)))
    latest = _add_years(today, -min_experience) - dt.timedelta(days=1)
    start = _add_years(earliest, _weighted(rng, START_DELAY_WEIGHTS))
    start += dt.timedelta(days=rng.randint(0, 364))
    if start > latest:
        start = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
    return start


def _category_dates(rng, *, category, experience_start, today) -> tuple:
    """Awarded within the validity period (a few already expired); interns from day one."""
    if category.code == "intern":
        return experience_start, None
    years = category.validity_years
    first_possible = experience_start + dt.timedelta(days=365)
    if category.track == QualificationCategory.Track.LEGACY:
        # No longer awarded, only held until they run out: all awarded 4 to 5.5 years ago.
        low, high = _add_years(today, -5) - dt.timedelta(days=200), _add_years(today, -4)
    elif years is None:
        low, high = _add_years(today, -5), today
    elif rng.random() < EXPIRED_SHARE:
        low = _add_years(today, -years) - dt.timedelta(days=200)
        high = _add_years(today, -years) - dt.timedelta(days=1)
    else:
        low, high = _add_years(today, -years) + dt.timedelta(days=1), today
    low = max(low, first_possible)
    if low > high:  # too new in the job for an expired category: a current one
        low, high = max(_add_years(today, -years) + dt.timedelta(days=1), first_possible), today
    awarded = low + dt.timedelta(days=rng.randint(0, (high - low).days))
    return awarded, (_add_years(awarded, years) if years else None)


def _unique_iin(rng, *, birth_date, sex, used: set) -> str:
    """An IIN that encodes this birth date and sex, not yet given to another teacher."""
    while True:
        iin = make_iin(birth_date, sex, rng.randrange(10_000))
        if iin is not None and iin not in used:
            used.add(iin)
            return iin


def _institution(rng, education: str, *, russian: bool) -> str:
    """Where the teacher studied, named in the language of their documents."""
    if education in ("higher", "postgraduate"):
        pair = _weighted(rng, UNIVERSITY_WEIGHTS)
    elif education == "vocational":
        pair = rng.choice(names.VOCATIONAL_SCHOOLS)
    else:
        return ""
    return pair[1] if russian else pair[0]


def _specialty(position: str, subjects: list[str], *, russian: bool) -> str:
    """The diploma specialty that fits the first subject or the position."""
    pair = names.SPECIALTIES.get(subjects[0] if subjects else position)
    if pair is None:  # heads who do not teach
        pair = names.SPECIALTIES["methodologist"]
    return pair[1] if russian else pair[0]


def _phone(rng) -> str:
    """A Kazakh mobile number as teachers write it: +7 7xx xxx xx xx."""
    code = rng.choice(names.MOBILE_CODES)
    return f"+7 {code} {rng.randint(200, 999)} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _email(rng, first_name, last_name, birth_date, used: set) -> str:
    """A unique lower-case address from the transliterated name, as people make them."""
    first, last = to_latin(first_name), to_latin(last_name)
    pattern = rng.randrange(4)
    if pattern == 0:
        local = f"{first}.{last}"
    elif pattern == 1:
        local = f"{first}_{last}{birth_date:%y}"
    elif pattern == 2:
        local = f"{last}.{first[:1]}{birth_date:%y}"
    else:
        local = f"{first}{last}{rng.randint(1, 999)}"
    domain = _weighted(rng, names.EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randint(1, 9999)}@{domain}"
    used.add(email)
    return email


def _save_teachers(*, teacher_plans: list) -> None:
    """Insert the teachers, their subjects, and one "+" history row (with subjects) each."""
    now = timezone.now()
    history_model, history_subjects_model = Teacher.history.model, _history_subjects_model()
    links_count = sum(len(plan.subject_ids) for plan in teacher_plans)
    teacher_ids = iter(allocate_ids(Teacher, len(teacher_plans)))
    history_ids = iter(allocate_ids(history_model, len(teacher_plans)))
    link_ids = iter(allocate_ids(Teacher.subjects.through, links_count))
    m2m_history_ids = iter(allocate_ids(history_subjects_model, links_count))
    teachers, links, history, history_links = [], [], [], []
    for plan in teacher_plans:
        row = plan.row
        row.update(id=next(teacher_ids), created_at=now, updated_at=now)
        teachers.append(row)
        history_id = next(history_ids)
        # The history model keeps the fields it tracks and drops the rest (search_text, ...).
        history.append(
            {
                **row,
                "history_id": history_id,
                "history_date": now,
                "history_change_reason": HISTORY_REASON,
                "history_type": "+",
                "history_user_id": None,
            }
        )
        for subject_id in plan.subject_ids:
            link = {"id": next(link_ids), "teacher_id": row["id"], "subject_id": subject_id}
            links.append(link)
            # As teacher_create's history row records them: the subjects at creation.
            history_links.append(
                {**link, "m2m_history_id": next(m2m_history_ids), "history_id": history_id}
            )
    insert_rows(Teacher, teachers)
    insert_rows(Teacher.subjects.through, links)
    insert_rows(history_model, history)
    insert_rows(history_subjects_model, history_links)


def _history_subjects_model():
    """simple-history's table of the subjects each history row had."""
    return django_apps.get_model("teachers", "HistoricalTeacher_subjects")


# --- Names ------------------------------------------------------------------------------------


def person_name(rng, *, origin: str, sex: str, age: int) -> tuple[str, str, str]:
    """(last, first, patronymic) as the person's documents spell them."""
    female = sex == Teacher.Sex.FEMALE
    if origin == RU:
        surname = rng.choice(names.RUSSIAN_SURNAMES)
        first = rng.choice(names.RUSSIAN_FEMALE_NAMES if female else names.RUSSIAN_MALE_NAMES)
        middle = rng.choice(names.RUSSIAN_PATRONYMICS)[1 if female else 0]
        return (feminine_surname(surname) if female else surname), first, middle
    if origin == UZ:
        surname = rng.choice(names.UZBEK_SURNAMES)
        first = rng.choice(names.UZBEK_FEMALE_NAMES if female else names.UZBEK_MALE_NAMES)
        father = rng.choice(names.UZBEK_FATHER_NAMES)
        last = feminine_surname(surname) if female else surname
        return last, first, russian_style_patronymic(father, female=female)
    surname = rng.choice(names.KAZAKH_SURNAMES)
    first = rng.choice(names.KAZAKH_FEMALE_NAMES if female else names.KAZAKH_MALE_NAMES)
    father = rng.choice(names.KAZAKH_FATHER_NAMES)
    # Kazakh-style patronymics (Серікұлы, Серікқызы) are more common among the young.
    if rng.random() < (0.5 if age < 35 else 0.35 if age < 50 else 0.2):
        if rng.random() < 0.15:
            last = surname_stem(surname)  # a surname without -ов/-ев, the same for both sexes
        else:
            last = feminine_surname(surname) if female else surname
        return last, first, f"{father}{'қызы' if female else 'ұлы'}"
    last = to_russian_spelling(feminine_surname(surname) if female else surname)
    patronymic = russian_style_patronymic(to_russian_spelling(father), female=female)
    return last, to_russian_spelling(first), patronymic


def feminine_surname(surname: str) -> str:
    """The feminine form of a surname stored masculine: Сейітов -> Сейітова."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return f"{surname}а"
    if surname.endswith("ий"):
        return f"{surname[:-2]}ая"
    return surname  # Шевченко, Ким


def surname_stem(surname: str) -> str:
    """Сейітов -> Сейіт, Сәрсенбаев -> Сәрсенбай: the surname as a bare name."""
    if surname.endswith("баев"):
        return f"{surname[:-4]}бай"
    if surname.endswith(("ов", "ев")):
        return surname[:-2]
    return surname


def russian_style_patronymic(father: str, *, female: bool) -> str:
    """Рустам -> Рустамович, Жумабай -> Жумабаевич, Абдулла -> Абдуллаевна."""
    if father.endswith("й"):
        return f"{father[:-1]}{'евна' if female else 'евич'}"
    if father.endswith(("а", "и")):
        return f"{father}{'евна' if female else 'евич'}"
    if father[-1] in "еёоуыэюяәіөұү":  # no Russian form: the Kazakh one instead
        return f"{father}{'қызы' if female else 'ұлы'}"
    return f"{father}{'овна' if female else 'ович'}"


_GUL = re.compile(r"([Гг])үл(?![аәеиоөуұүыіэюя])")
_LA = re.compile(r"([Лл])ә")
_TO_RUSSIAN = str.maketrans(
    {
        **names.KAZAKH_TO_RUSSIAN,
        **{k.upper(): v.upper() for k, v in names.KAZAKH_TO_RUSSIAN.items()},
    }
)


def to_russian_spelling(text: str) -> str:
    """Kazakh spelling as Russian-style documents write it: Айгүл -> Айгуль, Ләззат -> Ляззат."""
    text = _GUL.sub(r"\1уль", text)
    text = _LA.sub(lambda m: "Ля" if m.group(1) == "Л" else "ля", text)
    return text.translate(_TO_RUSSIAN)


def to_latin(text: str) -> str:
    """Lower-case Latin letters for e-mail addresses: Гүлнар -> gulnar."""
    return "".join(
        names.CYRILLIC_TO_LATIN.get(c, c if c.isascii() and c.isalnum() else "")
        for c in text.lower()
    )


# --- Demo accounts ----------------------------------------------------------------------------


def create_demo_accounts(*, rng, ref: Reference, demo_school, teacher_plans) -> list:
    """One login per role over the demo school, district 6110 and the region; e-mail verified."""
    district = next(d for d in ref.districts if d.kato == DEMO_DISTRICT_KATO)
    targets = {"organization": demo_school, "district": district, "region": ref.region}
    linked = _demo_teacher(teacher_plans, demo_school)
    accounts = []
    for login, role, scope, language, origin in DEMO_ACCOUNTS:
        email = f"{login}@{DEMO_EMAIL_DOMAIN}"
        if origin == "teacher":
            first_name, last_name = linked["first_name"], linked["last_name"]
        else:
            sex = rng.choice((Teacher.Sex.FEMALE, Teacher.Sex.MALE))
            last_name, first_name, _middle = person_name(
                rng, origin=origin, sex=sex, age=rng.randint(30, 55)
            )
        user = User.objects.create_user(
            email,
            password=settings.DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
            is_staff=role == Role.REGION_ADMIN,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if scope == "none":
            role_assignment_create(user=user, role=role)
            linked.update(user_id=user.pk, email=email)
            scope_label = " ".join((linked["last_name"], linked["first_name"]))
        else:
            role_assignment_create(user=user, role=role, **{scope: targets[scope]})
            scope_label = str(targets[scope])
        accounts.append(DemoAccount(email=email, role=str(Role(role).label), scope=scope_label))
    return accounts


def _provider_account(*, rng, accounts: list) -> User:
    """The PD provider's staff member who also trains the demo runs (no regional role)."""
    email = f"provider@{DEMO_EMAIL_DOMAIN}"
    last_name, first_name, _middle = person_name(
        rng, origin=KK, sex=Teacher.Sex.FEMALE, age=rng.randint(35, 55)
    )
    user = User.objects.create_user(
        email,
        password=settings.DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        preferred_language=KK,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    accounts.append(
        DemoAccount(email=email, role=_("PD provider staff and trainer"), scope="«Өрлеу» (ORL)")
    )
    return user


def _demo_teacher(teacher_plans, demo_school) -> dict:
    """The demo school's first subject teacher (or, in a tiny demo, its last member of staff)."""
    staff = [p for p in teacher_plans if p.row["organization_id"] == demo_school.pk]
    for plan in staff:
        if plan.position == "teacher":
            return plan.row
    return staff[-1].row


# --- Helpers ----------------------------------------------------------------------------------


def _load_reference() -> Reference:
    """The reference rows the data migrations seed, looked up by code (never by DB order)."""
    try:
        region = Region.objects.get(kato=REGION_KATO)
    except Region.DoesNotExist:
        raise DemoDataError(_("The region is missing: run the migrations first.")) from None
    districts = list(District.objects.filter(kato__in=DISTRICT_PROFILES).order_by("kato"))
    missing = sorted(set(DISTRICT_PROFILES) - {d.kato for d in districts})
    if missing:
        raise DemoDataError(
            _("Districts are missing (%(codes)s): run the migrations first.")
            % {"codes": ", ".join(missing)}
        )
    return Reference(
        region=region,
        districts=districts,
        languages={x.code: x for x in InstructionLanguage.objects.all()},
        categories={x.code: x for x in QualificationCategory.objects.all()},
        positions={x.code: x for x in Position.objects.all()},
        subjects={x.code: x for x in Subject.objects.all()},
    )


def _rng(seed: int, stream: str) -> random.Random:
    """One generator per phase, so a change in one phase leaves the others' data alone."""
    return random.Random(f"{seed}:{stream}")  # str seeds are hashed with SHA-512: stable


@functools.cache
def _cumulative(pairs: tuple) -> tuple[tuple, tuple]:
    """Items and cumulative weights of a weight table, computed once per table."""
    return tuple(p[0] for p in pairs), tuple(itertools.accumulate(p[1] for p in pairs))


def _weighted(rng, pairs: tuple):
    """The first item of one of the (item, weight) pairs, drawn by weight (as rng.choices)."""
    items, cumulative = _cumulative(pairs)
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each part >= `minimum`."""
    parts = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    weight_sum = sum(weights)
    if rest <= 0 or weight_sum <= 0:
        return parts
    quotas = [rest * w / weight_sum for w in weights]
    floors = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (floors[i] - quotas[i], i))
    for i in by_remainder[: rest - sum(floors)]:
        floors[i] += 1
    return [p + f for p, f in zip(parts, floors, strict=True)]


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same day some years on (28 February for 29 February), as validity periods count."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
