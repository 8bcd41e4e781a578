"""Intakes, applications and the five-stage selection of the "1000 leaders" programme: the
intakes and their set-up, applying and withdrawing, the candidate list, a stage's ranking
with its scores (typed or imported) and decision, and a candidate's page."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.courses.forms import add_service_error
from apps.teachers.exports import CONTENT_TYPES, spreadsheet_response

from .. import imports, selectors, services
from ..filters import CandidateFilter
from ..forms import (
    CandidateApplyForm,
    CandidateWithdrawForm,
    IntakeForm,
    IntakeStatusForm,
    StageDecideForm,
    StageFormSet,
    StageImportForm,
    StageScoresForm,
    stage_values,
)
from ..models import Candidate, Intake, Stage

PAGE_SIZE = 50
# The checked import waiting in the session for "record", per stage.
IMPORT_SESSION_KEY = "leaders-stage-import-%(pk)s"


def _intake_or_404(request, pk) -> Intake:
    try:
        return selectors.intake_get(user=request.user, pk=pk)
    except Intake.DoesNotExist:
        raise Http404 from None


def _stage_or_404(request, pk, perm="leaders.manage_selection") -> Stage:
    try:
        stage = selectors.stage_get(user=request.user, pk=pk)
    except Stage.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm(perm, stage.intake):
        raise PermissionDenied
    return stage


def _candidate_or_404(request, pk) -> Candidate:
    try:
        candidate = selectors.candidate_get(user=request.user, pk=pk)
    except Candidate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("leaders.view_candidate", candidate):
        raise Http404
    return candidate


def _next_status(intake: Intake) -> Intake.Status | None:
    order = list(Intake.Status)
    position = order.index(intake.status)
    return order[position + 1] if position + 1 < len(order) else None


# --- intakes ----------------------------------------------------------------------------------


def intake_list(request):
    intakes = list(selectors.intake_list(request.user))
    teacher = selectors.own_teacher(request.user)
    if teacher is not None and request.user.has_perm("leaders.apply"):
        for intake in intakes:
            if intake.status == Intake.Status.APPLICATIONS:
                intake.eligibility = services.eligibility(intake=intake, teacher=teacher)
    context = {
        "intakes": intakes,
        "can_create": request.user.has_perm("leaders.manage_intakes")
        and selectors.programmes(request.user).exists(),
    }
    return render(request, "leaders/intake_list.html", context)


def intake_create(request):
    if not request.user.has_perm("leaders.manage_intakes"):
        raise PermissionDenied
    programmes = selectors.programmes(request.user)
    if not programmes.exists():
        messages.error(request, _("The programme has not been set up yet."))
        return redirect("leaders:intake_list")
    form = IntakeForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_create(
                actor=request.user, programme=form.chosen_programme(), **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The intake has been prepared with the five usual stages: "
                    "check them, then open it."
                ),
            )
            return redirect("leaders:intake_detail", pk=intake.pk)
    return render(request, "leaders/intake_form.html", {"form": form})


def intake_detail(request, pk):
    intake = _intake_or_404(request, pk)
    user = request.user
    context = {
        "intake": intake,
        "stages": selectors.intake_stages(intake),
        "status_counts": selectors.intake_status_counts(intake),
        "next_status": _next_status(intake),
        "can_manage": user.has_perm("leaders.manage_intakes", intake),
        "can_select": user.has_perm("leaders.manage_selection", intake),
        "can_view_candidates": user.has_perm("leaders.view_candidates"),
        "candidacy": selectors.own_candidacy(user=user, intake=intake),
    }
    return render(request, "leaders/intake_detail.html", context)


def intake_update(request, pk):
    intake = _intake_or_404(request, pk)
    if not request.user.has_perm("leaders.manage_intakes", intake):
        raise PermissionDenied
    data = request.POST or None
    # The form works on a copy: the page's title keeps the saved intake.
    form = IntakeForm(data, instance=copy.copy(intake))
    stages_decided = intake.stages.filter(closed_at__isnull=False).exists()
    stages = (
        None if stages_decided else StageFormSet(data, queryset=intake.stages.order_by("order"))
    )
    stage_errors = []
    if request.method == "POST" and form.is_valid() and (stages is None or stages.is_valid()):
        try:
            services.intake_update(
                intake=intake,
                actor=request.user,
                stages=None if stages is None else stage_values(stages),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # the table's errors are shown above the table
                stage_errors = [m for e in exc.error_dict.pop("stages", []) for m in e.messages]
            add_service_error(form, exc)
        else:
            messages.success(request, _("The intake has been saved."))
            return redirect("leaders:intake_detail", pk=intake.pk)
    context = {"form": form, "stages": stages, "stage_errors": stage_errors, "intake": intake}
    return render(request, "leaders/intake_form.html", context)


@require_POST
def intake_status(request, pk):
    intake = _intake_or_404(request, pk)
    form = IntakeStatusForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        intake = services.intake_set_status(
            intake=intake, actor=request.user, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The intake %(year)s is now “%(status)s”.")
            % {"year": intake.year, "status": intake.get_status_display()},
        )
    return redirect("leaders:intake_detail", pk=intake.pk)


# --- applications -----------------------------------------------------------------------------


def candidate_apply(request, pk):
    intake = _intake_or_404(request, pk)
    teacher = selectors.own_teacher(request.user)
    if teacher is None or not request.user.has_perm("leaders.apply"):
        raise PermissionDenied
    candidacy = selectors.own_candidacy(user=request.user, intake=intake)
    if candidacy is not None:
        messages.info(request, _("You have already applied to this intake."))
        return redirect("leaders:my_candidacies")
    form = CandidateApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_apply(
                intake=intake, teacher=teacher, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your application has been received."))
            return redirect("leaders:my_candidacies")
    check = services.eligibility(intake=intake, teacher=teacher)
    context = {"intake": intake, "teacher": teacher, "check": check, "form": form}
    return render(request, "leaders/candidate_apply.html", context)


def my_candidacies(request):
    context = {
        "candidacies": selectors.my_candidacies(request.user),
        "admitted_or_later": selectors.ADMITTED_OR_LATER,
        "withdraw_form": CandidateWithdrawForm(),
    }
    return render(request, "leaders/my_candidacies.html", context)


@require_POST
def candidate_withdraw(request, pk):
    candidate = _candidate_or_404(request, pk)
    form = CandidateWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("leaders:my_candidacies")
    try:
        services.candidate_withdraw(
            candidate=candidate, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You have withdrawn from the programme."))
    return redirect("leaders:my_candidacies")


# --- candidates -------------------------------------------------------------------------------


def candidate_list(request, pk):
    intake = _intake_or_404(request, pk)
    if not request.user.has_perm("leaders.view_candidates"):
        raise PermissionDenied
    queryset = selectors.candidate_list(request.user, intake)
    filters = CandidateFilter(request.GET, queryset=queryset, user=request.user, intake=intake)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    stages = list(intake.stages.order_by("order"))
    selectors.stage_columns(page.object_list, stages)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "intake": intake,
        "filters": filters,
        "page": page,
        "stages": stages,
        "query": query.urlencode(),
    }
    return render(request, "leaders/candidate_list.html", context)


def candidate_detail(request, pk):
    candidate = _candidate_or_404(request, pk)
    stages = candidate.intake.stages.order_by("order")
    admitted = candidate.status in selectors.ADMITTED_OR_LATER
    context = {
        "candidate": candidate,
        "path": selectors.candidate_path(candidate, stages),
        "events": selectors.candidate_events(candidate),
        "admitted": admitted,
        # The training part of the page (templates/leaders/includes/candidate_training.html).
        "training": selectors.candidate_training(candidate) if admitted else None,
        "own": candidate.teacher.user_id == request.user.pk,
    }
    return render(request, "leaders/candidate_detail.html", context)


# --- stages -----------------------------------------------------------------------------------


def stage_detail(request, pk):
    stage = _stage_or_404(request, pk, perm="leaders.view_candidates")
    waiting_for = None if stage.closed_at else selectors.stage_waiting_for(stage)
    context = {
        "stage": stage,
        "rows": selectors.stage_ranking(stage, user=request.user),
        "waiting_for": waiting_for,
        "can_select": request.user.has_perm("leaders.manage_selection", stage.intake)
        and not stage.closed_at
        and waiting_for is None,
    }
    return render(request, "leaders/stage_detail.html", context)


def stage_scores(request, pk):
    stage = _stage_or_404(request, pk)
    form = StageScoresForm(
        request.POST or None, stage=stage, candidates=selectors.stage_candidates(stage)
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.stage_scores_record(
                stage=stage, scores=form.scores(), actor=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s score has been recorded.",
                    "%(count)s scores have been recorded.",
                    count,
                )
                % {"count": count},
            )
            return redirect("leaders:stage_detail", pk=stage.pk)
    return render(request, "leaders/stage_scores.html", {"stage": stage, "form": form})


def stage_import(request, pk):
    """Upload (check), then record the good rows (POST "apply"); ?download=xlsx|csv gives
    the rejected rows of the last check."""
    stage = _stage_or_404(request, pk)
    key = IMPORT_SESSION_KEY % {"pk": stage.pk}
    saved = request.session.get(key)
    check = imports.ImportCheck.from_data(saved) if saved else None
    if "download" in request.GET:
        if check is None or request.GET["download"] not in CONTENT_TYPES:
            raise Http404
        header, rows = imports.error_rows(check)
        name = _("stage-%(id)s-errors") % {"id": stage.pk}
        return spreadsheet_response(header, rows, fmt=request.GET["download"], filename=name)
    if request.method == "POST" and "apply" in request.POST and check is not None:
        return _stage_import_apply(request, stage, check, key)
    form = StageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = imports.stage_import_check(
                stage=stage, actor=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            request.session[key] = check.as_data()
            return redirect("leaders:stage_import", pk=stage.pk)
    context = {"stage": stage, "form": form, "check": check, "columns": imports.COLUMNS}
    return render(request, "leaders/stage_import.html", context)


def _stage_import_apply(request, stage, check, key):
    try:
        count = imports.stage_import_apply(stage=stage, actor=request.user, check=check)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leaders:stage_import", pk=stage.pk)
    del request.session[key]
    messages.success(
        request,
        ngettext(
            "%(count)s score has been imported.", "%(count)s scores have been imported.", count
        )
        % {"count": count},
    )
    return redirect("leaders:stage_detail", pk=stage.pk)


def stage_decide(request, pk):
    stage = _stage_or_404(request, pk)
    form = StageDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.stage_decide(stage=stage, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            message = _(
                "The stage has been decided: %(passed)s passed, %(stopped)s stopped, "
                "%(admitted)s admitted."
            )
            if outcome["beyond_places"]:
                message = _(
                    "The stage has been decided: %(passed)s passed, %(stopped)s stopped, "
                    "%(admitted)s admitted, %(beyond_places)s beyond the places."
                )
            messages.success(request, message % outcome)
        return redirect("leaders:stage_detail", pk=stage.pk)
    rows = selectors.stage_ranking(stage, user=request.user)
    context = {
        "stage": stage,
        "form": form,
        "passing": sum(row.passed for row in rows),
        "stopping": sum(not row.passed for row in rows),
    }
    return render(request, "leaders/stage_decide.html", context)
