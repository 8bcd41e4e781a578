"""Every write of the "1000 leaders" programme: intakes, applications, stage results and
decisions, admission, training, completion, the reserve and appointments.

A candidate's status moves only through `_transition` (TRANSITIONS is the one table of
allowed moves), which writes the append-only decision log. Decisions that rank many
candidates take a row lock on the intake, so two staff deciding at once cannot both act.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.attestation.models import CategoryGrant
from apps.attestation.services.special import category_grant_without_attestation
from apps.core.dates import add_years
from apps.teachers.models import Position, QualificationCategory, Teacher
from apps.teachers.services import teacher_update

from .models import (
    Appointment,
    Candidate,
    CandidateEvent,
    Intake,
    Internship,
    MentorMeeting,
    Mentorship,
    Module,
    ModuleAttendance,
    Post,
    ReflectiveReport,
    ReportReview,
    Stage,
    StageResult,
    Vacancy,
)

C = Candidate.Status
TRANSITIONS: dict = {
    None: {C.APPLIED},
    C.APPLIED: {C.STOPPED, C.WITHDRAWN, C.ADMITTED},
    C.ADMITTED: {C.COMPLETED, C.NOT_COMPLETED},
    C.COMPLETED: {C.RESERVE},
    C.RESERVE: {C.APPOINTED},
    C.APPOINTED: {C.APPOINTED},  # a later appointment (deputy, then head)
    C.STOPPED: set(),
    C.WITHDRAWN: set(),
    C.NOT_COMPLETED: set(),
}
# The default selection of DOMAIN.md: five stages (kind, maximum, rule, pass score / top N).
DEFAULT_STAGES = (
    (Stage.Kind.APPLICATION, 10, Stage.Rule.MIN_SCORE, 6),
    (Stage.Kind.TEST, 100, Stage.Rule.MIN_SCORE, 60),
    (Stage.Kind.WRITTEN, 20, Stage.Rule.MIN_SCORE, 12),
    (Stage.Kind.INTERVIEW, 30, Stage.Rule.MIN_SCORE, 18),
    (Stage.Kind.COMMISSION, 100, Stage.Rule.MIN_SCORE, 50),
)


def _transition(candidate: Candidate, to: str, *, actor, comment: str = "", **fields) -> None:
    current = candidate.status or None
    if to not in TRANSITIONS[current]:
        raise ValidationError(
            _("A candidate who is “%(from)s” cannot become “%(to)s”.")
            % {"from": C(current).label if current else "—", "to": C(to).label},
            code="transition",
        )
    candidate.status = to
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.save()
    CandidateEvent.objects.create(
        candidate=candidate,
        from_status=current or "",
        to_status=to,
        actor=actor if actor and actor.is_authenticated else None,
        comment=comment[:500],
    )


def _locked_intake(intake: Intake) -> Intake:
    return Intake.objects.select_for_update().get(pk=intake.pk)


def _check_not_a_candidate(intake: Intake, actor) -> None:
    """Staff who are themselves candidates of an intake take no part in deciding it."""
    if Candidate.objects.filter(intake=intake, teacher__user=actor).exists():
        raise PermissionDenied


# --- intakes ---------------------------------------------------------------------------------


def intake_create(*, actor, programme, positions, categories=(), **fields) -> Intake:
    """A new intake with the five default selection stages (adjust them before opening)."""
    if not actor.has_perm("leaders.manage_intakes", programme):
        raise PermissionDenied
    intake = Intake(programme=programme, **fields)
    intake.full_clean()
    with transaction.atomic():
        intake.save()
        intake.positions.set(positions)
        intake.categories.set(categories)
        Stage.objects.bulk_create(
            Stage(
                intake=intake,
                order=n,
                kind=kind,
                max_score=Decimal(maximum),
                rule=rule,
                pass_score=Decimal(number) if rule == Stage.Rule.MIN_SCORE else None,
                top_n=number if rule == Stage.Rule.TOP else None,
            )
            for n, (kind, maximum, rule, number) in enumerate(DEFAULT_STAGES, start=1)
        )
    return intake


def intake_set_status(*, intake: Intake, actor, status: str) -> Intake:
    if not actor.has_perm("leaders.manage_intakes", intake):
        raise PermissionDenied
    order = list(Intake.Status)
    with transaction.atomic():
        intake = _locked_intake(intake)
        if order.index(status) != order.index(intake.status) + 1:
            raise ValidationError(
                _("An intake that is “%(from)s” cannot become “%(to)s”.")
                % {"from": intake.get_status_display(), "to": Intake.Status(status).label}
            )
        intake.status = status
        intake.save(update_fields=["status", "updated_at"])
    return intake


# What an intake's edit may change, and what each of its stages may.
INTAKE_EDITABLE = (
    "year",
    "application_opens",
    "application_closes",
    "capacity",
    "min_experience_years",
    "positions",
    "categories",
    "min_attendance_percent",
    "min_report_score",
    "reserve_term_years",
)
STAGE_EDITABLE = ("kind", "max_score", "rule", "pass_score", "top_n")


def intake_update(*, intake: Intake, actor, stages: list[dict] | None = None, **fields) -> Intake:
    """Change an intake's dates, places, eligibility and training thresholds, and (with
    `stages`: the whole list in order, each a dict of STAGE_EDITABLE values and the "pk"
    of an existing stage or None for a new one; stages left out are removed) its selection
    stages. The stages can no longer change once one of them is decided. Everything is
    checked first and saved together, or nothing is."""
    unknown = set(fields) - set(INTAKE_EDITABLE)
    unknown |= {name for values in stages or () for name in values} - {"pk", *STAGE_EDITABLE}
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if not actor.has_perm("leaders.manage_intakes", intake):
        raise PermissionDenied
    positions = fields.pop("positions", None)
    categories = fields.pop("categories", None)
    with transaction.atomic():
        intake = _locked_intake(intake)
        if intake.status == Intake.Status.FINISHED:
            raise ValidationError(_("A finished intake can no longer be changed."), code="finished")
        for name, value in fields.items():
            setattr(intake, name, value)
        errors = {}
        try:
            intake.full_clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if positions is not None and not list(positions):
            errors.setdefault("positions", []).append(
                ValidationError(_("Choose at least one position that may apply."))
            )
        plan = _stages_plan(intake, stages) if stages is not None else None
        if plan and plan["errors"]:
            errors.setdefault("stages", []).extend(plan["errors"])
        if errors:
            raise ValidationError(errors)
        intake.save()
        if positions is not None:
            intake.positions.set(positions)
        if categories is not None:
            intake.categories.set(categories)
        if plan and plan["changed"]:
            _stages_save(intake, plan)
    return intake


def _stage_values(stage: Stage) -> tuple:
    return tuple(getattr(stage, name) for name in ("pk", *STAGE_EDITABLE))


def _stages_plan(intake: Intake, stages: list[dict]) -> dict:
    """The stages as they would be (in order), those to remove, and what is wrong."""
    existing = {stage.pk: stage for stage in intake.stages.all()}
    before = [_stage_values(s) for s in sorted(existing.values(), key=lambda s: s.order)]
    top_scores = dict(
        StageResult.objects.filter(stage__intake=intake)
        .values("stage")
        .annotate(top=Max("score"))
        .values_list("stage", "top")
    )
    planned, errors = [], []
    for order, values in enumerate(stages, start=1):
        values = dict(values)
        pk = values.pop("pk", None)
        if pk is not None and pk not in existing:
            raise ValueError(f"Stage {pk} is not a stage of intake {intake.pk}.")
        stage = Stage(intake=intake) if pk is None else existing[pk]
        stage.order = order
        for name, value in values.items():
            setattr(stage, name, value)
        if stage.rule == Stage.Rule.MIN_SCORE:
            stage.top_n = None
        elif stage.rule == Stage.Rule.TOP:
            stage.pass_score = None
        errors += _stage_errors(stage, order, top_scores.get(stage.pk))
        planned.append(stage)
    removed = [stage for pk, stage in existing.items() if pk not in {s.pk for s in planned}]
    changed = bool(removed) or [_stage_values(s) for s in planned] != before
    if not planned:
        errors.append(_("An intake needs at least one selection stage."))
    if changed and any(s.closed_at for s in existing.values()):
        errors.append(
            _("The stages can no longer change: the results of a stage have been decided.")
        )
    return {"stages": planned, "removed": removed, "changed": changed, "errors": errors}


def _stage_errors(stage: Stage, order: int, top_score: Decimal | None) -> list[str]:
    label = _("Stage %(order)s") % {"order": order}
    errors = []
    try:
        stage.full_clean(exclude=["intake", "order", "closed_at"], validate_constraints=False)
    except ValidationError as exc:
        errors += [
            _("%(stage)s: %(message)s") % {"stage": label, "message": message}
            for message in exc.messages
        ]
        return errors
    if stage.rule == Stage.Rule.MIN_SCORE and (
        stage.pass_score is None or not Decimal(0) <= stage.pass_score <= stage.max_score
    ):
        errors.append(
            _("%(stage)s: give a pass score from 0 to the maximum score.") % {"stage": label}
        )
    if stage.rule == Stage.Rule.TOP and not stage.top_n:
        errors.append(_("%(stage)s: give how many candidates pass.") % {"stage": label})
    if top_score is not None and top_score > stage.max_score:
        errors.append(
            _("%(stage)s: a score of %(score)s is already recorded, above the maximum.")
            % {"stage": label, "score": top_score}
        )
    return errors


def _stages_save(intake: Intake, plan: dict) -> None:
    Stage.objects.filter(pk__in=[s.pk for s in plan["removed"]]).delete()
    kept = [s for s in plan["stages"] if s.pk]
    # Out of the way first: the orders are unique within the intake.
    Stage.objects.filter(pk__in=[s.pk for s in kept]).update(order=F("order") + 1000)
    for stage in plan["stages"]:
        stage.save()


# --- applications and eligibility ----------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reasons: list[str]


def eligibility(*, intake: Intake, teacher: Teacher, today: dt.date | None = None) -> Eligibility:
    """Whether the teacher's record lets them apply: position, years, category, window."""
    today = today or timezone.localdate()
    reasons = []
    if intake.status != Intake.Status.APPLICATIONS or not (
        intake.application_opens <= today <= intake.application_closes
    ):
        reasons.append(
            _("Applications to this intake are taken from %(start)s to %(end)s.")
            % {"start": intake.application_opens, "end": intake.application_closes}
        )
    positions = list(intake.positions.all())
    if teacher.position_id not in {p.pk for p in positions}:
        reasons.append(
            _("The programme is open to: %(positions)s.")
            % {"positions": ", ".join(p.name for p in positions)}
        )
    years = teacher.experience_years(on=today)
    if years is None or years < intake.min_experience_years:
        reasons.append(
            _("At least %(years)s years of pedagogical experience are needed.")
            % {"years": intake.min_experience_years}
        )
    categories = list(intake.categories.all())
    if categories and teacher.category_id not in {c.pk for c in categories}:
        reasons.append(
            _("The programme is open to the categories: %(categories)s.")
            % {"categories": ", ".join(c.name for c in categories)}
        )
    return Eligibility(ok=not reasons, reasons=reasons)


