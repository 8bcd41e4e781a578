"""Commission sessions through their services: planning, the agenda, attendance, votes
(the secretary, absent members and members who sit out never vote), closing with the
quorum, the majority, the chair's casting vote, the test cap and the lower category the
secretary chooses, the decisions, the statuses, the document job and the e-mails."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services as application_services
from apps.attestation.models import (
    AgendaItem,
    Application,
    CommissionSession,
    Decision,
    DocumentJob,
    Review,
    Vote,
)
from apps.attestation.services import sessions as services
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory, UserFactory

from .conftest import (
    accepted_application,
    commission_with_members,
    passing_test_result,
    submit_review_sheets,
)

pytestmark = pytest.mark.usefixtures("private_storage")

A = Application.Status
Outcome = Decision.Outcome
PLACE = "Түркістан қаласы, білім бөлімі, 3-кабинет"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- helpers, also used by the view and protocol tests ------------------------------------------


def seat(commission, role):
    return commission.members.filter(role=role).order_by("pk").first()


def voting(commission):
    """The chair first, then the members, in the order they were made."""
    return list(commission.members.exclude(role="secretary").order_by("pk"))


def plan(commission, actor, *, days=3):
    return services.session_create(
        commission=commission,
        actor=actor,
        starts_at=timezone.now() + dt.timedelta(days=days),
        place=PLACE,
    )


def teacher_with(world, *, category="moderator", school=None, **fields):
    return TeacherFactory(
        organization=school or world.school_b,
        category=QualificationCategory.objects.get(code=category),
        **fields,
    )


def decide(session, actor, choices):
    """Mark present the members of `choices` (member -> choice, or a list of choices per
    agenda item) and record their votes on every item."""
    services.session_attendance_set(session=session, actor=actor, present=list(choices))
    votes = {}
    for n, item in enumerate(session.items.order_by("number")):
        for member, choice in choices.items():
            votes[(item.pk, member.pk)] = choice if isinstance(choice, str) else choice[n]
    services.session_votes_set(session=session, actor=actor, votes=votes)


@pytest.fixture
def commission(cycle):
    """Turkistan city's commission (attests expert claims of schools A and B): a chair,
    six members and a secretary."""
    return commission_with_members(cycle)


@pytest.fixture
def secretary(commission):
    return seat(commission, "secretary").user


@pytest.fixture
def session(commission, secretary):
    return plan(commission, secretary)


@pytest.fixture
def applications(world, cycle, commission):
    """Two accepted expert claims with the commission: teacher A's (school A) and
    teacher B's (school B)."""
    return [
        accepted_application(world, cycle, world.teacher_a),
        accepted_application(world, cycle, world.teacher_b),
    ]


# --- planning and the agenda ------------------------------------------------------------------


def test_a_session_is_planned_for_a_formed_commission_only(world, cycle, secretary, commission):
    session = plan(commission, secretary)
    assert (session.status, session.place, session.created_by) == ("planned", PLACE, secretary)
    forming = commission_with_members(cycle, district=world.sairam, formed=False)
    with pytest.raises(ValidationError) as error:
        plan(forming, seat(forming, "secretary").user)
    assert error.value.code == "not_formed"
    with pytest.raises(ValidationError) as error:
        services.session_create(
            commission=commission, actor=secretary, starts_at=timezone.now(), place="  "
        )
    assert "place" in error.value.message_dict


def test_sessions_are_run_by_the_secretary_the_chair_or_the_bodys_staff(world, commission):
    plan(commission, seat(commission, "chair").user)
    plan(commission, world.users["methodologist"])  # Turkistan city's
    other_district = UserFactory()
    role_assignment_create(user=other_district, role=Role.METHODOLOGIST, district=world.sairam)
    for user in (
        seat(commission, "member").user,
        world.users["commission_member"],
        world.users["teacher"],
        world.users["school_admin"],
        other_district,
    ):
        with pytest.raises(PermissionDenied):
            plan(commission, user)


def test_the_agenda_numbers_follow_on_and_the_applications_are_scheduled(
    world, cycle, session, secretary, applications
):
    result = services.session_agenda_add(
        session=session, actor=secretary, applications=applications[:1]
    )
    assert [i.number for i in result.added] == [1] and result.skipped == []
    third = accepted_application(world, cycle, teacher_with(world))
    result = services.session_agenda_add(
        session=session, actor=secretary, applications=[applications[1], third]
    )
    assert [i.number for i in result.added] == [2, 3]
    for application in [*applications, third]:
        application.refresh_from_db()
        assert application.status == A.SCHEDULED
        event = application.events.last()
        assert event.to_status == A.SCHEDULED and PLACE in event.comment


