"""Take candidates through the services from application to the reserve, with known dates
(shared by the reserve and outcomes tests)."""

import datetime as dt
from decimal import Decimal

from apps.leaders import services
from apps.leaders.models import Candidate, Intake, Module

from .conftest import applicant


def apply_all(intake: Intake, organizations) -> list:
    """One eligible applicant per organisation given; (candidate, person) pairs."""
    people = [applicant(organization) for organization in organizations]
    return [
        (
            services.candidate_apply(
                intake=intake,
                teacher=p.teacher,
                actor=p.user,
                motivation="Мектепті өзгерткім келеді.",
            ),
            p,
        )
        for p in people
    ]


def decide_selection(intake: Intake, staff, *, fail_test=(), final_scores=None) -> Intake:
    """Every stage decided; everyone passes with the maximum score except those in
    `fail_test` (10 at the test); `final_scores` ({candidate: score}) at the commission."""
    intake = services.intake_set_status(intake=intake, actor=staff, status="selection")
    for stage in intake.stages.order_by("order"):
        alive = Candidate.objects.filter(intake=intake, status="applied")
        scores = {c.pk: stage.max_score for c in alive}
        if stage.kind == "test":
            scores.update({c.pk: Decimal(10) for c in fail_test})
        if stage.kind == "commission":
            scores.update({c.pk: s for c, s in (final_scores or {}).items() if c.pk in scores})
        services.stage_scores_record(stage=stage, scores=scores, actor=staff)
        services.stage_decide(stage=stage, actor=staff)
    return services.intake_set_status(intake=intake, actor=staff, status="training")


def attend_module(intake: Intake, staff, *, before: dt.date) -> None:
    """One module, a month before `before`, attended by every participant."""
    module = Module.objects.create(
        intake=intake,
        level="basic",
        title_kk="Көшбасшылық",
        title_ru="Лидерство",
        starts_on=before - dt.timedelta(days=30),
        ends_on=before - dt.timedelta(days=28),
    )
    participants = Candidate.objects.filter(intake=intake, status="admitted")
    services.module_attendance_mark(
        module=module, present={c.pk for c in participants}, actor=staff
    )


def complete_training(intake: Intake, staff, *, graduates, host, reserve_from: dt.date) -> None:
    """`graduates` ((candidate, person) pairs) submit their reports and get them scored;
    the training is decided on `reserve_from` (the others do not complete)."""
    for stale, person in graduates:
        candidate = Candidate.objects.get(pk=stale.pk)
        services.internship_set(
            candidate=candidate,
            actor=staff,
            host=host,
            starts_on=reserve_from - dt.timedelta(days=20),
            ends_on=reserve_from - dt.timedelta(days=10),
        )
        services.internship_report_submit(candidate=candidate, actor=person.user, report="Есеп")
        report = services.reflective_report_submit(
            candidate=candidate, actor=person.user, text="Рефлексия"
        )
        services.report_review(report=report, actor=staff, score=Decimal(80))
    services.training_complete(intake=intake, actor=staff, today=reserve_from)
