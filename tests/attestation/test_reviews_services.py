"""Scoring a portfolio: who may (a chair or member of the application's commission who does
not sit it out; never the secretary), what a sheet may hold, totals against the claimed
category's threshold, and a reviewer's return for correction through to the resubmission."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.attestation import services as application_services
from apps.attestation.models import (
    Application,
    ApplicationEvent,
    CategoryRule,
    CommissionMember,
    Review,
)
from apps.attestation.selectors import commissions as selectors
from apps.attestation.services import commissions as services
from apps.core.calendar import add_working_days
from apps.core.dates import short_date
from apps.teachers.models import QualificationCategory
from tests.factories import TeacherFactory

from .conftest import accepted_application, commission_with_members, credit_pd_hours

pytestmark = pytest.mark.usefixtures("private_storage")

S = Application.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def scores_totalling(cycle, total: int) -> dict[str, int]:
    """A whole sheet adding up to `total`: the criteria filled in order to their maximum."""
    scores, left = {}, total
    for criterion in cycle.review_criteria.all():
        scores[criterion.code] = min(criterion.max_points, left)
        left -= scores[criterion.code]
    assert left == 0, "more than the sheet's maximum"
    return scores


def member_of(commission, role="member", n=0) -> CommissionMember:
    return list(commission.members.filter(role=role).order_by("pk"))[n]


def submit(application, member, total, **kwargs):
    return services.review_save(
        application=application,
        actor=member.user,
        scores=scores_totalling(application.cycle, total),
        submit=True,
        **kwargs,
    )


@pytest.fixture
def district_commission(cycle):
    return commission_with_members(cycle)


@pytest.fixture
def application(world, cycle, district_commission):
    """Teacher A's expert claim, before the Turkistan city commission."""
    application = accepted_application(world, cycle, world.teacher_a)
    assert application.commission == district_commission
    return application


# --- who scores -------------------------------------------------------------------------------


def test_a_member_saves_a_partial_draft_then_submits_the_whole_sheet(
    application, district_commission
):
    member = member_of(district_commission)

    draft = services.review_save(
        application=application,
        actor=member.user,
        scores={"student_results": 7, "observations": 12},
        comment="  Көп жұмыс  ",
    )

    assert (draft.total, draft.submitted_at, draft.comment) == (19, None, "Көп жұмыс")
    assert draft.version == application.version == 1
    assert selectors.review_table(application).summary.count == 0  # a draft is not counted

    sheet = submit(application, member, 90)

    assert sheet.pk == draft.pk and sheet.total == 90 and sheet.submitted_at is not None
    assert Review.objects.count() == 1
    table = selectors.review_table(application)
    assert table.summary.count == 1 and table.summary.mean == 90


def test_a_submitted_sheet_may_change_until_the_decision(application, district_commission):
    member = member_of(district_commission)
    submit(application, member, 90)
    submit(application, member, 95)
    assert Review.objects.get().total == 95

    Application.objects.filter(pk=application.pk).update(status=S.SCHEDULED)
    submit(application, member, 96)  # on the agenda: still open
    Application.objects.filter(pk=application.pk).update(status=S.DECIDED)

    with pytest.raises(ValidationError) as error:
        submit(application, member, 97)

    assert error.value.messages == [
        "Only an application under review can be scored: this one is “decided”."
    ]
    assert Review.objects.get().total == 96


def test_the_chair_scores_too(application, district_commission):
    assert submit(application, member_of(district_commission, "chair"), 84).total == 84


def test_the_secretary_does_not_score(application, district_commission):
    with pytest.raises(ValidationError) as error:
        submit(application, member_of(district_commission, "secretary"), 84)
    assert error.value.messages == [
        "The secretary keeps the minutes and does not score portfolios."
    ]
    assert not Review.objects.exists()


def test_someone_not_on_the_commission_does_not_score(world, cycle, application):
    other = commission_with_members(cycle, district=world.sairam)
    for actor in (member_of(other).user, world.users["methodologist"], world.users["superuser"]):
        with pytest.raises(PermissionDenied):
            services.review_save(application=application, actor=actor, scores={})
    assert not Review.objects.exists()


# --- exclusions -------------------------------------------------------------------------------


def test_a_member_being_attested_in_the_cycle_sits_out(world, cycle, application):
    member = member_of(application.commission, n=2)
    colleague = TeacherFactory(organization=world.school_b, user=member.user)
    accepted_application(world, cycle, colleague)

    with pytest.raises(ValidationError) as error:
        submit(application, member, 90)

    assert error.value.messages == [
        f"{member.full_name} sits out this application: is being attested in this cycle."
    ]


