"""Commission pages through the client: who sees which commissions, creating one for a body
in the user's scope, the commission's page, seating and unseating members, forming it, and
a constant number of queries on the list."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation.models import AttestationCycle, Commission, CommissionMember
from tests.factories import OrganizationFactory, TeacherFactory, UserFactory

from .conftest import accepted_application, commission_with_members

pytestmark = pytest.mark.usefixtures("english", "private_storage")

LIST = reverse("attestation:commission_list")
CREATE = reverse("attestation:commission_create")


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def texts(response, level=None):
    return [
        str(m) for m in get_messages(response.wsgi_request) if level is None or m.level_tag == level
    ]


def rows(response):
    return {c.pk for c in response.context["page"].object_list}


@pytest.fixture
def commissions(world, cycle):
    """Turkistan city's commission, school A's and school C's (Sairam)."""
    return {
        "city": commission_with_members(cycle),
        "school_a": commission_with_members(
            cycle, level="organization", organization=world.school_a
        ),
        "school_c": commission_with_members(
            cycle, level="organization", organization=world.school_c
        ),
    }


# --- the list -------------------------------------------------------------------------------


def pages(commission):
    """Every commission page: (method, address)."""
    member = commission.members.filter(role="member").first()
    return [
        ("get", LIST),
        ("get", CREATE),
        ("get", url("commission_detail", commission.pk)),
        ("get", url("commission_update", commission.pk)),
        ("post", url("member_add", commission.pk)),
        ("post", url("member_remove", member.pk)),
        ("post", url("commission_form", commission.pk)),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, commissions):
    for method, page in pages(commissions["city"]):
        response = getattr(client, method)(page)
        assert response.status_code == 302 and "login" in response["Location"], page


@pytest.mark.parametrize("who", ["teacher", "other_member"])
def test_teachers_and_other_commissions_members_get_nothing(client, world, commissions, who):
    """A teacher, or a member of school C's commission, on Turkistan city's: the list is
    forbidden to the one and empty of it for the other, the rest is not found or forbidden."""
    city = commissions["city"]
    user = (
        world.users["teacher"]
        if who == "teacher"
        else commissions["school_c"].members.filter(role="chair").get().user
    )
    client.force_login(user)
    expected = {
        LIST: 403 if who == "teacher" else 200,
        CREATE: 403,
    }
    for method, page in pages(city):
        response = getattr(client, method)(page)
        assert response.status_code == expected.get(page, 404), page
    assert city.members.count() == 8
    city.refresh_from_db()
    assert city.status == Commission.Status.FORMED


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("school_admin", {"school_a"}),
        ("methodologist", {"city", "school_a"}),
        ("commission_member", {"city", "school_a"}),
        ("hr_analyst", {"city", "school_a", "school_c"}),
        ("region_admin", {"city", "school_a", "school_c"}),
        ("superuser", {"city", "school_a", "school_c"}),
    ],
)
def test_staff_see_the_commissions_of_their_scope(client, world, commissions, role, visible):
    client.force_login(world.users[role])
    response = client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == {commissions[key].pk for key in visible}


def test_a_member_sees_the_commissions_they_sit_on(client, world, commissions):
    member = commissions["school_c"].members.first().user
    client.force_login(member)
    response = client.get(LIST)
    assert rows(response) == {commissions["school_c"].pk}
    assert client.get(url("commission_detail", commissions["school_c"].pk)).status_code == 200
    assert client.get(url("commission_detail", commissions["city"].pk)).status_code == 404


@pytest.mark.parametrize("role", ["teacher", "no_role"])
def test_teachers_and_users_without_a_seat_have_no_list(client, world, commissions, role):
    client.force_login(world.users[role])
    assert client.get(LIST).status_code == 403
    assert client.get(url("commission_detail", commissions["school_a"].pk)).status_code == 404