def test_the_agenda_skips_what_cannot_go_on_it_saying_why(
    world, cycle, commission, session, secretary, applications
):
    other = plan(commission, secretary, days=10)
    services.session_agenda_add(session=other, actor=secretary, applications=applications[:1])
    correcting = accepted_application(world, cycle, teacher_with(world))
    application_services._transition(correcting, A.CORRECTION, actor=secretary)
    elsewhere = accepted_application(world, cycle, world.teacher_c)  # Sairam: no commission yet
    result = services.session_agenda_add(
        session=session,
        actor=secretary,
        applications=[applications[0], correcting, elsewhere, applications[1]],
    )
    assert [i.application_id for i in result.added] == [applications[1].pk]
    assert result.added[0].number == 1
    reasons = {a.pk: reason for a, reason in result.skipped}
    assert "already on the agenda of the session of" in reasons[applications[0].pk]
    assert "correction asked by a reviewer" in reasons[correcting.pk]
    assert reasons[elsewhere.pk] == "it is with another commission"


def test_taking_an_application_off_the_agenda_renumbers_it(
    world, cycle, session, secretary, applications
):
    third = accepted_application(world, cycle, teacher_with(world))
    services.session_agenda_add(
        session=session, actor=secretary, applications=[*applications, third]
    )
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    services.session_agenda_remove(session=session, actor=secretary, application=applications[0])
    applications[0].refresh_from_db()
    assert applications[0].status == A.ACCEPTED
    assert list(session.items.order_by("number").values_list("application_id", "number")) == [
        (applications[1].pk, 1),
        (third.pk, 2),
    ]
    assert not Vote.objects.filter(item__application=applications[0]).exists()
    with pytest.raises(ValidationError):
        services.session_agenda_remove(
            session=session, actor=secretary, application=applications[0]
        )


# --- attendance and votes ---------------------------------------------------------------------


@pytest.fixture
def scheduled(session, secretary, applications):
    services.session_agenda_add(session=session, actor=secretary, applications=applications)
    return list(session.items.order_by("number"))


def test_the_secretary_does_not_vote(session, secretary, scheduled):
    clerk = seat(session.commission, "secretary")
    services.session_attendance_set(session=session, actor=secretary, present=[clerk])
    with pytest.raises(ValidationError) as error:
        services.session_votes_set(
            session=session, actor=secretary, votes={(scheduled[0].pk, clerk.pk): "for"}
        )
    assert "secretary, who does not vote" in error.value.messages[0]


def test_an_absent_members_vote_is_refused(session, secretary, scheduled):
    present, absent = voting(session.commission)[:5], voting(session.commission)[5]
    services.session_attendance_set(session=session, actor=secretary, present=present)
    with pytest.raises(ValidationError) as error:
        services.session_votes_set(
            session=session, actor=secretary, votes={(scheduled[0].pk, absent.pk): "against"}
        )
    assert error.value.messages == [f"{absent.full_name} is not marked present."]


def test_a_member_who_sits_out_cannot_vote_on_that_application(
    world, session, secretary, scheduled
):
    colleague = voting(session.commission)[1]
    colleague.organization = world.school_a  # teacher A's school: a district commission
    colleague.save()
    services.session_attendance_set(
        session=session, actor=secretary, present=voting(session.commission)
    )
    first, second = scheduled  # teacher A's, teacher B's
    with pytest.raises(ValidationError) as error:
        services.session_votes_set(
            session=session,
            actor=secretary,
            votes={(second.pk, colleague.pk): "for", (first.pk, colleague.pk): "for"},
        )
    assert error.value.messages == [
        f"{colleague.full_name} sits out No. 1, {world.teacher_a.full_name}: "
        "works in the applicant's organisation."
    ]
    assert not Vote.objects.exists()  # all or nothing
    services.session_votes_set(
        session=session, actor=secretary, votes={(second.pk, colleague.pk): "for"}
    )
    assert Vote.objects.get().member == colleague