def test_a_member_from_the_applicants_organisation_sits_out_at_a_district_commission(
    world, application
):
    member = member_of(application.commission)
    CommissionMember.objects.filter(pk=member.pk).update(organization=world.school_a)

    with pytest.raises(ValidationError) as error:
        submit(application, member, 90)

    assert error.value.messages == [
        f"{member.full_name} sits out this application: works in the applicant's organisation."
    ]
    other = member_of(application.commission, n=1)  # from another school: scores
    CommissionMember.objects.filter(pk=other.pk).update(organization=world.school_b)
    assert submit(application, other, 90).total == 90


def test_colleagues_score_at_their_organisations_own_commission(world, cycle):
    commission = commission_with_members(cycle, level="organization", organization=world.school_a)
    commission.members.update(organization=world.school_a)
    teacher = TeacherFactory(organization=world.school_a, category=None)
    application = accepted_application(world, cycle, teacher, claimed="moderator")
    assert application.commission == commission

    assert submit(application, member_of(commission), 70).total == 70


def test_the_applicant_never_scores_their_own_application(world, cycle):
    commission = commission_with_members(cycle)
    member = member_of(commission)
    teacher = TeacherFactory(organization=world.school_b, user=member.user)
    own = accepted_application(world, cycle, teacher)

    with pytest.raises(PermissionDenied):
        submit(own, member, 90)


# --- what a sheet holds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "submit_it", "message"),
    [
        ({"student_results": 11}, False, "from 0 to 10 points."),
        ({"student_results": -1}, False, "from 0 to 10 points."),
        ({"student_results": True}, False, "from 0 to 10 points."),
        ({"student_results": "5"}, False, "from 0 to 10 points."),
        ({"lessons": 3}, False, "“lessons” is not a criterion of this cycle's scoring sheet."),
        ({"student_results": 5}, True, "score it before submitting."),
    ],
)
def test_a_sheet_holds_whole_points_within_each_maximum(
    application, district_commission, scores, submit_it, message
):
    with pytest.raises(ValidationError) as error:
        services.review_save(
            application=application,
            actor=member_of(district_commission).user,
            scores=scores,
            submit=submit_it,
        )
    assert any(m.endswith(message) for m in error.value.messages), error.value.messages
    assert not Review.objects.exists()


def test_a_missing_criterion_is_named(application, district_commission):
    scores = scores_totalling(application.cycle, 90)
    del scores["class_teacher"]

    with pytest.raises(ValidationError) as error:
        services.review_save(
            application=application,
            actor=member_of(district_commission).user,
            scores=scores,
            submit=True,
        )

    title = application.cycle.review_criteria.get(code="class_teacher").title
    assert error.value.messages == [f"{title}: score it before submitting."]


# --- totals and thresholds --------------------------------------------------------------------


def _claimant(world, cycle, claimed):
    """A teacher of school A who may claim `claimed`, with the commission that attests it
    (the ministry's master claims exercised at a regional commission: the numbers are the
    cycle's, whoever decides)."""
    current = {
        "moderator": None,
        "expert": "moderator",
        "researcher": "expert",
        "master": "researcher",
    }[claimed]
    teacher = TeacherFactory(
        organization=world.school_a,
        category=QualificationCategory.objects.get(code=current) if current else None,
    )
    if claimed == "master":
        CategoryRule.objects.filter(cycle=cycle, category__code="master").update(level="region")
        credit_pd_hours(teacher, hours=30)
    level = CategoryRule.objects.get(cycle=cycle, category__code=claimed).level
    commission = commission_with_members(
        cycle, level=level, organization=world.school_a if level == "organization" else None
    )
    return accepted_application(world, cycle, teacher, claimed=claimed), commission


@pytest.mark.parametrize(
    ("claimed", "threshold"),
    [("moderator", 68), ("expert", 84), ("researcher", 113), ("master", 133)],
)
@pytest.mark.parametrize("below", [0, 1])
def test_the_mean_of_the_submitted_totals_against_the_threshold(
    world, cycle, claimed, threshold, below
):
    application, commission = _claimant(world, cycle, claimed)
    assert application.commission == commission

    # Three sheets whose mean is the threshold (or a point below it).
    for n, total in enumerate((threshold - 2 - below, threshold - below, threshold + 2 - below)):
        submit(application, member_of(commission, n=n), total)

    summary = selectors.review_table(application).summary
    assert summary.threshold == threshold
    assert summary.mean == threshold - below
    assert summary.meets is (below == 0)
    assert summary.spread == 4


