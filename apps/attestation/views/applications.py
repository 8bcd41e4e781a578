"""A teacher's attestation applications: applying (also by staff on a teacher's behalf),
the application with its checklist, essay and portfolio, submitting, the private evidence
files and the kept versions."""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from apps.core.files import SERVED_AS
from apps.courses.forms import add_service_error
from apps.teachers.models import Teacher

from .. import selectors, services
from ..forms import (
    AnswerForm,
    ApplicationForm,
    ApplicationStartForm,
    ChecklistPreviewForm,
    EvidenceForm,
)
from ..models import Application, ApplicationVersion, EvidenceItem
from ..selectors.appeals import decision_section


def _applicant(request) -> Teacher | None:
    """The teacher these pages are about: the user's own record, or with ?teacher=<id> a
    teacher the user may apply for (404 for any other)."""
    raw = request.GET.get("teacher")
    if raw is None:
        return selectors.applicant_get(user=request.user)
    teacher = selectors.applicant_get(user=request.user, teacher_id=raw) if raw.isdigit() else None
    if teacher is None or not request.user.has_perm("attestation.apply_for", teacher):
        raise Http404
    return teacher


def application_or_404(request, pk) -> Application:
    try:
        application = selectors.application_get(user=request.user, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_application", application):
        raise Http404
    return application


def _evidence_or_404(request, pk) -> EvidenceItem:
    try:
        item = selectors.evidence_get(user=request.user, pk=pk)
    except EvidenceItem.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_application", item.application):
        raise Http404
    return item


def _changeable_or_403(request, pk) -> Application:
    application = application_or_404(request, pk)
    if not request.user.has_perm("attestation.change_application", application):
        raise PermissionDenied
    return application


def checklist_context(checks) -> dict:
    return {"checklist": checks, "missing": [c for c in checks if c.blocking]}


def render_application(request, application: Application, **extra):
    """The application's page; the answer and submit views show it again with their errors."""
    context = {
        "application": application,
        **checklist_context(selectors.application_checklist(application)),
        "portfolio": selectors.portfolio(application),
        "observations": selectors.application_observations(application),
        "history": selectors.application_history(application),
        "versions": selectors.application_versions(application),
        "answer_form": AnswerForm(),
        "decision_section": decision_section(application),
        **extra,
    }
    return render(request, "attestation/application_detail.html", context)


def my_applications(request):
    teacher = _applicant(request)
    if teacher is None:
        messages.info(request, _("Your account is not linked to a teacher record yet."))
        return redirect("home")
    cycle = selectors.open_cycle(teacher)
    applications = selectors.teacher_applications(teacher)
    current = next((a for a in applications if cycle and a.cycle_id == cycle.pk), None)
    context = {
        "teacher": teacher,
        "acting_for": teacher.user_id != request.user.pk,
        "applications": applications,
        "cycle": cycle,
        "current": current,
        "window_open": cycle is not None and cycle.window_open(timezone.localdate()),
    }
    return render(request, "attestation/my_applications.html", context)


def application_start(request):
    """Choose the category to claim, with the checklist for it, and create the draft."""
    teacher = _applicant(request)
    if teacher is None:
        raise Http404
    cycle = selectors.open_cycle(teacher)
    claims = selectors.claims(cycle=cycle, teacher=teacher) if cycle else []
    previewing = "claimed_category" in request.GET
    data = request.POST if request.method == "POST" else (request.GET if previewing else None)
    form = ApplicationStartForm(data, claims=claims)
    if request.method == "POST" and cycle and form.is_valid():
        try:
            application = services.application_start(
                cycle=cycle, teacher=teacher, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The draft application has been created: write the essay and add the documents."),
            )
            return redirect("attestation:application_detail", pk=application.pk)
    checks = (
        selectors.start_checklist(cycle=cycle, teacher=teacher, claimed=form.chosen())
        if cycle
        else []
    )
    context = {"teacher": teacher, "cycle": cycle, "claims": claims, "form": form}
    context.update(checklist_context(checks), acting_for=teacher.user_id != request.user.pk)
    if request.htmx and request.method == "GET":
        return render(request, "attestation/_checklist.html", context)
    return render(request, "attestation/application_start.html", context)


def application_detail(request, pk):
    return render_application(request, application_or_404(request, pk))


def application_edit(request, pk):
    application = _changeable_or_403(request, pk)
    claims = selectors.claims(cycle=application.cycle, teacher=application.teacher)
    form = ApplicationForm(request.POST or None, application=application, claims=claims)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The application has been saved."))
            return redirect("attestation:application_detail", pk=application.pk)
    context = {"application": application, "form": form}
    context.update(checklist_context(selectors.application_checklist(application)))
    return render(request, "attestation/application_form.html", context)


@require_GET
def application_checklist(request, pk):
    """The checklist alone (htmx), previewing the category and exemption being chosen."""
    application = application_or_404(request, pk)
    preview = ChecklistPreviewForm(request.GET).preview()
    checks = selectors.application_checklist(application, **preview)
    context = {"application": application, **checklist_context(checks)}
    return render(request, "attestation/_checklist.html", context)


def evidence_add(request, pk):
    application = _changeable_or_403(request, pk)
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        initial={"criterion": request.GET.get("criterion")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.evidence_add(
                application=application, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("“%(title)s” has been added to the portfolio.") % {"title": item.title}
            )
            return redirect("attestation:application_detail", pk=application.pk)
    context = {"application": application, "form": form}
    return render(request, "attestation/evidence_form.html", context)


@require_POST
def evidence_remove(request, pk):
    item = _evidence_or_404(request, pk)
    if not request.user.has_perm("attestation.change_application", item.application):
        raise PermissionDenied
    try:
        services.evidence_remove(item=item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("“%(title)s” has been removed from the portfolio.") % {"title": item.title}
        )
    return redirect("attestation:application_detail", pk=item.application_id)


def _download_name(item: EvidenceItem) -> str:
    """The name it was uploaded under, with the extension of its real type."""
    extensions = SERVED_AS[item.file_type][1]
    stem, extension = os.path.splitext(item.original_name)
    if extension.lstrip(".").lower() in extensions:
        return item.original_name
    return f"{stem or item.get_criterion_display()}.{extensions[0]}"


@require_GET
@xframe_options_sameorigin
def evidence_file(request, pk):
    """The private file, as a download of its type found by content, never sniffed; with
    ?inline a PDF or an image is shown in place (the commission's review sheet)."""
    item = _evidence_or_404(request, pk)
    try:
        file = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        file,
        as_attachment="inline" not in request.GET or item.file_type == "docx",
        filename=_download_name(item),
        content_type=SERVED_AS[item.file_type][0],
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


@require_POST
def application_submit(request, pk):
    application = _changeable_or_403(request, pk)
    try:
        application = services.application_submit(application=application, actor=request.user)
    except ValidationError as exc:
        return render_application(request, application, submit_errors=exc.messages)
    messages.success(
        request,
        _("The application has been submitted. The answer is due by %(date)s.")
        % {"date": date_format(application.accept_due_on, "SHORT_DATE_FORMAT")},
    )
    return redirect("attestation:application_detail", pk=application.pk)


def application_version(request, pk, number):
    application = application_or_404(request, pk)
    try:
        version = selectors.application_version(application=application, number=number)
    except ApplicationVersion.DoesNotExist:
        raise Http404 from None
    context = {"application": application, "view": version}
    return render(request, "attestation/application_version.html", context)