def candidate_apply(*, intake: Intake, teacher: Teacher, actor, motivation: str) -> Candidate:
    """A teacher applies (their record decides eligibility)."""
    if teacher.user_id != actor.pk or not actor.has_perm("leaders.apply"):
        raise PermissionDenied
    if not motivation.strip():
        raise ValidationError({"motivation": _("Write why you want to lead a school.")})
    check = eligibility(intake=intake, teacher=teacher)
    if not check.ok:
        raise ValidationError(check.reasons, code="not_eligible")
    with transaction.atomic():
        _locked_intake(intake)
        if Candidate.objects.filter(intake=intake, teacher=teacher).exists():
            raise ValidationError(_("You have already applied to this intake."), code="duplicate")
        candidate = Candidate(
            intake=intake,
            teacher=teacher,
            organization=teacher.organization,
            motivation=motivation.strip(),
        )
        _transition(candidate, C.APPLIED, actor=actor)
    return candidate


def candidate_withdraw(*, candidate: Candidate, actor, reason: str = "") -> Candidate:
    if candidate.teacher.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        # The intake's lock first, as every decision takes it: a withdrawal never
        # interleaves with a stage being decided.
        _locked_intake(candidate.intake)
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status == C.ADMITTED:
            # Leaving the training is not completing it (and keeps them among the admitted).
            comment = _("Withdrew from the training.")
            if reason.strip():
                comment = _("Withdrew from the training: %(reason)s") % {"reason": reason.strip()}
            _transition(candidate, C.NOT_COMPLETED, actor=actor, comment=comment)
        else:
            _transition(candidate, C.WITHDRAWN, actor=actor, comment=reason)
    return candidate


