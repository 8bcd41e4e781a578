"""A session decides on scored portfolios, by a commission that is formed and sits: only the
sheets of an application's current version count; an application nobody has scored, or
a vote for the claimed category below its points threshold, keeps the session open; a
commission being formed again neither votes nor closes; and members being attested in
the cycle count neither for the composition nor for the quorum."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.attestation import services as application_services
from apps.attestation.exclusions import attested_member_ids
from apps.attestation.models import Application, Commission, Decision, Review, Vote
from apps.attestation.scoring import review_summaries
from apps.attestation.selectors import commissions as commission_selectors
from apps.attestation.selectors.sessions import session_page
from apps.attestation.services import commissions as commission_services
from apps.attestation.services import sessions as services
from tests.factories import UserFactory

from . import test_sessions_services as base
from .conftest import accepted_application, submit_review_sheets
from .test_sessions_services import decide, teacher_with, voting

# The sessions' fixtures, shared with the service tests.
english = base.english
pytestmark = pytest.mark.usefixtures("private_storage")
commission, secretary, session = base.commission, base.secretary, base.session
applications, scheduled = base.applications, base.scheduled

NOT_FORMED = (
    "The commission is being formed again after a change of its members: it can vote and "
    "close sessions once it is formed."
)


def close(session, secretary, number="1"):
    return services.session_close(session=session, actor=secretary, protocol_number=number)


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


# --- a commission being formed again ----------------------------------------------------------


def test_a_commission_formed_again_after_a_seat_change_neither_votes_nor_closes(
    world, session, secretary, scheduled, applications
):
    submit_review_sheets(applications)
    members = voting(session.commission)
    decide(session, secretary, dict.fromkeys(members[:6], "for"))
    changed = commission_services.member_add(
        commission=session.commission,
        actor=world.users["methodologist"],
        user=UserFactory(),
        role="member",
        full_name="Жаңа Мүше",
        position="Әдіскер",
        experience_years=12,
    ).commission
    assert changed.status == Commission.Status.FORMING  # eight voting members: even

    with pytest.raises(ValidationError) as error:
        services.session_votes_set(
            session=session, actor=secretary, votes={(scheduled[0].pk, members[6].pk): "for"}
        )
    assert (error.value.code, error.value.messages) == ("not_formed", [NOT_FORMED])
    assert not Vote.objects.filter(member=members[6]).exists()
    assert refusal(lambda: close(session, secretary)) == [NOT_FORMED]
    assert not Decision.objects.exists()
    session.refresh_from_db()  # as the page reads it
    assert session_page(session).problems == [NOT_FORMED]


# --- scored portfolios ------------------------------------------------------------------------


def test_an_application_nobody_has_scored_keeps_the_session_open(
    world, session, secretary, scheduled, applications
):
    submit_review_sheets(applications[:1])
    Review.objects.create(  # a draft is not a score
        application=applications[1], member=voting(session.commission)[0], version=1, total=99
    )
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    expected = (
        f"No. 2, {world.teacher_b.full_name}: the portfolio has not been scored: no member "
        "has submitted a sheet of its current version."
    )
    assert refusal(lambda: close(session, secretary)) == [expected]
    assert session_page(session).problems == [expected]
    submit_review_sheets(applications[1:])
    close(session, secretary)
    assert Decision.objects.filter(outcome=Decision.Outcome.MEETS).count() == 2


def test_only_the_sheets_of_the_current_version_count(world, cycle, session, secretary):
    """All seven members score version 1; a reviewer sends it back for a correction and the
    teacher resubmits version 2: the old sheets are shown as outdated, not counted, and
    the session cannot decide until version 2 is scored."""
    application = accepted_application(world, cycle, world.teacher_a)
    submit_review_sheets([application], total=90)
    reviewer = voting(session.commission)[1]
    commission_services.review_return(
        application=application, actor=reviewer.user, comment="Дипломның көшірмесі оқылмайды."
    )
    application = application_services.application_submit(
        application=Application.objects.get(pk=application.pk), actor=world.users["superuser"]
    )
    assert (application.status, application.version) == (Application.Status.ACCEPTED, 2)

    summary = review_summaries([application])[application.pk]
    assert (summary.count, summary.mean, summary.meets) == (0, None, None)
    table = commission_selectors.review_table(application)
    assert table.summary.count == 0
    assert len(table.outdated) == 7 and not table.missing
    queue = commission_selectors.review_queue(user=reviewer.user)
    [row] = queue.object_list
    assert row.outdated and row.summary.count == 0

    services.session_agenda_add(session=session, actor=secretary, applications=[application])
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    assert refusal(lambda: close(session, secretary)) == [
        f"No. 1, {world.teacher_a.full_name}: the portfolio has not been scored: no member "
        "has submitted a sheet of its current version."
    ]
    commission_services.review_save(
        application=application,
        actor=reviewer.user,
        scores={c.code: c.max_points for c in cycle.review_criteria.all()},
        submit=True,
    )
    summary = review_summaries([application])[application.pk]
    assert summary.count == 1 and summary.mean == sum(
        c.max_points for c in cycle.review_criteria.all()
    )
    close(session, secretary)
    decision = Decision.objects.get(application=application)
    assert decision.portfolio_score == summary.mean


def test_a_vote_for_the_claim_below_the_points_threshold_is_refused(
    client, world, session, secretary, scheduled, applications
):
    submit_review_sheets(applications[:1], total=70)  # expert needs 84
    submit_review_sheets(applications[1:])
    decide(session, secretary, dict.fromkeys(voting(session.commission), "for"))
    expected = (
        f"No. 1, {world.teacher_a.full_name}: the vote says the claimed category is met, but "
        "the portfolio's mean, 70.00 points, is below its threshold of 84: vote again, or the "
        "members score it again."
    )
    assert refusal(lambda: close(session, secretary)) == [expected]

    page = session_page(session)
    assert [row.state.conflict for row in page.rows] == [True, False]
    assert page.problems == [expected]
    sign_in_english(client, secretary)
    content = client.get(reverse("attestation:session_detail", args=[session.pk])).content
    content = content.decode()
    assert content.count("data-conflict") == 1 and "is below 84" in content
    assert content.count('class="table-warning"') == 1

    decide(  # the commission votes again: it does not meet the claim
        session,
        secretary,
        {m: ["against", "for"] for m in voting(session.commission)},
    )
    close(session, secretary)
    kept = Decision.objects.get(application=applications[0])
    assert (kept.outcome, kept.portfolio_score) == (Decision.Outcome.KEEP, Decimal("70.00"))


# --- members being attested in the cycle ------------------------------------------------------


@pytest.fixture
def three_applicants(world, cycle, commission):
    """Three of the seven voting members (two members and the chair) are teachers who
    applied in the cycle; a fourth applied too, but their application was refused."""
    members = voting(commission)
    applicants = [members[0], members[3], members[5]]
    for member in [*applicants, members[6]]:
        teacher = teacher_with(world)
        teacher.user = member.user
        teacher.save()
        application = accepted_application(world, cycle, teacher)
        if member == members[6]:
            Application.objects.filter(pk=application.pk).update(status=Application.Status.REFUSED)
    return applicants


def test_members_being_attested_are_not_counted_in_the_composition(
    world, commission, three_applicants, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert attested_member_ids(commission) == {m.pk for m in three_applicants}
    names = ", ".join(m.full_name for m in three_applicants)
    assert commission_services.composition_problems(commission) == [
        "There are 4 voting members (the chair and the members): at least 7 are needed.",
        "The number of voting members must be odd: it is 4.",
        f"{names} are being attested in this cycle and do not sit: not counted among the "
        "voting members.",
    ]
    Commission.objects.filter(pk=commission.pk).update(status=Commission.Status.FORMING)
    with pytest.raises(ValidationError) as error:
        commission_services.commission_form(
            commission=commission, actor=world.users["methodologist"]
        )
    assert "The number of voting members must be odd: it is 4." in error.value.messages


def test_one_member_being_attested_in_a_commission_of_eight_leaves_seven_who_sit(
    world, cycle, commission
):
    commission_services.member_add(
        commission=commission,
        actor=world.users["methodologist"],
        user=UserFactory(),
        role="member",
        full_name="Сегізінші Мүше",
        position="Әдіскер",
        experience_years=12,
    )
    assert len(commission_services.composition_problems(commission)) == 1  # eight: even
    teacher = teacher_with(world)
    teacher.user = voting(commission)[7].user
    teacher.save()
    accepted_application(world, cycle, teacher)
    assert commission_services.composition_problems(commission) == []


def test_the_quorum_counts_only_the_members_who_sit(
    client, session, secretary, scheduled, applications, three_applicants
):
    submit_review_sheets(applications)
    members = voting(session.commission)
    sitting = [m for m in members if m not in three_applicants]
    decide(session, secretary, dict.fromkeys(sitting[:2], "for"))
    services.session_attendance_set(
        session=session, actor=secretary, present=[*three_applicants, *sitting[:2]]
    )
    state = services.session_state(session)
    assert (state.quorum.present, state.quorum.total, state.quorum.needed) == (2, 4, 3)
    assert state.voting_members == sitting
    assert refusal(lambda: close(session, secretary)) == [
        "There is no quorum: 2 of 4 voting members are present, 3 are needed."
    ]
    with pytest.raises(ValidationError) as error:
        services.session_votes_set(
            session=session,
            actor=secretary,
            votes={(scheduled[0].pk, three_applicants[0].pk): "for"},
        )
    assert "is being attested in this cycle" in error.value.messages[0]

    sign_in_english(client, secretary)
    page = client.get(reverse("attestation:session_detail", args=[session.pk]))
    assert len(page.context["page"].rows[0].cells) == 4
    assert page.content.decode().count("being attested in this cycle: does not sit") == 3

    decide(session, secretary, dict.fromkeys(sitting[:3], "for"))
    close(session, secretary)
    decision = Decision.objects.get(application=applications[0])
    assert (decision.votes_for, decision.votes_against) == (3, 0)
    protocol = services.protocol_print(session)
    assert (protocol.voting_members, protocol.voting_present, protocol.quorum_needed) == (4, 3, 3)


def sign_in_english(client, user):
    """The page in English: the texts asserted are the source texts."""
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