def test_votes_are_saved_progressively_changed_and_cleared(session, secretary, scheduled):
    members = voting(session.commission)
    services.session_attendance_set(session=session, actor=secretary, present=members)
    item = scheduled[0]
    services.session_votes_set(
        session=session,
        actor=secretary,
        votes={(item.pk, members[0].pk): "for", (item.pk, members[1].pk): "against"},
    )
    services.session_votes_set(
        session=session,
        actor=secretary,
        votes={
            (item.pk, members[1].pk): "for",
            (item.pk, members[2].pk): "against",
            (item.pk, members[0].pk): "",
        },
    )
    assert dict(Vote.objects.values_list("member_id", "choice")) == {
        members[1].pk: "for",
        members[2].pk: "against",
    }
    with pytest.raises(ValidationError):
        services.session_votes_set(
            session=session, actor=secretary, votes={(item.pk, members[3].pk): "maybe"}
        )


def test_marking_a_member_absent_drops_their_votes(session, secretary, scheduled):
    members = voting(session.commission)
    decide(session, secretary, dict.fromkeys(members, "for"))
    services.session_attendance_set(session=session, actor=secretary, present=members[:5])
    assert set(Vote.objects.values_list("member_id", flat=True)) == {m.pk for m in members[:5]}
    assert set(session.present.all()) == set(members[:5])


def test_only_members_of_the_commission_are_marked_present(world, cycle, session, secretary):
    other = commission_with_members(cycle, district=world.sairam)
    with pytest.raises(ValidationError):
        services.session_attendance_set(
            session=session, actor=secretary, present=[seat(other, "chair")]
        )


# --- closing ----------------------------------------------------------------------------------


def test_four_of_seven_is_no_quorum_five_is(session, secretary, scheduled, applications):
    submit_review_sheets(applications)
    members = voting(session.commission)
    decide(session, secretary, dict.fromkeys(members[:4], "for"))
    with pytest.raises(ValidationError) as error:
        services.session_close(session=session, actor=secretary, protocol_number="1")
    assert error.value.messages == [
        "There is no quorum: 4 of 7 voting members are present, 5 are needed."
    ]
    decide(session, secretary, dict.fromkeys(members[:5], "for"))
    services.session_close(session=session, actor=secretary, protocol_number="1")
    session.refresh_from_db()
    assert session.status == "closed"


def test_closing_names_the_votes_still_missing(world, session, secretary, scheduled, applications):
    submit_review_sheets(applications)
    members = voting(session.commission)
    services.session_attendance_set(session=session, actor=secretary, present=members[:5])
    services.session_votes_set(
        session=session,
        actor=secretary,
        votes={(item.pk, m.pk): "for" for item in scheduled for m in members[:4]},
    )
    with pytest.raises(ValidationError) as error:
        services.session_close(session=session, actor=secretary, protocol_number="1")
    assert error.value.messages == [
        f"No. 1, {world.teacher_a.full_name}: no vote yet from {members[4].full_name}.",
        f"No. 2, {world.teacher_b.full_name}: no vote yet from {members[4].full_name}.",
    ]


def test_a_tie_is_decided_by_the_chairs_casting_vote(session, secretary, scheduled, applications):
    submit_review_sheets(applications)
    chair, *members = voting(session.commission)
    # Six present: on both items 3 for and 3 against; the chair for the first, against
    # the second.
    decide(
        session,
        secretary,
        {
            chair: ["for", "against"],
            members[0]: ["for", "for"],
            members[1]: ["for", "for"],
            members[2]: ["against", "for"],
            members[3]: ["against", "against"],
            members[4]: ["against", "against"],
        },
    )
    services.session_close(session=session, actor=secretary, protocol_number="7")
    first, second = (Decision.objects.get(item=item) for item in scheduled)
    assert (first.votes_for, first.votes_against, first.casting_vote) == (3, 3, True)
    assert first.outcome == Outcome.MEETS and "casting vote" in first.reasons
    assert (second.votes_for, second.votes_against, second.casting_vote) == (3, 3, True)
    assert second.outcome == Outcome.KEEP


def test_a_tie_without_the_chairs_vote_cannot_be_closed(
    world, session, secretary, scheduled, applications
):
    submit_review_sheets(applications)
    members = voting(session.commission)[1:]  # the chair is away
    decide(session, secretary, dict(zip(members, ["for"] * 3 + ["against"] * 3, strict=True)))
    with pytest.raises(ValidationError) as error:
        services.session_close(session=session, actor=secretary, protocol_number="7")
    assert error.value.messages == [
        f"No. {n}, {name}: the votes are tied and the chair has not voted on it, so the tie "
        "cannot be decided."
        for n, name in ((1, world.teacher_a.full_name), (2, world.teacher_b.full_name))
    ]
    assert CommissionSession.objects.get(pk=session.pk).status == "planned"
    assert not Decision.objects.exists()