# --- selection --------------------------------------------------------------------------------


def _check_stage_open(stage: Stage) -> None:
    if stage.closed_at:
        raise ValidationError(
            _("The results of this stage have been decided and can no longer change."),
            code="closed",
        )
    earlier = stage.intake.stages.filter(order__lt=stage.order, closed_at__isnull=True)
    if earlier.exists():
        raise ValidationError(_("Decide the earlier stages first."), code="order")


def stage_scores_record(*, stage: Stage, scores: dict[int, Decimal], actor, source="manual") -> int:
    """Record (or correct) scores of candidates still in selection: {candidate id: score}."""
    if not actor.has_perm("leaders.manage_selection", stage.intake):
        raise PermissionDenied
    _check_not_a_candidate(stage.intake, actor)
    with transaction.atomic():
        _locked_intake(stage.intake)
        stage = Stage.objects.select_related("intake").get(pk=stage.pk)
        _check_stage_open(stage)
        candidates = set(
            Candidate.objects.filter(
                intake=stage.intake, status=C.APPLIED, pk__in=scores
            ).values_list("pk", flat=True)
        )
        unknown = set(scores) - candidates
        if unknown:
            raise ValidationError(
                _("Scores can be recorded only for candidates still in selection.")
            )
        for score in scores.values():
            if not Decimal(0) <= score <= stage.max_score:
                raise ValidationError(_("A score is from 0 to %(max)s.") % {"max": stage.max_score})
        for candidate_id, score in scores.items():
            StageResult.objects.update_or_create(
                candidate_id=candidate_id,
                stage=stage,
                defaults={"score": score, "source": source, "recorded_by": actor},
            )
    return len(scores)


