"""Attendance, the final assessment and the completion of a run: the pages of the run's
trainer and of its provider's staff (`courses.mark_run`)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import selectors, services
from ..forms import AssessmentForm, AttendanceForm, add_service_error
from ..models import CourseRun


def _run_to_mark(request, pk) -> CourseRun:
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=pk)
    if not request.user.has_perm("courses.mark_run", run):
        raise PermissionDenied
    return run


def run_attendance(request, pk):
    run = _run_to_mark(request, pk)
    sheet = selectors.run_sheet(run=run)
    form = AttendanceForm(request.POST or None, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_mark(run=run, present=form.present_pairs(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The attendance has been saved."))
            return redirect("courses:run_attendance", pk=run.pk)
    return render(
        request,
        "courses/run_attendance.html",
        {"run": run, "sheet": sheet, "form": form, "editable": _editable(run)},
    )


def run_results(request, pk):
    run = _run_to_mark(request, pk)
    sheet = selectors.run_sheet(run=run)
    rows = [(row, AssessmentForm.for_enrolment(row.enrolment, request.POST)) for row in sheet.rows]
    if request.method == "POST" and _assessments_record(request, run, [f for _r, f in rows]):
        if request.POST.get("action") == "complete":
            return redirect("courses:run_complete", pk=run.pk)
        return redirect("courses:run_results", pk=run.pk)
    return render(
        request,
        "courses/run_results.html",
        {"run": run, "sheet": sheet, "rows": rows, "editable": _editable(run)},
    )


def run_complete(request, pk):
    """The confirmation step (GET) and the completion itself (POST)."""
    run = _run_to_mark(request, pk)
    errors = []
    if request.method == "POST":
        try:
            result = services.run_complete(run=run, actor=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _completion_message(result))
            return redirect("courses:run_detail", pk=run.pk)
    sheet = selectors.run_sheet(run=run)
    completing = sum(1 for row in sheet.rows if row.check.completed)
    return render(
        request,
        "courses/run_complete_confirm.html",
        {
            "run": run,
            "sheet": sheet,
            "errors": errors,
            "completing": completing,
            "not_completing": len(sheet.rows) - completing,
            "editable": _editable(run),
        },
    )


def _editable(run: CourseRun) -> bool:
    """Marks and results can change until the results are recorded (or the run cancelled)."""
    return not run.completed_at and not run.cancelled_at


def _assessments_record(request, run, forms) -> bool:
    """Record each changed, valid row; the others keep what was typed and show their
    errors. True if every row went through."""
    saved, ok = 0, True
    for form in forms:
        if not form.is_bound:
            continue
        if not form.is_valid():
            ok = False
            continue
        if not form.has_changed():
            continue
        try:
            services.assessment_record(
                enrolment=form.enrolment,
                passed=form.cleaned_data["passed"],
                score=form.cleaned_data["score"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            ok = False
        else:
            saved += 1
    if saved:
        messages.success(
            request,
            ngettext(
                "The result of %(count)s participant has been saved.",
                "The results of %(count)s participants have been saved.",
                saved,
            )
            % {"count": saved},
        )
    if not ok:
        messages.error(request, _("Some results were not saved: see the rows marked below."))
    return ok


def _completion_message(result: dict[str, int]) -> str:
    completed = ngettext(
        "%(count)s participant completed the course",
        "%(count)s participants completed the course",
        result["completed"],
    ) % {"count": result["completed"]}
    not_completed = ngettext(
        "%(count)s did not complete it",
        "%(count)s did not complete it",
        result["not_completed"],
    ) % {"count": result["not_completed"]}
    return _("The results have been recorded: %(completed)s, %(not_completed)s.") % {
        "completed": completed,
        "not_completed": not_completed,
    }
