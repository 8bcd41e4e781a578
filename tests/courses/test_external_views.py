"""External PD pages: the teacher's upload, the reviewers' queue and review, the private
file, and the PD panel on the teacher's page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.courses.models import Enrolment, ExternalTraining
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    EnrolmentFactory,
    ExternalTrainingFactory,
    TeacherFactory,
)

Status = ExternalTraining.Status


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "title": "Критериальное оценивание",
        "provider_name": "ЦПМ НИШ",
        "number": "CPM-000777",
        "hours": "36",
        "starts_on": (today.replace(day=1)).isoformat(),
        "ends_on": today.isoformat(),
        "file": SimpleUploadedFile("certificate.pdf", PDF_BYTES, "application/pdf"),
    }
    return {**data, **overrides}


# --- upload -------------------------------------------------------------------------------------


def test_a_teacher_uploads_a_certificate_for_their_own_record(client, world):
    client.force_login(world.users["teacher"])
    assert client.get(reverse("courses:external_create")).status_code == 200

    response = client.post(reverse("courses:external_create"), form_data())

    item = ExternalTraining.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:external_detail", args=[item.pk])
    assert (item.teacher, item.file_type, item.status) == (world.teacher_a, "pdf", Status.PENDING)


@pytest.mark.parametrize("role", ["methodologist", "school_admin", "no_role"])
def test_only_a_teacher_with_a_record_may_upload(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("courses:external_create")).status_code == 403
    assert client.post(reverse("courses:external_create"), form_data()).status_code == 403
    assert not ExternalTraining.objects.exists()


@pytest.mark.parametrize(
    ("file", "field"),
    [
        (SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00" + b"\x00" * 60), "file"),
        (SimpleUploadedFile("certificate.pdf", b"plain text"), "file"),
        (SimpleUploadedFile("certificate.pdf", PDF_BYTES + b"0" * 2048), "file"),
    ],
    ids=["exe", "text", "too large"],
)
def test_a_bad_file_is_shown_on_the_file_field(client, world, settings, file, field):
    settings.EXTERNAL_PD_MAX_BYTES = 1024
    client.force_login(world.users["teacher"])

    response = client.post(reverse("courses:external_create"), form_data(file=file))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ExternalTraining.objects.exists()


def test_dates_are_checked_on_their_fields(client, world):
    client.force_login(world.users["teacher"])
    today = timezone.localdate()

    backwards = client.post(
        reverse("courses:external_create"),
        form_data(starts_on=today.isoformat(), ends_on="2020-01-01"),
    )
    future = client.post(
        reverse("courses:external_create"),
        form_data(starts_on=today.isoformat(), ends_on="2999-01-01"),
    )

    assert list(backwards.context["form"].errors) == ["ends_on"]
    assert list(future.context["form"].errors) == ["ends_on"]
    assert not ExternalTraining.objects.exists()


# --- the review queue ---------------------------------------------------------------------------


@pytest.fixture
def items(world):
    """A pending upload of a teacher in each school, and a confirmed one in school A."""
    return {
        "a": ExternalTrainingFactory(teacher=world.teacher_a),
        "b": ExternalTrainingFactory(teacher=world.teacher_b),
        "c": ExternalTrainingFactory(teacher=world.teacher_c),
        "a_confirmed": ExternalTrainingFactory(teacher=world.teacher_a, status=Status.CONFIRMED),
    }


def listed(client, **params):
    response = client.get(reverse("courses:external_list"), params)
    assert response.status_code == 200
    return {item.pk for item in response.context["page"].object_list}


def test_the_queue_holds_the_reviewers_scope(client, world, items):
    client.force_login(world.users["methodologist"])  # the city: schools A and B
    assert listed(client) == {items["a"].pk, items["b"].pk}
    assert listed(client, status="confirmed") == {items["a_confirmed"].pk}
    assert listed(client, status="nonsense") == {items["a"].pk, items["b"].pk}

    client.force_login(world.users["region_admin"])
    assert listed(client) == {items["a"].pk, items["b"].pk, items["c"].pk}


@pytest.mark.parametrize("role", ["teacher", "school_admin", "hr_analyst", "no_role"])
def test_the_queue_is_for_reviewers_only(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("courses:external_list")).status_code == 403


def test_the_queue_is_paginated_with_the_same_queries_for_few_and_many(client, world):
    client.force_login(world.users["methodologist"])
    url = reverse("courses:external_list")
    for _ in range(3):
        ExternalTrainingFactory(teacher=TeacherFactory(organization=world.school_a))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(27):
        ExternalTrainingFactory(teacher=TeacherFactory(organization=world.school_b))

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30
    assert {value: count for value, _label, count in response.context["tabs"]} == {
        "pending": 30,
        "confirmed": 0,
        "rejected": 0,
    }


# --- the detail page and review -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "letter", "status"),
    [
        ("teacher", "a", 200),
        ("teacher", "b", 404),
        ("methodologist", "b", 200),
        ("methodologist", "c", 404),
        ("hr_analyst", "c", 200),
        ("school_admin", "a", 200),
        ("school_admin", "b", 404),
        ("no_role", "a", 404),
    ],
)
def test_who_sees_an_upload(client, world, items, role, letter, status):
    client.force_login(world.users[role])
    url = reverse("courses:external_detail", args=[items[letter].pk])
    assert client.get(url).status_code == status


def test_a_reviewer_confirms_from_the_page(client, world, items):
    client.force_login(world.users["methodologist"])
    url = reverse("courses:external_detail", args=[items["a"].pk])
    assert 'value="confirm"' in client.get(url).content.decode()

    response = client.post(url, {"decision": "confirm", "comment": ""})

    assert response["Location"] == reverse("courses:external_list")
    items["a"].refresh_from_db()
    assert (items["a"].status, items["a"].reviewed_by) == (
        Status.CONFIRMED,
        world.users["methodologist"],
    )


def test_a_rejection_needs_a_reason(client, world, items):
    client.force_login(world.users["methodologist"])
    url = reverse("courses:external_detail", args=[items["b"].pk])

    response = client.post(url, {"decision": "reject", "comment": " "})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["comment"]
    items["b"].refresh_from_db()
    assert items["b"].status == Status.PENDING

    client.post(url, {"decision": "reject", "comment": "The dates do not match the scan."})
    items["b"].refresh_from_db()
    assert (items["b"].status, items["b"].review_comment) == (
        Status.REJECTED,
        "The dates do not match the scan.",
    )


@pytest.mark.parametrize("role", ["teacher", "hr_analyst", "school_admin"])
def test_who_may_not_review_from_the_page(client, world, items, role):
    client.force_login(world.users[role])
    url = reverse("courses:external_detail", args=[items["a"].pk])

    assert 'value="confirm"' not in client.get(url).content.decode()
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    items["a"].refresh_from_db()
    assert items["a"].status == Status.PENDING


# --- the private file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 200),
        ("methodologist", 200),
        ("region_admin", 200),
        ("school_admin", 200),
        ("commission_member", 200),
        ("no_role", 404),
    ],
)
def test_the_file_is_served_inline_only_to_those_who_may_see_it(client, world, role, status):
    item = ExternalTrainingFactory(teacher=world.teacher_a)
    client.force_login(world.users[role])

    response = client.get(reverse("courses:external_file", args=[item.pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_content_type_is_the_one_found_at_upload(client, world):
    item = ExternalTrainingFactory(
        teacher=world.teacher_a,
        file__filename="scan.pdf",  # the name says PDF; the content said PNG
        file__data=PNG_BYTES,
        file_type="png",
    )
    client.force_login(world.users["teacher"])

    response = client.get(reverse("courses:external_file", args=[item.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="external-pd-{item.pk}.png"'


def test_another_teachers_file_is_not_found(client, world):
    other = TeacherFactory(organization=world.school_a)
    item = ExternalTrainingFactory(teacher=other)
    client.force_login(world.users["teacher"])

    assert client.get(reverse("courses:external_file", args=[item.pk])).status_code == 404


# --- the PD panel on the teacher's page ---------------------------------------------------------


def test_the_panel_warns_without_pd_and_offers_the_upload(client, world):
    client.force_login(world.users["teacher"])

    html = client.get(reverse("teachers:detail", args=[world.teacher_a.pk])).content.decode()

    assert 'id="pd-period-warning"' in html
    assert reverse("courses:external_create") in html


def test_the_panel_lists_courses_and_certificates_with_their_hours(client, world):
    enrolment = EnrolmentFactory(
        teacher=world.teacher_a,
        status=Enrolment.Status.COMPLETED,
        hours_credited=72,
        completed_on=timezone.localdate(),
    )
    item = ExternalTrainingFactory(teacher=world.teacher_a, status=Status.CONFIRMED, hours=36)
    client.force_login(world.users["methodologist"])

    response = client.get(reverse("teachers:detail", args=[world.teacher_a.pk]))

    html = response.content.decode()
    assert 'id="pd-period-warning"' not in html
    assert reverse("courses:enrolment_detail", args=[enrolment.pk]) in html
    assert reverse("courses:external_detail", args=[item.pk]) in html
    assert reverse("courses:external_create") not in html  # not their record
    [panel] = [ctx for _template, ctx in response.context["panels"] if "hours_period" in ctx]
    assert (panel["hours_period"].total, panel["hours_all"].total) == (108, 108)