def rank(scores: list[tuple[int, Decimal]]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) by score, highest first: equal scores share a rank."""
    ordered = sorted(scores, key=lambda item: item[1], reverse=True)
    ranks, previous, position = {}, None, 0
    for index, (key, score) in enumerate(ordered, start=1):
        if score != previous:
            position, previous = index, score
        ranks[key] = position
    return ranks


def passes(stage: Stage, score: Decimal, rank_: int) -> bool:
    if stage.rule == Stage.Rule.MIN_SCORE:
        return score >= stage.pass_score
    return rank_ <= stage.top_n  # ties at the cut-off share the rank, so all pass


def stage_decide(*, stage: Stage, actor) -> dict[str, int]:
    """Rank the stage, apply its pass rule and stop those who did not pass (or have no
    score), with the reason they see. After the last stage, admit by the last stage's
    ranking (ties broken by the total of all stages) up to the intake's places."""
    if not actor.has_perm("leaders.manage_selection", stage.intake):
        raise PermissionDenied
    _check_not_a_candidate(stage.intake, actor)
    with transaction.atomic():
        intake = _locked_intake(stage.intake)
        stage = Stage.objects.get(pk=stage.pk)
        _check_stage_open(stage)
        in_selection = list(Candidate.objects.filter(intake=intake, status=C.APPLIED))
        results = {r.candidate_id: r for r in StageResult.objects.filter(stage=stage)}
        ranks = rank([(pk, r.score) for pk, r in results.items()])
        passed = stopped = 0
        for candidate in in_selection:
            result = results.get(candidate.pk)
            if result is None:
                _stop(candidate, stage, actor, _("No result was recorded at this stage."))
                stopped += 1
                continue
            result.rank = ranks[candidate.pk]
            result.passed = passes(stage, result.score, result.rank)
            result.save(update_fields=["rank", "passed"])
            if result.passed:
                passed += 1
            else:
                _stop(candidate, stage, actor, _stop_reason(stage, result))
                stopped += 1
        stage.closed_at = timezone.now()
        stage.save(update_fields=["closed_at"])
        admitted = beyond_places = 0
        if not intake.stages.filter(order__gt=stage.order).exists():
            admitted, beyond_places = _admit(intake, stage, actor)
    return {
        "passed": passed,
        "stopped": stopped,
        "admitted": admitted,
        "beyond_places": beyond_places,
    }