def test_the_list_filters_by_cycle_and_counts_members_and_applications(
    client, world, cycle, commissions
):
    accepted_application(world, cycle, world.teacher_a)
    client.force_login(world.users["region_admin"])

    response = client.get(LIST, {"cycle": cycle.pk})

    by_pk = {c.pk: c for c in response.context["page"].object_list}
    city = by_pk[commissions["city"].pk]
    assert (city.voting_count, city.application_count) == (7, 1)
    assert by_pk[commissions["school_a"].pk].application_count == 0
    other = AttestationCycle.objects.create(
        region=world.region,
        school_year="2027-2028",
        application_opens=cycle.application_opens,
        application_closes=cycle.application_closes,
        review_starts=cycle.review_starts,
        review_ends=cycle.review_ends,
        essay_topic_kk="Тақырып",
        essay_topic_ru="Тема",
    )
    assert rows(client.get(LIST, {"cycle": other.pk})) == set()


def test_the_list_takes_the_same_queries_for_more_commissions(
    client, world, cycle, django_assert_max_num_queries
):
    client.force_login(world.users["methodologist"])
    commission_with_members(cycle)
    for _ in range(2):
        school = OrganizationFactory(district=world.city)
        commission_with_members(cycle, level="organization", organization=school)
    with django_assert_max_num_queries(20) as small:
        assert len(client.get(LIST).context["page"].object_list) == 3
    for _ in range(8):
        school = OrganizationFactory(district=world.city)
        commission_with_members(cycle, level="organization", organization=school)
    with django_assert_max_num_queries(20) as large:
        assert len(client.get(LIST).context["page"].object_list) == 11
    assert len(large.captured_queries) == len(small.captured_queries)


# --- creating and renaming ------------------------------------------------------------------


def test_the_form_offers_only_bodies_in_the_users_write_scope(client, world, cycle):
    client.force_login(world.users["methodologist"])

    form = client.get(CREATE).context["form"]

    assert set(form.fields["organization"].queryset) == {world.school_a, world.school_b}
    assert list(form.fields["district"].queryset) == [world.city]
    assert [value for value, _label in form.fields["level"].choices] == [
        "organization",
        "district",
    ]
    client.force_login(world.users["school_admin"])
    form = client.get(CREATE).context["form"]
    assert list(form.fields["organization"].queryset) == [world.school_a]
    assert [value for value, _label in form.fields["level"].choices] == ["organization"]


def test_a_methodologist_creates_the_district_commission(client, world, cycle):
    client.force_login(world.users["methodologist"])

    response = client.post(
        CREATE,
        {
            "cycle": cycle.pk,
            "level": "district",
            "district": world.city.pk,
            "name_kk": "Түркістан қаласының комиссиясы",
            "name_ru": "Комиссия города Туркестан",
        },
    )

    commission = Commission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("commission_detail", commission.pk)
    assert (commission.level, commission.district, commission.organization) == (
        "district",
        world.city,
        None,
    )
    html = client.get(response["Location"]).content.decode()
    assert "Түркістан қаласының комиссиясы" in html and "Комиссия города Туркестан" in html


def test_a_second_commission_of_the_body_is_refused_on_the_form(client, world, cycle):
    commission_with_members(cycle)
    client.force_login(world.users["methodologist"])

    response = client.post(
        CREATE,
        {
            "cycle": cycle.pk,
            "level": "district",
            "district": world.city.pk,
            "name_kk": "К",
            "name_ru": "К",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This body already has a commission for the 2026-2027 cycle."
    ]


def test_missing_fields_are_shown_on_the_form(client, world, cycle):
    client.force_login(world.users["methodologist"])

    response = client.post(CREATE, {"cycle": cycle.pk, "level": "organization"})

    form = response.context["form"]
    assert form.errors["name_kk"] == ["This field is required."]
    response = client.post(
        CREATE, {"cycle": cycle.pk, "level": "organization", "name_kk": "К", "name_ru": "К"}
    )
    assert response.context["form"].errors["organization"] == ["Choose the organisation."]
    assert "Choose the organisation." in response.content.decode()
    assert not Commission.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "hr_analyst", "commission_member", "no_role"])
