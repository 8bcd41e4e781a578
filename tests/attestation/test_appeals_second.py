"""Who answers an appeal, and the second one: after a rejection the next body above answers
a second appeal within the cycle's working days for it, a third is refused (as is a second
after the ministry's answer); members of the commission that decided never answer (nor are
told); an upheld appeal turns the members' submitted scoring sheets back into drafts."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scopes import commission_seats_forget
from apps.accounts.services import role_assignment_create
from apps.attestation.models import Appeal, Application, CommissionMember, Level, Review
from apps.attestation.services import appeals
from apps.core.calendar import add_working_days
from tests.factories import UserFactory

from .conftest import commission_with_members
from .test_appeals_services import decided, lodge

pytestmark = pytest.mark.usefixtures("english", "private_storage")

S = Application.Status


def today():
    return timezone.localdate()


def reject(appeal, actor):
    return appeals.appeal_decide(appeal=appeal, actor=actor, upheld=False, reason="Негізсіз.")


def seat(commission, user):
    CommissionMember.objects.create(
        commission=commission,
        user=user,
        role=CommissionMember.Role.MEMBER,
        full_name=user.get_full_name() or user.email,
        position="Әдіскер",
        experience_years=12,
    )
    commission_seats_forget(user)


# --- the second appeal ---------------------------------------------------------------------------


def test_a_second_appeal_goes_to_the_next_body_and_a_third_is_refused(client, world, cycle):
    cycle.appeal_second_review_working_days = 12
    cycle.save()
    region_admin = world.users["region_admin"]
    decision = decided(world, cycle, level=Level.DISTRICT)

    first = lodge(world, decision)
    assert (first.review_level, first.due_on) == (
        Level.REGION,
        add_working_days(today(), cycle.appeal_review_working_days),
    )
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision, text="Тағы")
    assert refused.value.code == "open"
    reject(first, region_admin)

    second = lodge(world, decision, text="Облыстың жауабымен келіспеймін.")
    assert (second.review_level, second.due_on) == (Level.MINISTRY, add_working_days(today(), 12))
    # A ministry review is recorded by the region.
    assert region_admin.has_perm("attestation.review_appeal", second)
    reject(second, region_admin)

    with pytest.raises(ValidationError) as refused:
        lodge(world, decision, text="Үшінші")
    assert refused.value.code == "exhausted"
    assert "appealed twice" in refused.value.messages[0]
    assert Appeal.objects.filter(decision=decision).count() == 2

    client.force_login(world.users["teacher"])
    response = client.get(reverse("attestation:application_detail", args=[decision.application_id]))
    page = response.content.decode()
    assert reverse("attestation:appeal_lodge", args=[decision.pk]) not in page
    assert 'id="appeal-closed"' in page and "appealed twice" in page


def test_an_organisations_decision_goes_to_the_district_then_the_region(
    world, cycle, django_capture_on_commit_callbacks
):
    teacher = world.teacher_a
    teacher.category = None
    teacher.category_awarded_on = teacher.category_valid_until = None
    teacher.save()
    decision = decided(world, cycle, claimed="moderator", level=Level.ORGANIZATION)
    methodologist, region_admin = world.users["methodologist"], world.users["region_admin"]

    first = lodge(world, decision)
    assert first.review_level == Level.DISTRICT
    reject(first, methodologist)

    with django_capture_on_commit_callbacks(execute=True):
        second = lodge(world, decision)
    assert second.review_level == Level.REGION
    assert second.due_on == add_working_days(today(), cycle.appeal_second_review_working_days)
    # The district answered already: the region answers now, and only the region is told.
    assert not methodologist.has_perm("attestation.review_appeal", second)
    assert region_admin.has_perm("attestation.review_appeal", second)
    assert [m.to for m in mail.outbox] == [[region_admin.email]]


def test_no_second_appeal_after_the_ministrys_answer(world, cycle):
    decision = decided(world, cycle, level=Level.REGION)
    first = lodge(world, decision)
    assert first.review_level == Level.MINISTRY
    reject(first, world.users["region_admin"])
    with pytest.raises(ValidationError) as refused:
        lodge(world, decision, text="Тағы")
    assert refused.value.code == "exhausted"
    assert "no body above" in refused.value.messages[0]


# --- never the commission that decided -----------------------------------------------------------


def test_a_member_of_the_deciding_commission_does_not_answer(
    client, world, cycle, django_capture_on_commit_callbacks
):
    decision = decided(world, cycle, level=Level.DISTRICT)
    member = world.users["region_admin"]
    seat(decision.session.commission, member)
    other = UserFactory(preferred_language="en")
    role_assignment_create(user=other, role=Role.REGION_ADMIN, region=world.region)

    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodge(world, decision)

    assert not member.has_perm("attestation.review_appeal", appeal)
    assert other.has_perm("attestation.review_appeal", appeal)
    # Only the reviewers who may answer are told.
    assert [m.to for m in mail.outbox] == [[other.email]]
    with pytest.raises(PermissionDenied):
        appeals.appeal_decide(appeal=appeal, actor=member, upheld=True, reason="Иә")

    client.force_login(member)
    detail = reverse("attestation:appeal_detail", args=[appeal.pk])
    decide = reverse("attestation:appeal_decide", args=[appeal.pk])
    page = client.get(detail).content.decode()
    assert decide not in page  # they still see it, in their scope, but cannot answer
    assert client.post(decide, {"outcome": "uphold", "reason": "Иә"}).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.LODGED

    client.force_login(other)
    assert decide in client.get(detail).content.decode()
    assert client.post(decide, {"outcome": "reject", "reason": "Жоқ"}).status_code == 302


def test_a_member_of_another_commission_still_answers(world, cycle):
    decision = decided(world, cycle, level=Level.DISTRICT)
    reviewer = world.users["region_admin"]
    seat(
        commission_with_members(cycle, level="organization", organization=world.school_b), reviewer
    )
    appeal = lodge(world, decision)
    assert reviewer.has_perm("attestation.review_appeal", appeal)


# --- upheld: scored anew -------------------------------------------------------------------------


def test_upheld_turns_the_submitted_sheets_back_into_drafts(world, cycle):
    decision = decided(world, cycle)
    application = decision.application
    members = list(application.commission.members.exclude(role="secretary").order_by("pk"))
    submitted_at = timezone.now()
    for n, member in enumerate(members[:3]):
        Review.objects.create(
            application=application,
            member=member,
            version=application.version,
            scores={"results": 10 + n},
            total=10 + n,
            submitted_at=submitted_at if n < 2 else None,  # the third is a draft already
        )
    appeal = lodge(world, decision)
    appeals.appeal_decide(
        appeal=appeal, actor=world.users["region_admin"], upheld=True, reason="Қайта бағалансын."
    )

    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    sheets = Review.objects.filter(application=application).order_by("member_id")
    assert [s.submitted_at for s in sheets] == [None, None, None]
    # The points stay on the drafts for each member to look at again.
    assert [s.total for s in sheets] == [10, 11, 12]
    event = application.events.last()
    assert "the portfolio is reviewed again" in event.comment
    assert "2 submitted review sheets are drafts again" in event.comment
    decision.refresh_from_db()
    assert decision.revised_at is not None