def _stop_reason(stage: Stage, result: StageResult) -> str:
    if stage.rule == Stage.Rule.MIN_SCORE:
        return _("Score %(score)s of %(max)s; %(pass)s was needed to pass.") % {
            "score": result.score,
            "max": stage.max_score,
            "pass": stage.pass_score,
        }
    return _("Rank %(rank)s; the best %(top)s passed.") % {"rank": result.rank, "top": stage.top_n}


def _stop(candidate, stage, actor, reason: str) -> None:
    _transition(
        candidate,
        C.STOPPED,
        actor=actor,
        comment=_("%(stage)s: %(reason)s") % {"stage": stage, "reason": reason},
        stopped_at=stage,
        stop_reason=reason,
    )


def _admit(intake: Intake, last: Stage, actor) -> tuple[int, int]:
    """Admit the candidates who passed every stage, best first, up to the places;
    returns (admitted, beyond the places)."""
    finalists = list(
        Candidate.objects.filter(intake=intake, status=C.APPLIED)
        .annotate(
            final=Sum("results__score", filter=Q(results__stage=last)),
            total=Sum("results__score"),
        )
        .order_by("-final", "-total", "pk")
    )
    for place, candidate in enumerate(finalists, start=1):
        if place <= intake.capacity:
            _transition(
                candidate,
                C.ADMITTED,
                actor=actor,
                comment=_("Admitted: place %(place)s of %(places)s.")
                % {"place": place, "places": intake.capacity},
            )
        else:
            _stop(
                candidate,
                last,
                actor,
                _("Passed every stage, but place %(place)s is beyond the %(places)s places.")
                % {"place": place, "places": intake.capacity},
            )
    admitted = min(len(finalists), intake.capacity)
    return admitted, len(finalists) - admitted


# --- training ---------------------------------------------------------------------------------


def _check_training(candidate: Candidate, actor, perm: str = "leaders.manage_training") -> None:
    if not actor.has_perm(perm, candidate):
        raise PermissionDenied
    if candidate.status != C.ADMITTED:
        raise ValidationError(_("Only participants in training can be recorded here."))


