"""Training and progress of the "1000 leaders": modules and their attendance, internships,
mentoring, reflective reports and their review, the cohort at a glance and the decision
on who completes the training."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.courses.forms import add_service_error

from .. import selectors, services
from ..forms import (
    InternshipPlacementForm,
    InternshipReportForm,
    MentorAssignForm,
    MentorMeetingForm,
    ModuleAttendanceForm,
    ModuleForm,
    ReflectiveReportForm,
    ReportReviewForm,
    TrainingCompleteForm,
)
from ..models import Candidate, Intake, Module


def _intake(request, pk, *perms) -> Intake:
    """The intake, if the user has any of the permissions on it."""
    intake = get_object_or_404(Intake.objects.select_related("programme"), pk=pk)
    if not any(request.user.has_perm(perm, intake) for perm in perms):
        raise PermissionDenied
    return intake


def _candidate(request, pk) -> Candidate:
    """A candidate whose training the user may see (their own, or in their scope)."""
    candidate = get_object_or_404(selectors.training_candidates(), pk=pk)
    if not request.user.has_perm("leaders.view_candidate", candidate):
        raise PermissionDenied
    return candidate


def _posted(request, action: str):
    """The POST data if this form of the page was the one sent, else None (unbound)."""
    return request.POST if request.POST.get("action") == action else None


def _handled(request, handlers: dict) -> bool:
    """Hand the sent form's data to its service: handlers map the form's `action` to
    (form, service, success message, the service's other arguments). The service's
    errors go on the form. True if done."""
    form, service, success, arguments = handlers.get(request.POST.get("action"), (None,) * 4)
    if form is None or not form.is_valid():
        return False
    try:
        service(actor=request.user, **arguments, **form.cleaned_data)
    except ValidationError as exc:
        add_service_error(form, exc)
        return False
    messages.success(request, success)
    return True


def cohort(request, pk):
    intake = _intake(request, pk, "leaders.manage_training", "leaders.view_candidates")
    return render(
        request,
        "leaders/cohort.html",
        {
            "intake": intake,
            "cohort": selectors.cohort_rows(request.user, intake),
            "can_manage": request.user.has_perm("leaders.manage_training", intake),
        },
    )


def module_create(request, pk):
    intake = _intake(request, pk, "leaders.manage_training")
    form = ModuleForm(_posted(request, "add"))
    added = _("The module has been added.")
    if _handled(request, {"add": (form, services.module_save, added, {"intake": intake})}):
        return redirect("leaders:cohort", pk=intake.pk)
    return render(request, "leaders/module_form.html", {"intake": intake, "form": form})


def module_attendance(request, pk):
    module = get_object_or_404(Module.objects.select_related("intake__programme"), pk=pk)
    if not request.user.has_perm("leaders.manage_training", module.intake):
        raise PermissionDenied
    form = ModuleAttendanceForm(request.POST or None, sheet=selectors.module_sheet(module))
    if request.method == "POST" and form.is_valid():
        try:
            services.module_attendance_mark(
                module=module, present=form.present_ids(), actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The attendance has been saved."))
            return redirect("leaders:module_attendance", pk=module.pk)
    context = {"module": module, "form": form, "begun": module.starts_on <= timezone.localdate()}
    return render(request, "leaders/module_attendance.html", context)


def internship(request, pk):
    """Staff place the participant at a host school; the participant reports on it."""
    candidate = _candidate(request, pk)
    placement = getattr(candidate, "internship", None)
    place_form = InternshipPlacementForm(
        _posted(request, "place"),
        candidate=candidate,
        initial=placement and model_to_dict(placement, ["host", "starts_on", "ends_on"]),
    )
    report_form = InternshipReportForm(
        _posted(request, "report"), initial=placement and {"report": placement.report}
    )
    arguments = {"candidate": candidate}
    handlers = {
        "place": (
            place_form,
            services.internship_set,
            _("The internship has been arranged."),
            arguments,
        ),
        "report": (
            report_form,
            services.internship_report_submit,
            _("Your internship report has been submitted."),
            arguments,
        ),
    }
    if _handled(request, handlers):
        return redirect("leaders:internship", pk=candidate.pk)
    context = _training_context(request, candidate)
    context.update(internship=placement, place_form=place_form, report_form=report_form)
    return render(request, "leaders/internship.html", context)


def mentorship(request, pk):
    """Staff assign a mentor; the mentor (or staff) log their meetings."""
    candidate = get_object_or_404(selectors.training_candidates(), pk=pk)
    mentoring = getattr(candidate, "mentorship", None)
    is_mentor = mentoring is not None and mentoring.mentor_id == request.user.pk
    if not (is_mentor or request.user.has_perm("leaders.view_candidate", candidate)):
        raise PermissionDenied
    assign_form = MentorAssignForm(
        _posted(request, "assign"), initial=mentoring and {"mentor": mentoring.mentor}
    )
    meeting_form = MentorMeetingForm(_posted(request, "meeting"))
    arguments = {"candidate": candidate}
    handlers = {
        "assign": (
            assign_form,
            services.mentor_assign,
            _("The mentor has been assigned."),
            arguments,
        ),
        "meeting": (
            meeting_form,
            services.mentor_meeting_add,
            _("The meeting has been recorded."),
            arguments,
        ),
    }
    if _handled(request, handlers):
        return redirect("leaders:mentorship", pk=candidate.pk)
    context = _training_context(request, candidate)
    context.update(
        mentorship=mentoring,
        meetings=selectors.mentor_meetings(mentoring) if mentoring else [],
        is_mentor=is_mentor,
        assign_form=assign_form,
        meeting_form=meeting_form,
    )
    return render(request, "leaders/mentorship.html", context)


def reflective_report(request, pk):
    """The participant writes the report; each reviewer scores it with their own form;
    training staff see every score and the mean."""
    candidate = get_object_or_404(selectors.training_candidates(), pk=pk)
    user = request.user
    can_review = user.has_perm("leaders.review_reports", candidate)
    if not (can_review or user.has_perm("leaders.view_candidate", candidate)):
        raise PermissionDenied
    report = getattr(candidate, "reflective_report", None)
    reviews = selectors.report_reviews(report) if report else None
    own = next((r for r in reviews.reviews if r.reviewer_id == user.pk), None) if report else None
    report_form = ReflectiveReportForm(
        _posted(request, "submit"), initial=report and {"text": report.text}
    )
    review_form = ReportReviewForm(
        _posted(request, "review"), initial=own and {"score": own.score, "comment": own.comment}
    )
    handlers = {
        "submit": (
            report_form,
            services.reflective_report_submit,
            _("Your reflective report has been submitted."),
            {"candidate": candidate},
        ),
    }
    if report:
        handlers["review"] = (
            review_form,
            services.report_review,
            _("Your score has been saved."),
            {"report": report},
        )
    if _handled(request, handlers):
        return redirect("leaders:reflective_report", pk=candidate.pk)
    context = _training_context(request, candidate)
    context.update(
        report=report,
        reviews=reviews,
        own_review=own,
        can_review=can_review,
        # Reviewers score independently: a manager who also reviews sees the others'
        # scores once their own is in.
        show_scores=context["can_manage"] and (own is not None or not can_review),
        report_form=report_form,
        review_form=review_form,
    )
    return render(request, "leaders/reflective_report.html", context)


def report_queue(request):
    if not request.user.has_perm("leaders.view_candidates"):
        raise PermissionDenied
    reports = selectors.report_queue(request.user)
    return render(request, "leaders/report_queue.html", {"reports": reports})


def training_complete(request, pk):
    """The confirmation step (GET) and the decision itself (POST)."""
    intake = _intake(request, pk, "leaders.manage_training")
    form = TrainingCompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.training_complete(intake=intake, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _completion_message(result))
            return redirect("leaders:cohort", pk=intake.pk)
    deciding = selectors.cohort_rows(request.user, intake, in_training_only=True)
    context = {"intake": intake, "form": form, "cohort": deciding}
    return render(request, "leaders/training_complete.html", context)


def _training_context(request, candidate: Candidate) -> dict:
    """What every training page of a candidate shows and offers."""
    return {
        "candidate": candidate,
        "is_participant": candidate.teacher.user_id == request.user.pk,
        "can_manage": request.user.has_perm("leaders.manage_training", candidate),
        "in_training": candidate.status == Candidate.Status.ADMITTED,
    }


def _completion_message(result: dict[str, int]) -> str:
    completed = ngettext(
        "%(count)s participant completed the training and entered the reserve",
        "%(count)s participants completed the training and entered the reserve",
        result["completed"],
    ) % {"count": result["completed"]}
    not_completed = ngettext(
        "%(count)s did not complete it",
        "%(count)s did not complete it",
        result["not_completed"],
    ) % {"count": result["not_completed"]}
    return _("The training has been decided: %(completed)s, %(not_completed)s.") % {
        "completed": completed,
        "not_completed": not_completed,
    }
