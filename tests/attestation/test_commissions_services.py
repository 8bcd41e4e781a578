"""Commissions by level: who creates one for which body, one per body and cycle, the
applications waiting for it, the composition rules (an odd number of at least 7 voting
members, one chair, one secretary who does not vote, 7+ years of experience), seats and
what happens to a formed commission when its seats change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.attestation.models import (
    Application,
    AttestationCycle,
    Commission,
    CommissionMember,
    Level,
    Review,
)
from apps.attestation.selectors import commissions as selectors
from apps.attestation.services import commissions as services
from apps.organizations.models import District, Region
from tests.factories import OrganizationFactory, TeacherFactory, UserFactory

from .conftest import accepted_application, commission_with_members

pytestmark = pytest.mark.usefixtures("private_storage")

CHAIR, MEMBER, SECRETARY = "chair", "member", "secretary"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def create(world, cycle, *, actor="region_admin", level="district", **body):
    if level == "district":
        body.setdefault("district", world.city)
    return services.commission_create(
        actor=world.users[actor],
        cycle=cycle,
        level=level,
        name_kk="Комиссия",
        name_ru="Комиссия",
        **body,
    )


def seat(commission, actor, *, role=MEMBER, years=10, user=None, organization=None):
    return services.member_add(
        commission=commission,
        actor=actor,
        user=user or UserFactory(),
        role=role,
        full_name="Серікова Айгүл",
        position="Мұғалім",
        experience_years=years,
        organization=organization,
    )


def problems(commission):
    return services.composition_problems(Commission.objects.get(pk=commission.pk))


# --- creating -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "level", "body", "allowed"),
    [
        ("school_admin", "organization", "school_a", True),
        ("school_admin", "organization", "school_b", False),
        ("school_admin", "district", "city", False),
        ("methodologist", "organization", "school_b", True),
        ("methodologist", "organization", "school_c", False),
        ("methodologist", "district", "city", True),
        ("methodologist", "district", "sairam", False),
        ("methodologist", "region", None, False),
        ("region_admin", "region", None, True),
        ("region_admin", "district", "sairam", True),
        ("hr_analyst", "district", "city", False),
        ("commission_member", "district", "city", False),
        ("teacher", "organization", "school_a", False),
    ],
)
def test_the_staff_of_a_body_create_its_commission(world, cycle, actor, level, body, allowed):
    kwargs = {}
    if body:
        kwargs["organization" if level == "organization" else "district"] = getattr(world, body)
    if not allowed:
        with pytest.raises(PermissionDenied):
            create(world, cycle, actor=actor, level=level, **kwargs)
        assert not Commission.objects.exists()
        return

    commission = create(world, cycle, actor=actor, level=level, **kwargs)

    assert commission.status == Commission.Status.FORMING
    assert commission.created_by == world.users[actor]
    assert commission.formed_on is None


def test_one_commission_per_body_and_cycle_said_in_words(world, cycle):
    create(world, cycle)

    with pytest.raises(ValidationError) as error:
        create(world, cycle)

    assert error.value.messages == ["This body already has a commission for the 2026-2027 cycle."]
    assert Commission.objects.count() == 1
    create(world, cycle, district=world.sairam)  # another body is fine
    assert Commission.objects.count() == 2


def test_the_ministry_has_no_commission_here(world, cycle):
    with pytest.raises(ValidationError) as error:
        create(world, cycle, level=Level.MINISTRY)
    assert "recorded as received" in error.value.message_dict["level"][0]


def test_a_body_is_needed_and_must_be_of_the_cycles_region(world, cycle):
    with pytest.raises(ValidationError) as error:
        create(world, cycle, level="organization")
    assert error.value.message_dict == {"organization": ["Choose the organisation."]}
    with pytest.raises(ValidationError) as error:
        create(world, cycle, level="district", district=None)
    assert error.value.message_dict == {"district": ["Choose the district or city."]}


def test_names_are_needed(world, cycle):
    with pytest.raises(ValidationError) as error:
        services.commission_create(
            actor=world.users["region_admin"],
            cycle=cycle,
            level="region",
            name_kk=" ",
            name_ru="Комиссия",
        )
    assert set(error.value.message_dict) == {"name_kk"}


def test_a_closed_cycle_takes_no_new_commission(world, cycle):
    AttestationCycle.objects.filter(pk=cycle.pk).update(status=AttestationCycle.Status.CLOSED)

    with pytest.raises(ValidationError) as error:
        create(world, cycle)

    assert error.value.messages == [
        "The 2026-2027 cycle is closed: its commissions can no longer be changed."
    ]


def test_applications_accepted_before_the_commission_existed_are_attached(world, cycle):
    """Accepted (or being corrected) applications of the body go to the new commission;
    those of another body, or already decided on, do not."""
    waiting = accepted_application(world, cycle, world.teacher_a)
    correcting = accepted_application(world, cycle, world.teacher_b)
    Application.objects.filter(pk=correcting.pk).update(status=Application.Status.CORRECTION)
    elsewhere = accepted_application(world, cycle, world.teacher_c)
    assert waiting.commission is None

    commission = create(world, cycle)

    attached = set(commission.applications.values_list("pk", flat=True))
    assert attached == {waiting.pk, correcting.pk}
    elsewhere.refresh_from_db()
    assert elsewhere.commission is None
    sairam = create(world, cycle, district=world.sairam)
    assert list(sairam.applications.all()) == [elsewhere]


def test_an_organisations_commission_takes_its_moderator_claims(world, cycle):
    teacher = TeacherFactory(organization=world.school_a, category=None)
    application = accepted_application(world, cycle, teacher, claimed="moderator")

    commission = create(world, cycle, level="organization", organization=world.school_a)

    assert list(commission.applications.all()) == [application]


def test_renaming(world, cycle):
    commission = create(world, cycle)

    services.commission_update(
        commission=commission, actor=world.users["methodologist"], name_kk=" Жаңа ", name_ru="Новая"
    )

    commission.refresh_from_db()
    assert (commission.name_kk, commission.name_ru) == ("Жаңа", "Новая")
    with pytest.raises(PermissionDenied):
        services.commission_update(
            commission=commission, actor=world.users["school_admin"], name_kk="x", name_ru="y"
        )


# --- composition ----------------------------------------------------------------------------


def test_seven_voting_members_and_a_secretary_make_a_commission(world, cycle):
    commission = commission_with_members(cycle, formed=False)

    assert problems(commission) == []
    formed = services.commission_form(commission=commission, actor=world.users["methodologist"])

    assert formed.status == Commission.Status.FORMED
    assert formed.formed_on == timezone.localdate()
    assert not selectors.formed_late(formed)


@pytest.mark.parametrize(
    ("voting", "secretary", "expected"),
    [
        (8, True, ["The number of voting members must be odd: it is 8."]),
        (
            5,
            True,
            ["There are 5 voting members (the chair and the members): at least 7 are needed."],
        ),
        (9, False, ["The commission needs one secretary (who does not vote)."]),
        (
            # Seven seats, but the secretary does not vote: six voting members.
            6,
            True,
            [
                "There are 6 voting members (the chair and the members): at least 7 are needed.",
                "The number of voting members must be odd: it is 6.",
            ],
        ),
    ],
)
def test_composition_problems(world, cycle, voting, secretary, expected):
    commission = commission_with_members(cycle, voting=voting, secretary=secretary, formed=False)

    assert problems(commission) == expected
    with pytest.raises(ValidationError) as error:
        services.commission_form(commission=commission, actor=world.users["methodologist"])
    assert error.value.messages == expected
    commission.refresh_from_db()
    assert commission.status == Commission.Status.FORMING


def test_a_commission_without_a_chair(world, cycle):
    commission = commission_with_members(cycle, formed=False)
    CommissionMember.objects.filter(commission=commission, role=CHAIR).update(role=MEMBER)

    assert problems(commission) == ["The commission needs one chair."]


def test_every_member_needs_the_cycles_years_of_experience(world, cycle):
    commission = commission_with_members(cycle, formed=False)
    member = commission.members.filter(role=MEMBER).first()
    CommissionMember.objects.filter(pk=member.pk).update(experience_years=6)

    assert problems(commission) == [
        f"{member.full_name} has 6 years of experience: at least 7 are needed."
    ]
    AttestationCycle.objects.filter(pk=cycle.pk).update(member_min_experience_years=6)
    assert problems(commission) == []


def test_forming_late_still_works_and_is_known(world, cycle):
    AttestationCycle.objects.filter(pk=cycle.pk).update(
        commissions_formed_by=timezone.localdate() - dt.timedelta(days=1)
    )
    commission = commission_with_members(cycle, formed=False)

    formed = services.commission_form(commission=commission, actor=world.users["methodologist"])

    assert formed.status == Commission.Status.FORMED
    assert selectors.formed_late(formed)


def test_a_formed_commission_is_not_formed_again(world, cycle):
    commission = commission_with_members(cycle)
    with pytest.raises(ValidationError) as error:
        services.commission_form(commission=commission, actor=world.users["methodologist"])
    assert error.value.messages == ["The commission is already formed."]


# --- seats ----------------------------------------------------------------------------------


def test_one_chair_one_secretary_a_user_once(world, cycle):
    commission = commission_with_members(cycle, formed=False)
    actor = world.users["methodologist"]
    sitting = commission.members.filter(role=MEMBER).first().user

    for role, field, message in (
        (CHAIR, "role", "The commission already has a chair."),
        (SECRETARY, "role", "The commission already has a secretary."),
    ):
        with pytest.raises(ValidationError) as error:
            seat(commission, actor, role=role)
        assert error.value.message_dict[field] == [message]
    with pytest.raises(ValidationError) as error:
        seat(commission, actor, user=sitting)
    assert error.value.message_dict["user"] == [f"{sitting.email} already sits on this commission."]
    assert commission.members.count() == 8


def test_a_seat_added_to_a_formed_commission_that_breaks_it_unforms_it(world, cycle):
    commission = commission_with_members(cycle)

    member = seat(commission, world.users["methodologist"])  # 8 voting members: even

    assert member.commission.status == Commission.Status.FORMING
    commission.refresh_from_db()
    assert (commission.status, commission.formed_on) == (Commission.Status.FORMING, None)
    seat(commission, world.users["methodologist"])  # 9: valid again, but formed by hand
    commission.refresh_from_db()
    assert commission.status == Commission.Status.FORMING
    assert problems(commission) == []


def test_removing_a_seat_from_a_formed_commission_unforms_it(world, cycle):
    commission = commission_with_members(cycle)
    member = commission.members.filter(role=MEMBER).first()

    after = services.member_remove(member=member, actor=world.users["methodologist"])

    assert after.status == Commission.Status.FORMING
    assert not CommissionMember.objects.filter(pk=member.pk).exists()


def test_a_member_with_a_submitted_sheet_stays(world, cycle):
    commission = commission_with_members(cycle)
    application = accepted_application(world, cycle, world.teacher_a)
    member = commission.members.filter(role=MEMBER).first()
    Review.objects.create(
        application=application, member=member, version=1, submitted_at=timezone.now()
    )

    with pytest.raises(ValidationError) as error:
        services.member_remove(member=member, actor=world.users["methodologist"])

    assert "cannot be removed" in error.value.messages[0]
    assert CommissionMember.objects.filter(pk=member.pk).exists()


def test_a_members_drafts_go_with_the_seat(world, cycle):
    commission = commission_with_members(cycle)
    application = accepted_application(world, cycle, world.teacher_a)
    member = commission.members.filter(role=MEMBER).first()
    Review.objects.create(application=application, member=member, version=1, scores={})

    services.member_remove(member=member, actor=world.users["methodologist"])

    assert not Review.objects.exists()


def test_seats_are_managed_by_the_bodys_staff_only(world, cycle):
    commission = commission_with_members(cycle)
    member = commission.members.filter(role=MEMBER).first()
    for actor in ("school_admin", "hr_analyst", "teacher"):
        with pytest.raises(PermissionDenied):
            seat(commission, world.users[actor])
        with pytest.raises(PermissionDenied):
            services.member_remove(member=member, actor=world.users[actor])
    chair = commission.members.get(role=CHAIR).user  # sitting on it is not managing it
    with pytest.raises(PermissionDenied):
        seat(commission, chair)


def test_a_member_works_in_an_organisation_of_the_region(world, cycle):
    other_region = Region.objects.create(kato="99", name_kk="Басқа", name_ru="Другая")
    other_city = District.objects.create(
        region=other_region, kato="9910", kind="city", name_kk="Қала", name_ru="Город"
    )
    outside = OrganizationFactory(district=other_city)
    commission = commission_with_members(cycle, formed=False)

    with pytest.raises(ValidationError) as error:
        seat(commission, world.users["methodologist"], organization=outside)

    assert error.value.message_dict["organization"] == [
        "The organisation is not in the cycle's region."
    ]
    member = seat(commission, world.users["methodologist"], organization=world.school_b)
    assert member.organization == world.school_b