def module_attendance_mark(*, module: Module, present: set[int], actor) -> int:
    """Attendance of a module: `present` holds the ids of those who attended; every other
    participant of the intake is marked absent."""
    if not actor.has_perm("leaders.manage_training", module.intake):
        raise PermissionDenied
    _check_not_a_candidate(module.intake, actor)
    if module.starts_on > timezone.localdate():
        raise ValidationError(_("Attendance can be marked once the module has begun."))
    with transaction.atomic():
        participants = list(
            Candidate.objects.filter(intake=module.intake, status=C.ADMITTED).values_list(
                "pk", flat=True
            )
        )
        if set(present) - set(participants):
            raise ValidationError(_("Only participants in training can be marked."))
        ModuleAttendance.objects.filter(module=module, candidate_id__in=participants).delete()
        ModuleAttendance.objects.bulk_create(
            ModuleAttendance(module=module, candidate_id=pk, present=pk in present, marked_by=actor)
            for pk in participants
        )
    return len(participants)


def internship_set(*, candidate: Candidate, actor, host, starts_on, ends_on) -> Internship:
    _check_training(candidate, actor)
    internship = Internship.objects.filter(candidate=candidate).first() or Internship(
        candidate=candidate
    )
    internship.host, internship.starts_on, internship.ends_on = host, starts_on, ends_on
    internship.full_clean(exclude=["report"])
    internship.save()
    return internship


def internship_report_submit(*, candidate: Candidate, actor, report: str) -> Internship:
    if candidate.teacher.user_id != actor.pk:
        raise PermissionDenied
    if candidate.status != C.ADMITTED:
        raise ValidationError(_("Only participants in training can be recorded here."))
    internship = Internship.objects.filter(candidate=candidate).first()
    if internship is None:
        raise ValidationError(_("No internship has been arranged yet."))
    if not report.strip():
        raise ValidationError({"report": _("Write the report.")})
    internship.report = report.strip()
    internship.report_submitted_at = timezone.now()
    internship.save(update_fields=["report", "report_submitted_at", "updated_at"])
    return internship


def mentor_assign(*, candidate: Candidate, actor, mentor) -> Mentorship:
    _check_training(candidate, actor)
    mentorship, _created = Mentorship.objects.update_or_create(
        candidate=candidate,
        defaults={"mentor": mentor, "assigned_on": timezone.localdate()},
    )
    return mentorship


def mentor_meeting_add(*, candidate: Candidate, actor, date, notes: str) -> MentorMeeting:
    """A meeting, logged by the mentor (or training staff)."""
    mentorship = Mentorship.objects.filter(candidate=candidate).first()
    if mentorship is None:
        raise ValidationError(_("No mentor has been assigned yet."))
    if mentorship.mentor_id != actor.pk and not actor.has_perm(
        "leaders.manage_training", candidate
    ):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("The meeting cannot be in the future.")})
    if not notes.strip():
        raise ValidationError({"notes": _("Write what was discussed.")})
    return MentorMeeting.objects.create(
        mentorship=mentorship, date=date, notes=notes.strip(), recorded_by=actor
    )


def reflective_report_submit(*, candidate: Candidate, actor, text: str) -> ReflectiveReport:
    if candidate.teacher.user_id != actor.pk:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the report.")})
    with transaction.atomic():
        # The candidate's row lock orders this against reviews and the training decision.
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != C.ADMITTED:
            raise ValidationError(_("Only participants in training can be recorded here."))
        if ReportReview.objects.filter(report__candidate=candidate).exists():
            raise ValidationError(_("The report has been reviewed and can no longer change."))
        report, _created = ReflectiveReport.objects.update_or_create(
            candidate=candidate, defaults={"text": text.strip(), "submitted_at": timezone.now()}
        )
    return report


def report_review(*, report: ReflectiveReport, actor, score: Decimal, comment: str = ""):
    """A reviewer scores a reflective report (0–100), independently of the others."""
    if not actor.has_perm("leaders.review_reports", report.candidate):
        raise PermissionDenied
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": _("The score is a number from 0 to 100.")})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=report.candidate_id)
        if candidate.status != C.ADMITTED:
            raise ValidationError(_("The training of this participant has been decided."))
        review, _created = ReportReview.objects.update_or_create(
            report=report, reviewer=actor, defaults={"score": score, "comment": comment.strip()}
        )
    return review


