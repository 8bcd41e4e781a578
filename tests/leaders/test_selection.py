"""Selection through the services: pass rules, ranking and ties, admission up to the places,
the reasons candidates see, eligibility, refused moves and the decision log; editing an
intake and its stages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.leaders import services
from apps.leaders.models import Candidate, CandidateEvent, Intake, Stage, StageResult
from apps.teachers.models import Position, QualificationCategory

from .conftest import applicant

D = Decimal


def _candidates(world, intake, count, organization=None):
    people = [applicant(organization or world.school_a) for _ in range(count)]
    return [
        services.candidate_apply(
            intake=intake, teacher=p.teacher, actor=p.user, motivation="Мектепті өзгерткім келеді."
        )
        for p in people
    ]


def _stages(intake, staff, *specs):
    """Replace the intake's stages: (kind, max, rule, pass score or top N) each."""
    services.intake_update(
        intake=intake,
        actor=staff,
        stages=[
            {
                "pk": None,
                "kind": kind,
                "max_score": D(maximum),
                "rule": rule,
                "pass_score": D(number) if rule == "min_score" else None,
                "top_n": number if rule == "top" else None,
            }
            for kind, maximum, rule, number in specs
        ],
    )
    return list(intake.stages.order_by("order"))


def _status(candidate):
    return Candidate.objects.get(pk=candidate.pk).status


@pytest.fixture
def staff(world):
    return world.users["region_admin"]


def test_rank_shares_ranks_between_equal_scores():
    assert services.rank([(1, D(5)), (2, D(9)), (3, D(5)), (4, D(2))]) == {2: 1, 1: 2, 3: 2, 4: 4}


def test_min_score_rule_passes_those_at_the_pass_score(world, intake, staff):
    a, b, c = _candidates(world, intake, 3)
    stage = intake.stages.get(order=1)  # application: at least 6 of 10
    services.stage_scores_record(
        stage=stage, scores={a.pk: D(8), b.pk: D(6), c.pk: D("5.99")}, actor=staff
    )
    outcome = services.stage_decide(stage=stage, actor=staff)
    assert outcome == {"passed": 2, "stopped": 1, "admitted": 0, "beyond_places": 0}
    assert [_status(x) for x in (a, b, c)] == ["applied", "applied", "stopped"]
    stopped = Candidate.objects.get(pk=c.pk)
    assert stopped.stopped_at == stage
    assert stopped.stop_reason == "Score 5.99 of 10.00; 6.00 was needed to pass."
    ranks = dict(StageResult.objects.filter(stage=stage).values_list("candidate", "rank"))
    assert ranks == {a.pk: 1, b.pk: 2, c.pk: 3}


def test_top_n_rule_lets_every_tie_at_the_cut_off_pass(world, intake, staff):
    people = _candidates(world, intake, 5)
    first, _second = _stages(
        intake, staff, ("test", 100, "top", 2), ("commission", 100, "min_score", 1)
    )
    scores = dict(zip([p.pk for p in people], [D(90), D(80), D(80), D(70), D(80)], strict=True))
    services.stage_scores_record(stage=first, scores=scores, actor=staff)
    assert services.stage_decide(stage=first, actor=staff)["passed"] == 4
    assert [_status(p) for p in people] == ["applied", "applied", "applied", "stopped", "applied"]
    assert Candidate.objects.get(pk=people[3].pk).stop_reason == "Rank 5; the best 2 passed."


def test_no_result_stops_the_candidate_with_the_reason(world, intake, staff):
    a, b = _candidates(world, intake, 2)
    stage = intake.stages.get(order=1)
    services.stage_scores_record(stage=stage, scores={a.pk: D(9)}, actor=staff)
    services.stage_decide(stage=stage, actor=staff)
    assert Candidate.objects.get(pk=b.pk).stop_reason == "No result was recorded at this stage."


