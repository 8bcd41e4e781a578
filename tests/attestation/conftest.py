"""Attestation fixtures: an open cycle of the region with the default rules, and a way
to make a teacher's application complete (test result, essay, documents)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.attestation import services
from apps.attestation.models import TestResult
from apps.organizations.models import InstructionLanguage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cycle(world):
    today = timezone.localdate()
    admin = world.users["region_admin"]
    cycle = services.cycle_create(
        actor=admin,
        region=world.region,
        school_year="2026-2027",
        application_opens=today - dt.timedelta(days=5),
        application_closes=today + dt.timedelta(days=30),
        review_starts=today + dt.timedelta(days=40),
        review_ends=today + dt.timedelta(days=200),
        essay_topic_kk="Мұғалімнің кәсіби өсуі",
        essay_topic_ru="Профессиональный рост учителя",
    )
    return services.cycle_set_status(cycle=cycle, actor=admin, status="open")


def pdf_upload(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def passing_test_result(teacher, *, percent=90, taken_on=None, number=None):
    return TestResult.objects.create(
        teacher=teacher,
        taken_on=taken_on or timezone.localdate() - dt.timedelta(days=10),
        language=InstructionLanguage.objects.get(code="kk"),
        score=Decimal(percent) / 2,
        max_score=Decimal(50),
        certificate_number=number or f"OZP-{teacher.pk}-{percent}",
        source=TestResult.Source.MANUAL,
    )


def make_complete(application, *, actor):
    """Everything the checklist asks of the application itself (test, essay, documents);
    PD hours are the teacher's: credit them with `credit_pd_hours`."""
    passing_test_result(application.teacher)
    application = services.application_update(
        application=application, actor=actor, essay_text="сөз " * 260, essay_language="kk"
    )
    services.evidence_add(
        application=application, actor=actor, file=pdf_upload(), criterion="diploma", title="Диплом"
    )
    if application.current_category_id:
        services.evidence_add(
            application=application,
            actor=actor,
            file=pdf_upload(),
            criterion="category_document",
            title="Санат туралы куәлік",
        )
    return application


def credit_pd_hours(teacher, hours=80):
    """Confirmed external PD, the quickest honest way to give a teacher PD hours."""
    from apps.courses.models import ExternalTraining

    today = timezone.localdate()
    return ExternalTraining.objects.create(
        teacher=teacher,
        title="Курс",
        provider_name="Өрлеу",
        hours=hours,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=50),
        file=pdf_upload(),
        file_type="pdf",
        status=ExternalTraining.Status.CONFIRMED,
    )


# --- Attestation II: commissions and accepted applications ------------------------------------


def commission_with_members(
    cycle,
    *,
    level="district",
    organization=None,
    district=None,
    voting=7,
    secretary=True,
    formed=True,
    experience_years=10,
):
    """A commission (by default of Turkistan city, 6110, which attests expert claims of
    schools A and B) with a chair, `voting - 1` members and a secretary, made directly."""
    from apps.attestation.models import Commission, CommissionMember

    from ..factories import UserFactory
    from ..factories import district as district_by_kato

    if level == "district" and district is None:
        district = district_by_kato("6110")
    commission = Commission.objects.create(
        cycle=cycle,
        level=level,
        organization=organization if level == "organization" else None,
        district=district if level == "district" else None,
        name_kk="Аттестаттау комиссиясы",
        name_ru="Аттестационная комиссия",
        status=Commission.Status.FORMED if formed else Commission.Status.FORMING,
        formed_on=timezone.localdate() if formed else None,
    )
    roles = ["chair"] + ["member"] * (voting - 1) + (["secretary"] if secretary else [])
    for n, role in enumerate(roles):
        user = UserFactory()
        CommissionMember.objects.create(
            commission=commission,
            user=user,
            role=role,
            full_name=f"Мүше {n + 1} Комиссия",
            position="Әдіскер",
            experience_years=experience_years,
        )
    return commission


def accepted_application(world, cycle, teacher, *, claimed="expert", actor=None):
    """A complete application of `teacher`, submitted and accepted through the services
    (so it is given the commission of its body, if one exists by then)."""
    from apps.teachers.models import QualificationCategory

    actor = actor or world.users["superuser"]
    application = services.application_start(
        cycle=cycle,
        teacher=teacher,
        claimed_category=QualificationCategory.objects.get(code=claimed),
        actor=actor,
    )
    credit_pd_hours(teacher)
    application = make_complete(application, actor=actor)
    application = services.application_submit(application=application, actor=actor)
    return services.application_accept(application=application, actor=actor)


def submit_review_sheets(applications, *, total=None):
    """Every voting member of each application's commission who does not sit it out
    submits a scoring sheet of its current version through the service, of `total` points
    (by default the claimed category's threshold: the mean just meets it), the criteria
    filled in order up to their maxima."""
    from apps.attestation.exclusions import excluded_members
    from apps.attestation.scoring import review_summaries
    from apps.attestation.services import commissions

    applications = list(applications)
    thresholds = review_summaries(applications)
    for application in applications:
        commission = application.commission
        criteria = list(application.cycle.review_criteria.all())
        left = (thresholds[application.pk].threshold or 0) if total is None else total
        scores = {}
        for criterion in criteria:
            scores[criterion.code] = min(left, criterion.max_points)
            left -= scores[criterion.code]
        assert left == 0, "more points than the sheet has"
        members = list(commission.members.exclude(role="secretary").select_related("user"))
        sitting_out = excluded_members(commission, [application], members)
        for member in members:
            if (application.pk, member.pk) not in sitting_out:
                commissions.review_save(
                    application=application, actor=member.user, scores=scores, submit=True
                )


@pytest.fixture
def english(world):
    """The pages and messages in English, whatever the users' own languages."""
    from django.utils import translation

    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded and generated files under the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