def test_closing_records_the_decisions_statuses_job_and_mails(
    world, cycle, session, secretary, scheduled, applications, django_capture_on_commit_callbacks
):
    members = voting(session.commission)
    teacher_b_user = UserFactory(preferred_language="ru")
    world.teacher_b.user = teacher_b_user
    world.teacher_b.save()
    Review.objects.create(
        application=applications[0],
        member=members[1],
        version=1,
        total=90,
        submitted_at=timezone.now(),
    )
    Review.objects.create(
        application=applications[0],
        member=members[2],
        version=1,
        total=85,
        submitted_at=timezone.now(),
    )
    submit_review_sheets(applications[1:], total=60)  # below expert's 84: voted against
    decide(session, secretary, {m: ["for", "against"] for m in members[:5]})
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.session_close(session=session, actor=secretary, protocol_number=" 12/3 ")
    assert (closed.status, closed.protocol_number, closed.closed_by) == (
        "closed",
        "12/3",
        secretary,
    )
    assert closed.closed_at is not None
    meets, kept = (Decision.objects.get(item=item) for item in scheduled)
    expert, moderator = (QualificationCategory.objects.get(code=c) for c in ("expert", "moderator"))
    assert (meets.outcome, meets.assigned_category, meets.capped_by_test) == (
        Outcome.MEETS,
        expert,
        False,
    )
    assert (meets.votes_for, meets.votes_against, meets.casting_vote) == (5, 0, False)
    assert meets.portfolio_score == Decimal("87.50")
    assert (meets.current_category, meets.claimed_category) == (moderator, expert)
    assert meets.decided_on == timezone.localtime(session.starts_at).date()
    assert (meets.body_kk, meets.body_ru) == ("Аттестаттау комиссиясы", "Аттестационная комиссия")
    assert (meets.session, meets.application, meets.created_by) == (
        closed,
        applications[0],
        secretary,
    )
    assert "Votes: 5 for, 0 against." in meets.reasons
    assert (kept.outcome, kept.assigned_category, kept.votes_against) == (
        Outcome.KEEP,
        moderator,
        5,
    )
    assert kept.portfolio_score == Decimal("60.00")
    for application in applications:
        application.refresh_from_db()
        assert application.status == A.DECIDED
        assert "protocol No. 12/3" in application.events.last().comment
    job = DocumentJob.objects.get(session=closed)
    assert (job.kind, job.total_rows, job.created_by) == ("protocol", 3, secretary)
    assert (job.status, job.processed_rows) == ("done", 3)  # run by the worker on commit
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {world.users["teacher"].email, teacher_b_user.email}
    # Each in the teacher's language: the category names say which.
    assert "педагог-сарапшы" in by_recipient[world.users["teacher"].email].subject
    russian = by_recipient[teacher_b_user.email]
    assert "педагог-эксперт" in russian.subject
    assert f"/attestation/sessions/{closed.pk}/extracts/{applications[1].pk}.pdf" in russian.body


def test_meeting_the_claim_with_a_test_below_its_pass_mark_is_capped(
    world, cycle, session, secretary, applications
):
    """Teacher A (moderator) meets expert, but with 65%: no category above moderator is
    reached, so moderator is kept; a teacher with the legacy "second" category with 65%
    gets moderator."""
    legacy = accepted_application(world, cycle, teacher_with(world, category="second"))
    for application in (applications[0], legacy):
        low = passing_test_result(application.teacher, percent=65, number=f"LOW-{application.pk}")
        Application.objects.filter(pk=application.pk).update(test_result=low)
    submit_review_sheets([applications[0], legacy])
    services.session_agenda_add(
        session=session, actor=secretary, applications=[applications[0], legacy]
    )
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    services.session_close(session=session, actor=secretary, protocol_number="3")
    kept = Decision.objects.get(application=applications[0])
    assert (kept.outcome, kept.assigned_category.code, kept.capped_by_test) == (
        Outcome.KEEP,
        "moderator",
        True,
    )
    assert "65.00%, is below the pass mark of teacher-expert" in kept.reasons
    lowered = Decision.objects.get(application=legacy)
    assert (lowered.outcome, lowered.assigned_category.code, lowered.capped_by_test) == (
        Outcome.LOWER,
        "moderator",
        True,
    )