@dataclass(frozen=True)
class Progress:
    """A participant's training so far, and the intake's completion rule applied to it
    (the one place the rule is computed: the cohort page builds these from its counts)."""

    modules: int
    attended: int
    internship_report: bool
    mentor_meetings: int
    report_reviews: int
    report_score: Decimal | None

    @staticmethod
    def mean_score(value) -> Decimal | None:
        """Reviewers' mean as the rule and every page use it: two decimals."""
        return Decimal(value).quantize(Decimal("0.01")) if value is not None else None

    @property
    def attendance_percent(self) -> int:
        return self.attended * 100 // self.modules if self.modules else 0

    def completes(self, intake: Intake) -> tuple[bool, list[str]]:
        missing = []
        if self.attendance_percent < intake.min_attendance_percent:
            missing.append(
                _("attendance %(percent)s%% is below %(minimum)s%%")
                % {"percent": self.attendance_percent, "minimum": intake.min_attendance_percent}
            )
        if not self.internship_report:
            missing.append(_("no internship report"))
        if self.report_score is None:
            missing.append(_("the reflective report has not been scored"))
        elif self.report_score < intake.min_report_score:
            missing.append(
                _("the reflective report scored %(score)s, below %(minimum)s")
                % {"score": self.report_score, "minimum": intake.min_report_score}
            )
        return (not missing, missing)


def progress(candidate: Candidate) -> Progress:
    modules = Module.objects.filter(intake_id=candidate.intake_id).count()
    attended = ModuleAttendance.objects.filter(candidate=candidate, present=True).count()
    reviews = ReportReview.objects.filter(report__candidate=candidate).aggregate(
        n=Count("pk"), mean=Avg("score")
    )
    return Progress(
        modules=modules,
        attended=attended,
        internship_report=Internship.objects.filter(
            candidate=candidate, report_submitted_at__isnull=False
        ).exists(),
        mentor_meetings=MentorMeeting.objects.filter(mentorship__candidate=candidate).count(),
        report_reviews=reviews["n"],
        report_score=Progress.mean_score(reviews["mean"]),
    )


def training_complete(*, intake: Intake, actor, today: dt.date | None = None) -> dict[str, int]:
    """Decide every participant's training by the intake's rule; graduates enter the
    reserve for the intake's term."""
    if not actor.has_perm("leaders.manage_training", intake):
        raise PermissionDenied
    _check_not_a_candidate(intake, actor)
    today = today or timezone.localdate()
    done = {"completed": 0, "not_completed": 0}
    with transaction.atomic():
        intake = _locked_intake(intake)
        for candidate in Candidate.objects.select_for_update().filter(
            intake=intake, status=C.ADMITTED
        ):
            ok, missing = progress(candidate).completes(intake)
            if ok:
                _transition(candidate, C.COMPLETED, actor=actor)
                until = add_years(today, intake.reserve_term_years)
                _transition(
                    candidate,
                    C.RESERVE,
                    actor=actor,
                    reserve_from=today,
                    reserve_until=until,
                    comment=_("In the reserve until %(date)s.") % {"date": until},
                )
                done["completed"] += 1
            else:
                _transition(candidate, C.NOT_COMPLETED, actor=actor, comment="; ".join(missing))
                done["not_completed"] += 1
    return done