def test_the_table_shows_submitted_sheets_by_criterion_and_who_is_missing(
    world, application, district_commission
):
    first, second = member_of(district_commission, n=0), member_of(district_commission, n=1)
    excluded = member_of(district_commission, n=2)
    CommissionMember.objects.filter(pk=excluded.pk).update(organization=world.school_a)
    submit(application, first, 70)
    submit(application, second, 100, comment="Жақсы")
    drafter = member_of(district_commission, n=3)
    services.review_save(application=application, actor=drafter.user, scores={"talks": 4})

    table = selectors.review_table(application)

    assert [s.member for s in table.submitted] == [first, second]
    assert [s.review.total for s in table.submitted] == [70, 100]
    assert table.summary.spread == 30 and table.wide_spread
    codes = [c.code for c in table.criteria]
    student_results = table.rows[codes.index("student_results")]
    assert student_results[1] == [10, 10]
    assert [s.member for s in table.excluded] == [excluded]
    assert table.excluded[0].exclusion == "works in the applicant's organisation"
    missing = {s.member for s in table.missing}
    assert drafter in missing and first not in missing and excluded not in missing
    assert len(missing) == 7 - 3  # the secretary is not in the table at all
    assert [s.member for s in table.commented] == [second]


def test_a_spread_of_fifteen_is_not_yet_wide(application, district_commission):
    submit(application, member_of(district_commission, n=0), 80)
    submit(application, member_of(district_commission, n=1), 95)

    table = selectors.review_table(application)

    assert table.summary.spread == selectors.SPREAD_WARNING_POINTS == 15
    assert not table.wide_spread


# --- return for correction --------------------------------------------------------------------


def test_a_member_returns_the_application_and_the_teacher_is_told(
    world, application, district_commission, django_capture_on_commit_callbacks
):
    member = member_of(district_commission)
    teacher_user = world.users["teacher"]
    teacher_user.preferred_language = "en"
    teacher_user.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        returned = services.review_return(
            application=application, actor=member.user, comment="Add the 2024 olympiad diploma."
        )

    expected_due = add_working_days(timezone.localdate(), application.cycle.correction_working_days)
    assert returned.status == S.CORRECTION
    assert returned.correction_due_on == expected_due
    event = ApplicationEvent.objects.filter(application=application).last()
    assert (event.to_status, event.actor, event.comment) == (
        S.CORRECTION,
        member.user,
        "Add the 2024 olympiad diploma.",
    )
    (message,) = mail.outbox
    assert message.to == [teacher_user.email]
    assert "needs a correction" in message.subject
    assert "Add the 2024 olympiad diploma." in message.body
    assert short_date(expected_due) in message.body
    assert f"/attestation/applications/{application.pk}/" in message.body


def test_the_deadline_may_be_given_but_not_today(application, district_commission):
    member = member_of(district_commission)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.review_return(
            application=application, actor=member.user, comment="x", due_on=today
        )
    assert error.value.message_dict == {"due_on": ["The deadline must be after today."]}
    with pytest.raises(ValidationError) as error:
        services.review_return(application=application, actor=member.user, comment=" ")
    assert error.value.message_dict == {"comment": ["Say what needs correcting."]}

    due = today + dt.timedelta(days=20)
    returned = services.review_return(
        application=application, actor=member.user, comment="x", due_on=due
    )
    assert returned.correction_due_on == due


def test_the_secretary_and_outsiders_do_not_return(world, application, district_commission):
    with pytest.raises(ValidationError):
        services.review_return(
            application=application,
            actor=member_of(district_commission, "secretary").user,
            comment="x",
        )
    with pytest.raises(PermissionDenied):
        services.review_return(
            application=application, actor=world.users["methodologist"], comment="x"
        )
    application.refresh_from_db()
    assert application.status == S.ACCEPTED


def test_an_application_on_the_agenda_is_not_returned(application, district_commission):
    Application.objects.filter(pk=application.pk).update(status=S.SCHEDULED)
    with pytest.raises(ValidationError):
        services.review_return(
            application=application, actor=member_of(district_commission).user, comment="x"
        )


def test_correction_resubmission_and_review_of_the_new_version(
    world, application, district_commission
):
    member = member_of(district_commission)
    submit(application, member, 80)
    services.review_return(application=application, actor=member.user, comment="Add the diploma.")

    with pytest.raises(ValidationError):  # nothing to score while the teacher corrects
        submit(application, member, 85)

    resubmitted = application_services.application_submit(
        application=application, actor=world.users["teacher"]
    )

    assert resubmitted.status == S.ACCEPTED
    assert resubmitted.version == 2
    assert resubmitted.correction_due_on is None
    assert resubmitted.commission == district_commission
    row = selectors.review_queue(user=member.user).object_list[0]
    assert row.application == resubmitted and row.outdated
    assert selectors.review_table(resubmitted).outdated[0].member == member

    sheet = submit(resubmitted, member, 85)

    assert (sheet.version, sheet.total) == (2, 85)
    row = selectors.review_queue(user=member.user).object_list[0]
    assert row.submitted and not row.outdated