def test_the_secretary_chooses_keep_or_a_lower_category_when_it_does_not_meet(
    world, cycle, session, secretary, applications
):
    legacy = accepted_application(world, cycle, teacher_with(world, category="second"))
    submit_review_sheets([legacy, applications[0]], total=70)
    services.session_agenda_add(
        session=session, actor=secretary, applications=[legacy, applications[0]]
    )
    legacy_item, kept_item = session.items.order_by("number")
    decide(session, secretary, dict.fromkeys(voting(session.commission), "against"))
    moderator = QualificationCategory.objects.get(code="moderator")
    researcher = QualificationCategory.objects.get(code="researcher")
    with pytest.raises(ValidationError) as error:
        services.session_close(
            session=session,
            actor=secretary,
            protocol_number="4",
            lower_choices={legacy_item.pk: researcher},
        )
    assert error.value.messages == [
        f"No. 1, {legacy.teacher.full_name}: {researcher.name} cannot be assigned."
    ]
    services.session_close(
        session=session,
        actor=secretary,
        protocol_number="4",
        lower_choices={legacy_item.pk: moderator, kept_item.pk: None},
    )
    lowered = Decision.objects.get(item=legacy_item)
    assert (lowered.outcome, lowered.assigned_category, lowered.capped_by_test) == (
        Outcome.LOWER,
        moderator,
        False,
    )
    kept = Decision.objects.get(item=kept_item)
    assert (kept.outcome, kept.assigned_category) == (Outcome.KEEP, moderator)


def test_a_protocol_number_is_used_once_per_commission(
    world, cycle, commission, session, secretary, applications
):
    other = plan(commission, secretary, days=10)
    submit_review_sheets(applications)
    for target, application in ((session, applications[0]), (other, applications[1])):
        services.session_agenda_add(session=target, actor=secretary, applications=[application])
        decide(target, secretary, dict.fromkeys(voting(commission), "for"))
    services.session_close(session=session, actor=secretary, protocol_number="5")
    with pytest.raises(ValidationError) as error:
        services.session_close(session=other, actor=secretary, protocol_number="5")
    assert error.value.message_dict == {
        "protocol_number": ["This commission already has a protocol No. 5."]
    }
    sairam = commission_with_members(cycle, district=world.sairam)
    elsewhere = plan(sairam, seat(sairam, "secretary").user)
    teacher_c_application = accepted_application(world, cycle, world.teacher_c)
    submit_review_sheets([teacher_c_application])
    services.session_agenda_add(
        session=elsewhere,
        actor=seat(sairam, "secretary").user,
        applications=[teacher_c_application],
    )
    decide(elsewhere, seat(sairam, "secretary").user, dict.fromkeys(voting(sairam), "for"))
    services.session_close(
        session=elsewhere, actor=seat(sairam, "secretary").user, protocol_number="5"
    )


def test_an_empty_agenda_cannot_be_closed_and_a_closed_session_not_changed(
    session, secretary, applications
):
    with pytest.raises(ValidationError) as error:
        services.session_close(session=session, actor=secretary, protocol_number="1")
    assert "The agenda is empty." in error.value.messages
    submit_review_sheets(applications)
    services.session_agenda_add(session=session, actor=secretary, applications=applications)
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    services.session_close(session=session, actor=secretary, protocol_number="1")
    for call in (
        lambda: services.session_close(session=session, actor=secretary, protocol_number="2"),
        lambda: services.session_votes_set(session=session, actor=secretary, votes={}),
        lambda: services.session_cancel(session=session, actor=secretary),
        lambda: services.session_agenda_remove(
            session=session, actor=secretary, application=applications[0]
        ),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.code == "not_planned"


def test_an_ordinary_member_cannot_close(session, scheduled):
    member = seat(session.commission, "member").user
    with pytest.raises(PermissionDenied):
        services.session_close(session=session, actor=member, protocol_number="1")


def test_cancelling_puts_the_agenda_back(session, secretary, scheduled, applications):
    cancelled = services.session_cancel(session=session, actor=secretary)
    assert cancelled.status == "cancelled"
    for application in applications:
        application.refresh_from_db()
        assert application.status == A.ACCEPTED
        assert "was cancelled" in application.events.last().comment
    assert AgendaItem.objects.filter(session=session).count() == 2  # kept as the record
    again = plan(session.commission, secretary)
    result = services.session_agenda_add(session=again, actor=secretary, applications=applications)
    assert len(result.added) == 2
