"""The whole path through the services: apply, five stages, admission, training,
reserve, appointment with the manager category granted without attestation."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.leaders import services
from apps.leaders.models import Candidate, Module

from .conftest import applicant


def test_from_application_to_appointment(world, intake):
    staff = world.users["region_admin"]
    people = [applicant(world.school_a) for _ in range(5)]
    candidates = [
        services.candidate_apply(
            intake=intake, teacher=p.teacher, actor=p.user, motivation="Мектепті өзгерткім келеді."
        )
        for p in people
    ]
    intake = services.intake_set_status(intake=intake, actor=staff, status="selection")
    stages = list(intake.stages.order_by("order"))
    # Candidate 4 fails the test; the others pass every stage; 3 places for 4 finalists.
    for stage in stages:
        alive = Candidate.objects.filter(intake=intake, status="applied")
        scores = {c.pk: stage.max_score - candidates.index(c) for c in alive}
        if stage.kind == "test" and candidates[4].pk in scores:
            scores[candidates[4].pk] = Decimal(10)
        services.stage_scores_record(stage=stage, scores=scores, actor=staff)
        services.stage_decide(stage=stage, actor=staff)
    statuses = [Candidate.objects.get(pk=c.pk).status for c in candidates]
    assert statuses == ["admitted", "admitted", "admitted", "stopped", "stopped"]
    fourth = Candidate.objects.get(pk=candidates[3].pk)
    assert "beyond the 3 places" in fourth.stop_reason
    assert Candidate.objects.get(pk=candidates[4].pk).stopped_at.kind == "test"

    today = timezone.localdate()
    module = Module.objects.create(
        intake=intake,
        level="basic",
        title_kk="Көшбасшылық",
        title_ru="Лидерство",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today - dt.timedelta(days=8),
    )
    admitted = list(Candidate.objects.filter(intake=intake, status="admitted").order_by("pk"))
    services.module_attendance_mark(module=module, present={c.pk for c in admitted}, actor=staff)
    reviewer = world.users["commission_member"]
    for candidate, person in zip(admitted, people, strict=False):
        services.internship_set(
            candidate=candidate,
            actor=staff,
            host=world.school_b,
            starts_on=today - dt.timedelta(days=7),
            ends_on=today - dt.timedelta(days=2),
        )
        services.internship_report_submit(candidate=candidate, actor=person.user, report="Есеп")
        report = services.reflective_report_submit(
            candidate=candidate, actor=person.user, text="Рефлексия"
        )
        services.report_review(report=report, actor=staff, score=Decimal(80))
        services.report_review(report=report, actor=reviewer, score=Decimal(70))
    outcome = services.training_complete(intake=intake, actor=staff)
    assert outcome == {"completed": 3, "not_completed": 0}

    graduate = Candidate.objects.get(pk=admitted[0].pk)
    assert graduate.status == "reserve" and graduate.reserve_from == today
    services.appointment_record(
        candidate=graduate,
        actor=staff,
        post="deputy",
        organization=world.school_c,
        appointed_on=today,
        order_number="№ 15-к",
    )
    graduate.refresh_from_db()
    teacher = graduate.teacher
    teacher.refresh_from_db()
    assert graduate.status == "appointed"
    assert (teacher.position.code, teacher.organization, teacher.category.code) == (
        "deputy-director",
        world.school_c,
        "deputy-1",
    )
    assert teacher.category_valid_until == teacher.category_awarded_on.replace(year=today.year + 5)
    assert list(graduate.events.values_list("to_status", flat=True)) == [
        "applied",
        "admitted",
        "completed",
        "reserve",
        "appointed",
    ]
