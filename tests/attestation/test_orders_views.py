"""Order pages through the client: who sees the list (in constant queries) and which
orders, a new order for a commission's decisions (prefilled, refusals shown on the form),
an order with its certificates and the documents' progress, the ministry's decision form,
and a category certificate's page, PDF and revocation."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.attestation.models import (
    Application,
    CategoryCertificate,
    CommissionSession,
    Decision,
    Order,
)
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory

from .conftest import accepted_application, commission_with_members, credit_pd_hours
from .test_orders_services import decided, issue

pytestmark = pytest.mark.usefixtures("private_storage")

LIST = reverse("attestation:order_list")
NEW = reverse("attestation:order_create")


@pytest.fixture(autouse=True)
def english(world):
    """The English interface: the messages asserted are the source texts."""
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


@pytest.fixture
def commission(cycle):
    return commission_with_members(cycle)


@pytest.fixture
def order(world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    return issue(world.users["methodologist"], [decision], number="12-к")


def signed_in(client, world, role):
    client.force_login(world.users[role])
    return client


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


# --- the list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("no_role", 403),
        ("teacher", 403),
        ("school_admin", 200),
        ("methodologist", 200),
        ("commission_member", 200),
        ("hr_analyst", 200),
        ("region_admin", 200),
    ],
)
def test_who_sees_the_list(client, world, order, role, status):
    response = signed_in(client, world, role).get(LIST)
    assert response.status_code == status
    if status == 200:
        shown = list(response.context["page"].object_list)
        # The district's order is outside a school administrator's scope.
        assert shown == ([] if role == "school_admin" else [order])


def test_the_list_needs_sign_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302


def test_the_list_shows_the_count_and_offers_a_new_order_to_issuers(client, world, order):
    response = signed_in(client, world, "methodologist").get(LIST)
    html = response.content.decode()
    assert "No. 12-к" in html
    assert response.context["page"].object_list[0].certificate_count == 1
    assert NEW in html
    assert NEW not in signed_in(client, world, "hr_analyst").get(LIST).content.decode()


def _orders(cycle, commission, count, *, prefix):
    Order.objects.bulk_create(
        Order(
            cycle=cycle,
            commission=commission,
            number=f"{prefix}-{n}",
            dated=timezone.localdate(),
            issuing_body_kk="Бөлім",
            issuing_body_ru="Отдел",
        )
        for n in range(count)
    )


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_list_in_constant_queries(
    client, world, cycle, commission, order, django_assert_max_num_queries
):
    signed_in(client, world, "methodologist")
    _orders(cycle, commission, 2, prefix="A")
    small = _list_queries(client)
    _orders(cycle, commission, 40, prefix="B")
    with django_assert_max_num_queries(small):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25
    assert _list_queries(client) == small


# --- a new order ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "hr_analyst", "commission_member", "no_role"])
def test_only_issuers_open_the_new_order_page(client, world, role):
    assert signed_in(client, world, role).get(NEW).status_code == 403


def test_the_form_lists_the_commissions_decisions_ticked_and_prefilled(
    client, world, cycle, commission
):
    decisions = [decided(world, cycle, t) for t in (world.teacher_a, world.teacher_b)]
    keep = decided(world, cycle, TeacherFactory(organization=world.school_b), outcome="keep")
    response = signed_in(client, world, "methodologist").get(NEW, {"commission": commission.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields["decisions"].initial) == {d.pk for d in decisions}
    assert keep.pk not in {d.pk for d in form.fields["decisions"].queryset}
    assert form.fields["issuing_body_ru"].initial == commission.name_ru
    assert form.fields["dated"].initial == timezone.localdate()
    html = response.content.decode()
    assert html.count('type="checkbox" name="decisions"') == 2
    assert html.count("checked") >= 2
    assert world.teacher_a.full_name in html


def test_a_session_preselects_its_own_decisions(client, world, cycle, commission):
    session = CommissionSession.objects.create(
        commission=commission, starts_at=timezone.now(), place="Мәжіліс залы"
    )
    ours = decided(world, cycle, world.teacher_a)
    Decision.objects.filter(pk=ours.pk).update(session=session)
    decided(world, cycle, world.teacher_b)  # the same commission, another session
    response = signed_in(client, world, "methodologist").get(NEW, {"session": session.pk})
    assert response.context["session"] == session
    assert response.context["commission"] == commission
    assert response.context["form"].fields["decisions"].initial == [ours.pk]


def test_an_organisations_commission_prefills_the_organisations_name(client, world, cycle):
    commission = commission_with_members(cycle, level="organization", organization=world.school_a)
    response = signed_in(client, world, "school_admin").get(NEW, {"commission": commission.pk})
    form = response.context["form"]
    assert form.fields["issuing_body_kk"].initial == world.school_a.name_kk
    assert form.fields["issuing_body_ru"].initial == world.school_a.name_ru


def test_without_a_commission_the_only_one_waiting_is_taken_or_one_is_chosen(
    client, world, cycle, commission
):
    signed_in(client, world, "region_admin")
    response = client.get(NEW)
    assert response.templates[0].name == "attestation/orders/order_choose.html"
    assert response.context["choices"] == []
    decided(world, cycle, world.teacher_a)
    response = client.get(NEW)
    assert response.context["commission"] == commission
    other = commission_with_members(cycle, level="organization", organization=world.school_c)
    theirs = decided(world, cycle, world.teacher_c, commission=other)
    Application.objects.filter(pk=theirs.application_id).update(commission=other)
    response = client.get(NEW)
    assert response.templates[0].name == "attestation/orders/order_choose.html"
    assert {c.pk for c, _count in response.context["choices"]} == {commission.pk, other.pk}
    assert f"?commission={other.pk}" in response.content.decode()


def test_issuing_an_order_through_the_page(
    client, world, cycle, commission, django_capture_on_commit_callbacks
):
    decision = decided(world, cycle, world.teacher_a)
    signed_in(client, world, "methodologist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{NEW}?commission={commission.pk}",
            {
                "decisions": [decision.pk],
                "number": "21-к",
                "dated": yesterday(),
                "issuing_body_kk": "Түркістан қаласының білім бөлімі",
                "issuing_body_ru": "Отдел образования города Туркестан",
                "signed_by": "А. Бекова",
            },
        )
    order = Order.objects.get(number="21-к")
    assert response.status_code == 302
    assert response["Location"] == reverse("attestation:order_detail", args=[order.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Order No. 21-к is recorded: 1 category certificate issued."
    ]
    assert order.certificates.get().teacher == world.teacher_a


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"number": ""}, "number", "This field is required."),
        ({"decisions": []}, "decisions", "Tick the decisions the order puts into force."),
        ({"dated": "2999-01-01"}, "dated", "The order date cannot be in the future."),
    ],
)
def test_bad_input_is_shown_on_the_form(client, world, cycle, commission, data, field, message):
    decision = decided(world, cycle, world.teacher_a)
    values = {
        "decisions": [decision.pk],
        "number": "21-к",
        "dated": yesterday(),
        "issuing_body_kk": "Бөлім",
        "issuing_body_ru": "Отдел",
    } | data
    response = signed_in(client, world, "methodologist").post(
        f"{NEW}?commission={commission.pk}", values
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_a_refused_order_says_why_on_the_form(client, world, cycle, commission, order):
    second = decided(world, cycle, world.teacher_b)
    response = signed_in(client, world, "methodologist").post(
        f"{NEW}?commission={commission.pk}",
        {
            "decisions": [second.pk],
            "number": "12-к",
            "dated": order.dated.isoformat(),
            "issuing_body_kk": order.issuing_body_kk,
            "issuing_body_ru": order.issuing_body_ru,
        },
    )
    assert response.status_code == 200
    assert "This body already has an order No. 12-к" in response.content.decode()
    assert Order.objects.count() == 1


def test_decisions_outside_the_scope_are_not_offered(client, world, cycle, commission):
    decision = decided(world, cycle, world.teacher_a)
    response = signed_in(client, world, "school_admin").post(
        f"{NEW}?commission={commission.pk}",
        {
            "decisions": [decision.pk],
            "number": "1",
            "dated": yesterday(),
            "issuing_body_kk": "Б",
            "issuing_body_ru": "О",
        },
    )
    # The district's commission is not the school's to see: nothing is offered or issued.
    assert response.status_code == 200
    assert response.context["choices"] == []
    assert not Order.objects.exists()


def test_a_decision_of_another_commission_cannot_be_slipped_in(client, world, cycle, commission):
    other = commission_with_members(cycle, level="organization", organization=world.school_c)
    theirs = decided(world, cycle, world.teacher_c, commission=other)
    Application.objects.filter(pk=theirs.application_id).update(commission=other)
    response = signed_in(client, world, "methodologist").post(
        f"{NEW}?commission={commission.pk}",
        {
            "decisions": [theirs.pk],
            "number": "1",
            "dated": yesterday(),
            "issuing_body_kk": "Б",
            "issuing_body_ru": "О",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["decisions"] == [
        f"Select a valid choice. {theirs.pk} is not one of the available choices."
    ]
    assert not Order.objects.exists()


# --- an order --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 404),
        ("school_admin", 404),
        ("methodologist", 200),
        ("commission_member", 200),
        ("region_admin", 200),
    ],
)
def test_who_sees_an_order(client, world, order, role, status):
    url = reverse("attestation:order_detail", args=[order.pk])
    assert signed_in(client, world, role).get(url).status_code == status


def test_a_member_of_the_commission_without_a_staff_role_sees_its_order(
    client, world, order, commission
):
    member = commission.members.first().user
    client.force_login(member)
    url = reverse("attestation:order_detail", args=[order.pk])
    assert client.get(url).status_code == 200


def test_the_order_page_links_the_certificates_and_shows_the_progress(client, world, order):
    certificate = order.certificates.get()
    job = order.document_jobs.get()
    url = reverse("attestation:order_detail", args=[order.pk])
    response = signed_in(client, world, "methodologist").get(url)
    html = response.content.decode()
    assert reverse("attestation:category_certificate_detail", args=[certificate.pk]) in html
    assert certificate.register_number in html
    # The worker has not run: the bar polls the document job.
    assert f'hx-get="{reverse("attestation:document_job_detail", args=[job.pk])}"' in html
    assert reverse("attestation:document_job_download", args=[job.pk]) not in html


def test_a_finished_order_offers_the_merged_pdf(
    client, world, cycle, commission, django_capture_on_commit_callbacks
):
    decision = decided(world, cycle, world.teacher_a)
    with django_capture_on_commit_callbacks(execute=True):
        order = issue(world.users["methodologist"], [decision])
    job = order.document_jobs.get()
    url = reverse("attestation:order_detail", args=[order.pk])
    html = signed_in(client, world, "methodologist").get(url).content.decode()
    download = reverse("attestation:document_job_download", args=[job.pk])
    assert download in html
    assert "hx-get" not in html
    assert client.get(download).status_code == 200


def test_the_order_page_in_constant_queries(client, world, cycle, commission):
    def queries_for(order) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("attestation:order_detail", args=[order.pk]))
        assert response.status_code == 200
        return len(queries.captured_queries)

    signed_in(client, world, "region_admin")
    one = issue(world.users["region_admin"], [decided(world, cycle, world.teacher_a)], number="1")
    teachers = [TeacherFactory(organization=world.school_b) for _ in range(5)]
    five = issue(
        world.users["region_admin"], [decided(world, cycle, t) for t in teachers], number="5"
    )
    assert queries_for(one) == queries_for(five)


# --- the ministry's decision ---------------------------------------------------------------------


@pytest.fixture
def master_claim(world, cycle):
    teacher = TeacherFactory(
        organization=world.school_a,
        category=QualificationCategory.objects.get(code="researcher"),
        experience_start=dt.date(2000, 9, 1),
    )
    credit_pd_hours(teacher, hours=108)
    return accepted_application(world, cycle, teacher, claimed="master")


def ministry_url(application) -> str:
    return reverse("attestation:ministry_decision_record", args=[application.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 404), ("school_admin", 403), ("methodologist", 403), ("region_admin", 200)],
)
def test_who_records_a_ministry_decision(client, world, master_claim, role, status):
    assert signed_in(client, world, role).get(ministry_url(master_claim)).status_code == status


def test_recording_a_ministry_decision_through_the_page(client, world, master_claim):
    response = signed_in(client, world, "region_admin").post(
        ministry_url(master_claim),
        {
            "outcome": "meets",
            "decided_on": yesterday(),
            "order_number": "345",
            "order_dated": yesterday(),
        },
    )
    decision = Decision.objects.get(application=master_claim)
    assert response.status_code == 302
    assert response["Location"] == reverse("attestation:order_detail", args=[decision.order_id])
    assert decision.order.issuing_body_ru == "Министерство просвещения Республики Казахстан"


def test_a_ministry_decision_with_bad_input_shows_why(client, world, master_claim):
    response = signed_in(client, world, "region_admin").post(
        ministry_url(master_claim),
        {"outcome": "lower", "decided_on": yesterday(), "reasons": "Балл жеткіліксіз"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assigned_category"] == [
        "Choose the lower category the ministry assigned."
    ]
    assert not Decision.objects.exists()
    offered = {c.code for c in response.context["form"].fields["assigned_category"].queryset}
    assert offered == {"intern", "teacher", "moderator", "expert", "researcher"}


# --- a category certificate ----------------------------------------------------------------------


def certificate_url(name, certificate) -> str:
    return reverse(f"attestation:{name}", args=[certificate.pk])


@pytest.mark.parametrize(
    ("role", "status", "may_revoke"),
    [
        ("teacher", 200, False),  # their own
        ("school_admin", 200, False),
        ("hr_analyst", 200, False),
        ("methodologist", 200, True),
        ("region_admin", 200, True),
        ("no_role", 404, False),
    ],
)
def test_who_sees_a_certificate_and_who_may_revoke_it(
    client, world, order, role, status, may_revoke
):
    certificate = order.certificates.get()
    response = signed_in(client, world, role).get(
        certificate_url("category_certificate_detail", certificate)
    )
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert certificate.register_number in html
        assert (certificate_url("category_certificate_revoke", certificate) in html) is may_revoke


def test_a_certificate_of_another_school_is_not_found(client, world, cycle, commission):
    decision = decided(world, cycle, world.teacher_b)
    order = issue(world.users["methodologist"], [decision])
    url = certificate_url("category_certificate_detail", order.certificates.get())
    assert signed_in(client, world, "school_admin").get(url).status_code == 404


def test_the_holder_downloads_the_pdf_rendered_on_demand(client, world, order):
    certificate = order.certificates.get()
    assert not certificate.pdf  # the worker has not run
    response = signed_in(client, world, "teacher").get(
        certificate_url("category_certificate_pdf", certificate)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.pdf_sha256


def test_the_pdf_of_another_school_is_not_found(client, world, cycle, commission):
    order = issue(world.users["methodologist"], [decided(world, cycle, world.teacher_b)])
    url = certificate_url("category_certificate_pdf", order.certificates.get())
    assert signed_in(client, world, "school_admin").get(url).status_code == 404


def test_revoking_through_the_page(client, world, order):
    certificate = order.certificates.get()
    url = certificate_url("category_certificate_revoke", certificate)
    signed_in(client, world, "methodologist")
    assert client.get(url).status_code == 405
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200
    assert empty.context["revoke_form"].errors["reason"] == ["This field is required."]
    response = client.post(url, {"reason": "Қате берілген"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "Қате берілген")
    html = client.get(certificate_url("category_certificate_detail", certificate)).content.decode()
    assert "Қате берілген" in html
    assert url not in html  # nothing more to revoke


@pytest.mark.parametrize("role", ["teacher", "school_admin", "hr_analyst"])
def test_those_who_may_not_revoke_get_403(client, world, order, role):
    certificate = order.certificates.get()
    url = certificate_url("category_certificate_revoke", certificate)
    response = signed_in(client, world, role).post(url, {"reason": "x"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CategoryCertificate.Status.VALID
