"""Appeal pages through the client: the Decision section of the application page with its
appeal button, lodging, the reviewers' list (constant queries), the appeal page and the
answer, and who gets 403 or 404 on each."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import (
    Appeal,
    AppealEvent,
    Application,
    CategoryCertificate,
    CommissionSession,
    Decision,
    Level,
    Order,
)
from apps.attestation.services import appeals
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from .conftest import commission_with_members
from .test_appeals_services import decide, decided, lodge

pytestmark = pytest.mark.usefixtures("english", "private_storage")

S = Application.Status


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def today():
    return timezone.localdate()


def other_school_admin(world):
    user = UserFactory()
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    return user


def certificate_for(decision, *, number="ATT-2026-000001"):
    order = Order.objects.create(
        cycle=decision.application.cycle,
        number=f"12-ө/{number[-2:]}",
        dated=today(),
        issuing_body_kk="Білім бөлімі",
        issuing_body_ru="Отдел образования",
    )
    teacher = decision.application.teacher
    return CategoryCertificate.objects.create(
        decision=decision,
        teacher=teacher,
        order=order,
        register_number=number,
        year=today().year,
        code=number.replace("-", "")[-12:],
        holder_name=teacher.full_name,
        holder_iin=teacher.iin,
        category_kk="педагог-сарапшы",
        category_ru="педагог-эксперт",
        position_kk="мұғалім",
        position_ru="учитель",
        organization_kk="Мектеп",
        organization_ru="Школа",
        issuing_body_kk="Білім бөлімі",
        issuing_body_ru="Отдел образования",
        order_number="12-ө",
        order_date=today(),
        decided_on=decision.decided_on,
        valid_until=today().replace(year=today().year + 5),
        issued_on=today(),
    )


# --- the application page -----------------------------------------------------------------------


def test_the_decision_section_offers_the_appeal_to_the_teacher(client, world, cycle):
    decision = decided(world, cycle)
    certificate = certificate_for(decision)
    client.force_login(world.users["teacher"])

    response = client.get(url("application_detail", decision.application_id))

    page = response.content.decode()
    section = response.context["decision_section"]
    assert (section.decision, section.certificate, section.appeal_open) == (
        decision,
        certificate,
        True,
    )
    assert 'id="h-decision"' in page
    assert "meets the claimed category".capitalize() in page
    assert "95.50" in page  # portfolio points
    assert url("category_certificate_detail", certificate.pk) in page
    assert url("appeal_lodge", decision.pk) in page
    # The rest of the page is still there.
    assert 'id="h-checklist"' in page and 'id="history"' in page


def test_staff_see_the_decision_but_no_appeal_button(client, world, cycle):
    decision = decided(world, cycle)
    client.force_login(world.users["school_admin"])
    page = client.get(url("application_detail", decision.application_id)).content.decode()
    assert 'id="h-decision"' in page
    assert url("appeal_lodge", decision.pk) not in page


def test_no_button_once_the_window_closed_or_an_appeal_is_open(client, world, cycle):
    decision = decided(world, cycle, decided_on=today() - dt.timedelta(days=30))
    client.force_login(world.users["teacher"])
    detail = url("application_detail", decision.application_id)
    assert url("appeal_lodge", decision.pk) not in client.get(detail).content.decode()

    Decision.objects.filter(pk=decision.pk).update(decided_on=today())
    appeal = lodge(world, decision)
    page = client.get(detail).content.decode()
    assert url("appeal_lodge", decision.pk) not in page
    assert url("appeal_detail", appeal.pk) in page
    assert 'data-to="lodged"' in page


def test_no_decision_section_before_a_decision(client, world, cycle):
    from .conftest import accepted_application

    application = accepted_application(world, cycle, world.teacher_a)
    client.force_login(world.users["teacher"])
    response = client.get(url("application_detail", application.pk))
    assert response.context["decision_section"] is None
    assert 'id="h-decision"' not in response.content.decode()


def test_after_an_upheld_appeal_the_section_says_a_new_decision_follows(client, world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    appeals.appeal_decide(
        appeal=appeal, actor=world.users["region_admin"], upheld=True, reason="Қайта қарау."
    )
    client.force_login(world.users["teacher"])
    page = client.get(url("application_detail", decision.application_id)).content.decode()
    assert "a new decision will follow" in page
    assert "Қайта қарау." in page


# --- lodging ------------------------------------------------------------------------------------


def test_the_teacher_lodges_an_appeal(client, world, cycle):
    decision = decided(world, cycle)
    client.force_login(world.users["teacher"])
    lodge_url = url("appeal_lodge", decision.pk)

    response = client.get(lodge_url)
    assert response.status_code == 200
    assert 'for="id_text"' in response.content.decode()

    response = client.post(lodge_url, {"text": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["This field is required."]

    response = client.post(lodge_url, {"text": "Бақылау парағы есепке алынбады."})
    appeal = Appeal.objects.get()
    assert response["Location"] == url("appeal_detail", appeal.pk)
    assert appeal.text == "Бақылау парағы есепке алынбады."

    response = client.post(lodge_url, {"text": "Тағы бір рет"})
    assert response.status_code == 200
    assert "already being reviewed" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_lodging_after_the_window_shows_why(client, world, cycle):
    decision = decided(world, cycle, decided_on=today() - dt.timedelta(days=30))
    client.force_login(world.users["teacher"])
    response = client.post(url("appeal_lodge", decision.pk), {"text": "Кеш"})
    assert response.status_code == 200
    assert "could be lodged until" in response.content.decode()
    assert not Appeal.objects.exists()


def test_who_may_lodge(client, world, cycle):
    decision = decided(world, cycle)
    lodge_url = url("appeal_lodge", decision.pk)
    assert client.get(lodge_url)["Location"].startswith(reverse("account_login"))
    for user, status in (
        (world.users["school_admin"], 403),
        (world.users["region_admin"], 403),
        (other_school_admin(world), 404),
        (world.users["no_role"], 404),
    ):
        client.force_login(user)
        assert client.post(lodge_url, {"text": "Шағым"}).status_code == status
    assert not Appeal.objects.exists()


# --- the list -----------------------------------------------------------------------------------


def bare_appeals(world, cycle, count, *, overdue=0, answered=0):
    """`count` appeals against decisions of the city's commission, made directly: the first
    `answered` rejected, the next `overdue` past their due date, the rest due soon."""
    commission = commission_with_members(cycle)
    session = CommissionSession.objects.create(
        commission=commission,
        starts_at=timezone.now(),
        place="Зал",
        status=CommissionSession.Status.CLOSED,
    )
    expert = QualificationCategory.objects.get(code="expert")
    made = []
    for n in range(count):
        teacher = TeacherFactory(organization=world.school_a)
        application = Application.objects.create(
            cycle=cycle,
            teacher=teacher,
            status=S.DECIDED,
            organization=teacher.organization,
            position=teacher.position,
            current_category=teacher.category,
            claimed_category=expert,
            level=Level.DISTRICT,
        )
        decision = Decision.objects.create(
            application=application,
            session=session,
            outcome=Decision.Outcome.MEETS,
            claimed_category=expert,
            current_category=teacher.category,
            assigned_category=expert,
            decided_on=today(),
            body_kk="Комиссия",
            body_ru="Комиссия",
        )
        status = Appeal.Status.REJECTED if n < answered else Appeal.Status.LODGED
        late = answered <= n < answered + overdue
        appeal = Appeal.objects.create(
            decision=decision,
            application=application,
            status=status,
            text="Шағым",
            review_level=Level.REGION,
            due_on=today() - dt.timedelta(days=1) if late else today() + dt.timedelta(days=n),
        )
        AppealEvent.objects.create(appeal=appeal, to_status=status)
        made.append(appeal)
    return made


def test_the_list_puts_the_waiting_first_and_flags_the_overdue(client, world, cycle):
    made = bare_appeals(world, cycle, 5, overdue=1, answered=2)
    client.force_login(world.users["region_admin"])
    response = client.get(url("appeal_list"))
    rows = response.context["page"].object_list
    assert [a.status for a in rows] == ["lodged"] * 3 + ["rejected"] * 2
    assert [a.due_on for a in rows[:3]] == sorted(a.due_on for a in rows[:3])
    assert [a.pk for a in rows if a.overdue] == [made[2].pk]
    page = response.content.decode()
    assert page.count('class="table-danger"') == 1
    assert url("appeal_detail", made[2].pk) in page


def test_the_list_is_for_reviewers(client, world, cycle):
    bare_appeals(world, cycle, 1)
    assert client.get(url("appeal_list"))["Location"].startswith(reverse("account_login"))
    for role in ("teacher", "school_admin", "commission_member", "hr_analyst"):
        client.force_login(world.users[role])
        assert client.get(url("appeal_list")).status_code == 403
    # A district methodologist sees none of a district's decisions: the region reviews them.
    client.force_login(world.users["methodologist"])
    response = client.get(url("appeal_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_takes_the_same_queries_whatever_its_size(
    client, world, cycle, size, django_assert_max_num_queries
):
    bare_appeals(world, cycle, size, overdue=1, answered=1)
    client.force_login(world.users["region_admin"])
    client.get(url("appeal_list"))  # warm the per-process caches
    with django_assert_max_num_queries(7):
        response = client.get(url("appeal_list"))
    assert len(response.context["page"].object_list) == size


# --- the appeal page and the answer ---------------------------------------------------------------


def test_the_appeal_page_for_the_teacher_and_the_reviewer(client, world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision, text="Менің шағымым")
    decide_url = url("appeal_decide", appeal.pk)

    client.force_login(world.users["teacher"])
    page = client.get(url("appeal_detail", appeal.pk)).content.decode()
    assert "Менің шағымым" in page and 'data-to="lodged"' in page
    assert decide_url not in page

    client.force_login(world.users["region_admin"])
    response = client.get(url("appeal_detail", appeal.pk))
    page = response.content.decode()
    assert decide_url in page
    assert 'for="id_reason"' in page
    assert "the members score the portfolio anew" in page


def test_who_sees_an_appeal(client, world, cycle):
    appeal = lodge(world, decided(world, cycle))
    detail = url("appeal_detail", appeal.pk)
    assert client.get(detail)["Location"].startswith(reverse("account_login"))
    for role in ("methodologist", "school_admin", "commission_member", "hr_analyst", "no_role"):
        client.force_login(world.users[role])
        assert client.get(detail).status_code == 404, role


def test_the_reviewer_answers(client, world, cycle):
    decision = decided(world, cycle)
    appeal = lodge(world, decision)
    decide_url = url("appeal_decide", appeal.pk)
    client.force_login(world.users["region_admin"])

    assert client.get(decide_url).status_code == 405
    response = client.post(decide_url, {"outcome": "uphold", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    response = client.post(decide_url, {"outcome": "maybe", "reason": "Иә"})
    assert "outcome" in response.context["form"].errors

    response = client.post(decide_url, {"outcome": "uphold", "reason": "Баллдар қате."})
    assert response["Location"] == url("appeal_detail", appeal.pk)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert Application.objects.get(pk=decision.application_id).status == S.ACCEPTED

    # Answered already (another tab): said above the page, nothing changes.
    response = client.post(decide_url, {"outcome": "reject", "reason": "Жоқ"}, follow=True)
    assert any("cannot become" in str(m) for m in response.context["messages"])
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD


def test_only_the_reviewing_body_answers(client, world, cycle):
    appeal = lodge(world, decided(world, cycle))
    decide_url = url("appeal_decide", appeal.pk)
    client.force_login(world.users["teacher"])
    assert client.post(decide_url, {"outcome": "uphold", "reason": "Иә"}).status_code == 403
    client.force_login(world.users["methodologist"])
    assert client.post(decide_url, {"outcome": "uphold", "reason": "Иә"}).status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.LODGED


def test_a_district_methodologist_answers_an_organisations_decision(client, world, cycle):
    teacher = world.teacher_a
    teacher.category = None
    teacher.category_awarded_on = teacher.category_valid_until = None
    teacher.save()
    decision = decided(world, cycle, claimed="moderator", level=Level.ORGANIZATION)
    appeal = lodge(world, decision)
    client.force_login(world.users["methodologist"])
    assert client.get(url("appeal_list")).context["page"].object_list == [appeal]
    response = client.post(url("appeal_decide", appeal.pk), {"outcome": "reject", "reason": "Жоқ"})
    assert response.status_code == 302


def test_a_ministry_decision_is_appealed_to_the_region(client, world, cycle):
    from .conftest import accepted_application

    application = accepted_application(world, cycle, world.teacher_a, claimed="expert")
    appeal = lodge(world, decide(application))
    assert appeal.review_level == Level.MINISTRY
    client.force_login(world.users["region_admin"])
    assert client.get(url("appeal_detail", appeal.pk)).status_code == 200