def test_admission_up_to_the_places_ties_broken_by_the_total(world, intake, staff):
    people = _candidates(world, intake, 4)  # 3 places
    first, last = _stages(
        intake, staff, ("test", 100, "min_score", 50), ("commission", 100, "min_score", 50)
    )
    firsts = [D(60), D(90), D(70), D(80)]
    services.stage_scores_record(
        stage=first, scores={p.pk: s for p, s in zip(people, firsts, strict=True)}, actor=staff
    )
    services.stage_decide(stage=first, actor=staff)
    # Everyone scores the same at the last stage: the total of all stages decides.
    services.stage_scores_record(stage=last, scores={p.pk: D(75) for p in people}, actor=staff)
    outcome = services.stage_decide(stage=last, actor=staff)
    # (The count of those stopped is of the stage's rule; the place beyond is in the reason.)
    assert outcome == {"passed": 4, "stopped": 0, "admitted": 3, "beyond_places": 1}
    assert [_status(p) for p in people] == ["stopped", "admitted", "admitted", "admitted"]
    assert Candidate.objects.get(pk=people[0].pk).stop_reason == (
        "Passed every stage, but place 4 is beyond the 3 places."
    )
    assert CandidateEvent.objects.get(candidate=people[1], to_status="admitted").comment == (
        "Admitted: place 1 of 3."
    )


def test_decisions_are_logged_with_who_when_and_why(world, intake, staff):
    (candidate,) = _candidates(world, intake, 1)
    stage = intake.stages.get(order=1)
    services.stage_scores_record(stage=stage, scores={candidate.pk: D(2)}, actor=staff)
    services.stage_decide(stage=stage, actor=staff)
    events = list(candidate.events.order_by("pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "applied"),
        ("applied", "stopped"),
    ]
    assert events[1].actor == staff and events[1].at
    assert events[1].comment.startswith("1. ") and "Score 2.00 of 10.00" in events[1].comment


# --- eligibility and applying -----------------------------------------------------------------


def test_eligible_teacher_may_apply(world, intake):
    person = applicant(world.school_a)
    assert services.eligibility(intake=intake, teacher=person.teacher).ok


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"position": "director"}, "The programme is open to:"),
        ({"experience_start": "recent"}, "At least 2 years of pedagogical experience"),
        ({"category": "expert"}, "open to the categories"),
    ],
)
def test_eligibility_gives_each_unmet_condition(world, intake, staff, fields, reason):
    services.intake_update(
        intake=intake,
        actor=staff,
        min_experience_years=2,
        categories=QualificationCategory.objects.filter(code="moderator"),
    )
    intake.refresh_from_db()
    values = {}
    if "position" in fields:
        values["position"] = Position.objects.get(code=fields["position"])
    if "experience_start" in fields:
        values["experience_start"] = timezone.localdate() - dt.timedelta(days=400)
    if "category" in fields:
        values["category"] = QualificationCategory.objects.get(code=fields["category"])
    person = applicant(world.school_a, **values)
    check = services.eligibility(intake=intake, teacher=person.teacher)
    assert not check.ok and len(check.reasons) == 1 and reason in check.reasons[0]
    with pytest.raises(ValidationError):
        services.candidate_apply(
            intake=intake, teacher=person.teacher, actor=person.user, motivation="Хочу."
        )
    assert not Candidate.objects.filter(teacher=person.teacher).exists()


def test_eligibility_outside_the_window(world, intake):
    person = applicant(world.school_a)
    later = intake.application_closes + dt.timedelta(days=1)
    check = services.eligibility(intake=intake, teacher=person.teacher, today=later)
    assert not check.ok and "Applications to this intake are taken from" in check.reasons[0]
    Intake.objects.filter(pk=intake.pk).update(status="selection")
    intake.refresh_from_db()
    assert not services.eligibility(intake=intake, teacher=person.teacher).ok


def test_a_second_application_is_refused(world, intake):
    person = applicant(world.school_a)
    services.candidate_apply(
        intake=intake, teacher=person.teacher, actor=person.user, motivation="A"
    )
    with pytest.raises(ValidationError, match="already applied"):
        services.candidate_apply(
            intake=intake, teacher=person.teacher, actor=person.user, motivation="B"
        )
    assert Candidate.objects.filter(teacher=person.teacher).count() == 1


def test_only_the_teacher_applies_for_themselves(world, intake):
    person = applicant(world.school_a)
    with pytest.raises(PermissionDenied):
        services.candidate_apply(
            intake=intake, teacher=person.teacher, actor=world.users["teacher"], motivation="A"
        )


# --- refused moves ----------------------------------------------------------------------------