def test_only_staff_who_may_form_commissions_create_them(client, world, cycle, role):
    client.force_login(world.users[role])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"cycle": cycle.pk}).status_code == 403


def test_renaming_is_for_the_bodys_staff(client, world, commissions):
    commission = commissions["city"]
    client.force_login(world.users["school_admin"])
    assert client.get(url("commission_update", commission.pk)).status_code == 404
    client.force_login(world.users["hr_analyst"])
    assert client.get(url("commission_update", commission.pk)).status_code == 403
    client.force_login(commission.members.get(role="chair").user)
    assert client.get(url("commission_update", commission.pk)).status_code == 403
    client.force_login(world.users["methodologist"])
    form = client.get(url("commission_update", commission.pk)).context["form"]
    assert set(form.fields) == {"name_kk", "name_ru"}
    assert form.initial["name_ru"] == "Аттестационная комиссия"

    response = client.post(
        url("commission_update", commission.pk), {"name_kk": "Жаңа", "name_ru": "Новая"}
    )

    assert response.status_code == 302
    commission.refresh_from_db()
    assert commission.name_ru == "Новая"


# --- the commission's page ------------------------------------------------------------------


def test_the_page_lists_members_problems_applications_and_sessions(
    client, world, cycle, commissions
):
    commission = commissions["city"]
    CommissionMember.objects.filter(commission=commission, role="member").update(experience_years=5)
    accepted_application(world, cycle, world.teacher_a)
    client.force_login(world.users["methodologist"])

    response = client.get(url("commission_detail", commission.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["members"]) == 8
    assert [m.role for m in response.context["members"]][::7] == ["chair", "secretary"]
    assert len(response.context["problems"]) == 6  # six members below 7 years
    assert 'id="composition-problems"' in html
    assert [(c.status, c.count) for c in response.context["counts"]] == [("accepted", 1)]
    assert url("member_add", commission.pk) in html
    assert url("session_create", commission.pk) in html
    assert "No sessions yet." in html


def test_a_member_sees_the_page_without_the_managing_forms(client, world, commissions):
    commission = commissions["city"]
    client.force_login(commission.members.filter(role="member").first().user)

    html = client.get(url("commission_detail", commission.pk)).content.decode()

    assert url("member_add", commission.pk) not in html
    assert url("commission_update", commission.pk) not in html
    assert "member_remove" not in html and "/remove/" not in html


def test_a_late_commission_is_flagged(client, world, cycle):
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        commissions_formed_by=timezone.localdate() - dt.timedelta(days=3)
    )
    commission = commission_with_members(cycle, formed=False)
    client.force_login(world.users["methodologist"])

    response = client.get(url("commission_detail", commission.pk))
    assert 'id="late-warning"' in response.content.decode()

    response = client.post(url("commission_form", commission.pk), follow=True)

    assert "The commission has been formed." in texts(response, "success")
    assert any("this one is late" in m for m in texts(response, "warning"))
    commission.refresh_from_db()
    assert commission.status == Commission.Status.FORMED


def test_forming_with_problems_shows_them(client, world, cycle):
    commission = commission_with_members(cycle, voting=6, formed=False)
    client.force_login(world.users["methodologist"])

    response = client.post(url("commission_form", commission.pk), follow=True)

    assert "The number of voting members must be odd: it is 6." in texts(response, "error")
    commission.refresh_from_db()
    assert commission.status == Commission.Status.FORMING


# --- seats ----------------------------------------------------------------------------------


def member_data(email, **fields):
    return {
        "email": email,
        "role": "member",
        "full_name": "Омарова Сәуле",
        "position": "Әдіскер",
        "experience_years": 12,
        **fields,
    }