def module_save(
    *, intake: Intake, actor, level: str, title_kk: str, title_ru: str, starts_on, ends_on
) -> Module:
    """A new training module of the intake, at one of the three levels."""
    if not actor.has_perm("leaders.manage_training", intake):
        raise PermissionDenied
    if intake.status == Intake.Status.FINISHED:
        raise ValidationError(_("The training of this intake has finished."), code="finished")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A module cannot end before it starts.")})
    module = Module(
        intake=intake,
        level=level,
        title_kk=title_kk.strip(),
        title_ru=title_ru.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    module.full_clean()
    module.save()
    return module


# --- reserve and appointments -----------------------------------------------------------------

# What an appointment makes of the teacher's record: the position, and the manager
# category granted without attestation (DOMAIN.md, special paths).
APPOINTMENT_POSITION = {Post.HEAD: "director", Post.DEPUTY: "deputy-director"}
APPOINTMENT_CATEGORY = {Post.HEAD: "head-1", Post.DEPUTY: "deputy-1"}


def appointment_record(
    *,
    candidate: Candidate,
    actor,
    post: str,
    organization,
    appointed_on,
    order_number: str,
    vacancy: Vacancy | None = None,
) -> Appointment:
    """A reservist appointed head or deputy: recorded, the vacancy filled, and the manager
    category granted without attestation."""
    if not actor.has_perm("leaders.record_appointment", candidate):
        raise PermissionDenied
    if post not in Post.values:
        raise ValidationError({"post": _("Choose head or deputy head.")})
    if not order_number.strip():
        raise ValidationError({"order_number": _("Give the number of the order.")})
    if appointed_on > timezone.localdate():
        raise ValidationError({"appointed_on": _("The appointment cannot be in the future.")})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status not in (C.RESERVE, C.APPOINTED):
            raise ValidationError(_("Only a reservist can be appointed from the reserve."))
        if candidate.reserve_until and appointed_on > candidate.reserve_until:
            raise ValidationError(
                _("The candidate's term in the reserve ended on %(date)s.")
                % {"date": candidate.reserve_until}
            )
        if candidate.reserve_from and appointed_on < candidate.reserve_from:
            raise ValidationError(
                {"appointed_on": _("The appointment cannot precede the entry into the reserve.")}
            )
        appointment = Appointment.objects.create(
            candidate=candidate,
            post=post,
            organization=organization,
            appointed_on=appointed_on,
            order_number=order_number.strip(),
            recorded_by=actor,
        )
        if vacancy is not None:
            vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
            if vacancy.filled_by_id:
                raise ValidationError(_("This vacancy has already been filled."))
            if (vacancy.organization_id, vacancy.post) != (organization.pk, post):
                raise ValidationError(_("The vacancy is for another post or organisation."))
            vacancy.filled_by = appointment
            vacancy.save(update_fields=["filled_by", "updated_at"])
        _transition(
            candidate,
            C.APPOINTED,
            actor=actor,
            comment=_("%(post)s, %(organization)s, order %(number)s of %(date)s")
            % {
                "post": Post(post).label,
                "organization": organization,
                "number": appointment.order_number,
                "date": appointed_on,
            },
        )
        reason = _("Appointed from the “1000 leaders” reserve, order %(number)s") % {
            "number": appointment.order_number
        }
        teacher = candidate.teacher
        teacher_update(
            teacher=teacher,
            actor=actor,
            source=reason,
            organization=organization,
            position=Position.objects.get(code=APPOINTMENT_POSITION[post]),
        )
        category_grant_without_attestation(
            teacher=teacher,
            ground=CategoryGrant.Ground.LEADERS_RESERVIST,
            category=QualificationCategory.objects.get(code=APPOINTMENT_CATEGORY[post]),
            awarded_on=appointed_on,
            actor=actor,
            document=reason,
        )
    return appointment


def vacancy_create(*, actor, organization, post: str, opened_on) -> Vacancy:
    if not actor.has_perm("leaders.manage_vacancies", organization):
        raise PermissionDenied
    vacancy = Vacancy(organization=organization, post=post, opened_on=opened_on)
    vacancy.full_clean(exclude=["filled_by"])
    vacancy.save()
    return vacancy