def test_illegal_moves_are_refused_and_change_nothing(world, intake, staff):
    people = [applicant(world.school_a) for _ in range(2)]
    a, b = (
        services.candidate_apply(intake=intake, teacher=p.teacher, actor=p.user, motivation="A")
        for p in people
    )
    first, second = intake.stages.order_by("order")[:2]
    # A later stage before an earlier one is decided.
    with pytest.raises(ValidationError, match="earlier stages first"):
        services.stage_scores_record(stage=second, scores={a.pk: D(70)}, actor=staff)
    with pytest.raises(ValidationError, match="earlier stages first"):
        services.stage_decide(stage=second, actor=staff)
    services.stage_scores_record(stage=first, scores={a.pk: D(9), b.pk: D(1)}, actor=staff)
    services.stage_decide(stage=first, actor=staff)
    # A decided stage is closed; a stopped candidate cannot withdraw or be scored.
    with pytest.raises(ValidationError, match="decided"):
        services.stage_scores_record(stage=first, scores={a.pk: D(10)}, actor=staff)
    with pytest.raises(ValidationError):
        services.candidate_withdraw(candidate=Candidate.objects.get(pk=b.pk), actor=people[1].user)
    with pytest.raises(ValidationError, match="still in selection"):
        services.stage_scores_record(stage=second, scores={b.pk: D(70)}, actor=staff)
    with pytest.raises(ValidationError, match="from 0 to"):
        services.stage_scores_record(stage=second, scores={a.pk: D(101)}, actor=staff)
    assert not StageResult.objects.filter(stage=second).exists()
    assert StageResult.objects.get(stage=first, candidate=a).score == D(9)
    assert _status(b) == "stopped" and b.events.count() == 2
    # An intake moves one step forward only.
    with pytest.raises(ValidationError):
        services.intake_set_status(intake=intake, actor=staff, status="training")
    with pytest.raises(ValidationError):
        services.intake_set_status(intake=intake, actor=staff, status="draft")
    assert Intake.objects.get(pk=intake.pk).status == "applications"


def test_staff_outside_the_region_cannot_decide(world, intake):
    stage = intake.stages.get(order=1)
    for role in ("methodologist", "teacher", "hr_analyst"):
        with pytest.raises(PermissionDenied):
            services.stage_decide(stage=stage, actor=world.users[role])
    assert Stage.objects.get(pk=stage.pk).closed_at is None


# --- editing an intake ------------------------------------------------------------------------


def _stage_dicts(intake):
    return [
        {"pk": s.pk, **{name: getattr(s, name) for name in services.STAGE_EDITABLE}}
        for s in intake.stages.order_by("order")
    ]


def test_intake_update_changes_fields_and_stages_together(world, intake, staff):
    stages = _stage_dicts(intake)
    stages[1].update(rule="top", top_n=50)
    removed = stages.pop()  # the commission
    stages.insert(0, stages.pop())  # the interview first
    services.intake_update(intake=intake, actor=staff, stages=stages, capacity=40)
    intake.refresh_from_db()
    assert intake.capacity == 40
    kept = list(intake.stages.order_by("order").values_list("kind", "rule", "top_n"))
    assert kept == [
        ("interview", "min_score", None),
        ("application", "min_score", None),
        ("test", "top", 50),
        ("written", "min_score", None),
    ]
    assert not Stage.objects.filter(pk=removed["pk"]).exists()


def test_intake_update_checks_everything_and_saves_nothing_on_an_error(world, intake, staff):
    stages = _stage_dicts(intake)
    stages[0]["pass_score"] = D(11)  # above the maximum of 10
    with pytest.raises(ValidationError) as info:
        services.intake_update(
            intake=intake,
            actor=staff,
            stages=stages,
            capacity=7,
            application_closes=intake.application_opens - dt.timedelta(days=1),
        )
    assert "stages" in info.value.error_dict
    intake.refresh_from_db()
    assert intake.capacity == 3
    assert intake.stages.get(order=1).pass_score == D(6)
    with pytest.raises(PermissionDenied):
        services.intake_update(intake=intake, actor=world.users["methodologist"], capacity=9)


def test_stages_cannot_change_once_one_is_decided(world, intake, staff):
    (candidate,) = _candidates(world, intake, 1)
    first = intake.stages.get(order=1)
    services.stage_scores_record(stage=first, scores={candidate.pk: D(9)}, actor=staff)
    services.stage_decide(stage=first, actor=staff)
    stages = _stage_dicts(intake)
    # The same stages (unchanged) and other fields are fine.
    services.intake_update(intake=intake, actor=staff, stages=stages, capacity=5)
    stages[2]["max_score"] = D(30)
    with pytest.raises(ValidationError, match="can no longer change"):
        services.intake_update(intake=intake, actor=staff, stages=stages)
    assert intake.stages.get(order=3).max_score == D(20)