def test_a_member_is_seated_by_e_mail_and_a_formed_commission_is_formed_again(
    client, world, commissions
):
    commission = commissions["city"]
    teacher = TeacherFactory(organization=world.school_b, user=UserFactory())
    client.force_login(world.users["methodologist"])

    response = client.post(
        url("member_add", commission.pk),
        member_data(teacher.user.email.upper(), organization=world.school_b.pk),
    )

    assert response.status_code == 302
    member = commission.members.get(user=teacher.user)
    assert (member.role, member.organization, member.experience_years) == (
        "member",
        world.school_b,
        12,
    )
    page = client.get(response["Location"])
    assert "Омарова Сәуле has been seated." in texts(page, "success")
    assert any("being formed again" in m for m in texts(page, "warning"))
    commission.refresh_from_db()
    assert commission.status == Commission.Status.FORMING


def test_only_accounts_of_the_region_can_be_seated(client, world, commissions):
    client.force_login(world.users["methodologist"])
    stranger = UserFactory()  # no teacher record, no role in the region

    for email in (stranger.email, "nobody@example.kz"):
        response = client.post(url("member_add", commissions["city"].pk), member_data(email))
        assert response.status_code == 200
        assert response.context["member_form"].errors["email"] == [
            "No active account of the region has this e-mail: the person needs one first."
        ]
    role_assignment_create(user=stranger, role=Role.METHODOLOGIST, district=world.sairam)
    response = client.post(url("member_add", commissions["city"].pk), member_data(stranger.email))
    assert response.status_code == 302


def test_a_second_chair_is_refused_on_the_form(client, world, commissions):
    client.force_login(world.users["methodologist"])

    response = client.post(
        url("member_add", commissions["city"].pk),
        member_data(world.users["hr_analyst"].email, role="chair"),
    )

    assert response.status_code == 200
    assert response.context["member_form"].errors["role"] == ["The commission already has a chair."]
    assert "The commission already has a chair." in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("school_admin", 404), ("hr_analyst", 403)])
def test_seats_are_managed_by_the_bodys_staff(client, world, commissions, role, status):
    commission = commissions["city"]
    member = commission.members.filter(role="member").first()
    client.force_login(world.users[role])
    assert (
        client.post(
            url("member_add", commission.pk), member_data(world.users["teacher"].email)
        ).status_code
        == status
    )
    assert client.post(url("member_remove", member.pk)).status_code == status
    assert client.post(url("commission_form", commission.pk)).status_code == status
    assert commission.members.count() == 8


def test_a_member_is_unseated(client, world, commissions):
    commission = commissions["city"]
    member = commission.members.filter(role="member").first()
    client.force_login(world.users["methodologist"])

    response = client.post(url("member_remove", member.pk), follow=True)

    assert f"{member.full_name} has been unseated." in texts(response, "success")
    assert any("being formed again" in m for m in texts(response, "warning"))
    assert not CommissionMember.objects.filter(pk=member.pk).exists()
    assert client.get(url("member_remove", member.pk)).status_code == 405
    assert client.post(url("member_remove", member.pk)).status_code == 404


def test_the_page_takes_the_same_queries_for_a_bigger_commission(
    client, world, cycle, django_assert_max_num_queries
):
    small_one = commission_with_members(cycle, voting=7, formed=False)
    big_one = commission_with_members(cycle, voting=15, district=world.sairam, formed=False)
    for commission in (small_one, big_one):
        CommissionMember.objects.filter(commission=commission).update(
            organization=world.school_b, experience_years=3
        )
    client.force_login(world.users["region_admin"])

    with django_assert_max_num_queries(30) as small:
        client.get(url("commission_detail", small_one.pk))
    with django_assert_max_num_queries(30) as large:
        response = client.get(url("commission_detail", big_one.pk))

    assert len(response.context["members"]) == 16
    assert len(large.captured_queries) == len(small.captured_queries)
