"""Commission sessions: planning one, the session page (attendance, agenda, the votes
grid), closing it with the decisions, the protocol and the teachers' extracts; and the
document jobs with their progress bar (a session's protocol, an order's certificates)."""

import mimetypes
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from apps.courses.forms import add_service_error

from ..forms.sessions import (
    AgendaAddForm,
    AgendaRemoveForm,
    AttendanceForm,
    CloseForm,
    SessionForm,
    VotesForm,
)
from ..models import Commission, CommissionSession, DocumentJob
from ..selectors import sessions as selectors
from ..services import sessions as services


def _session_or_404(request, pk) -> CommissionSession:
    try:
        session = selectors.session_get(user=request.user, pk=pk)
    except CommissionSession.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_session", session):
        raise Http404
    return session


def _runnable_or_403(request, pk) -> CommissionSession:
    session = _session_or_404(request, pk)
    if not request.user.has_perm("attestation.run_sessions", session):
        raise PermissionDenied
    return session


def _detail(session: CommissionSession, anchor: str = "") -> str:
    return reverse("attestation:session_detail", args=[session.pk]) + anchor


def _error_message(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def session_create(request, pk):
    try:
        commission = selectors.session_commission_get(user=request.user, pk=pk)
    except Commission.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.run_sessions", commission):
        raise PermissionDenied
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                commission=commission, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The session has been planned: now set its agenda."))
            return redirect("attestation:session_agenda", pk=session.pk)
    context = {"commission": commission, "form": form}
    return render(request, "attestation/sessions/session_form.html", context)


@require_GET
def session_detail(request, pk):
    session = _session_or_404(request, pk)
    page = selectors.session_page(session)
    can_run = request.user.has_perm("attestation.run_sessions", session)
    context = {
        "session": session,
        "page": page,
        "can_run": can_run,
        "editable": can_run and session.status == CommissionSession.Status.PLANNED,
        "attendance_form": AttendanceForm(
            initial={"present": sorted(page.present_ids)}, commission=session.commission
        ),
    }
    return render(request, "attestation/sessions/session_detail.html", context)


def session_agenda(request, pk):
    """The agenda: the applications that may be added (ticked, then added together) and
    those on it, each with a button to take it off."""
    session = _runnable_or_403(request, pk)
    if request.method == "POST" and "remove" in request.POST:
        return _agenda_remove(request, session)
    form = AgendaAddForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["applications"].order_by(
            "teacher__last_name", "teacher__first_name", "pk"
        )
        try:
            result = services.session_agenda_add(
                session=session, actor=request.user, applications=chosen
            )
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            _report_agenda(request, result)
        return redirect("attestation:session_agenda", pk=session.pk)
    context = {
        "session": session,
        "form": form,
        "candidates": selectors.agenda_candidates(session),
        "items": selectors.agenda_items(session),
    }
    return render(request, "attestation/sessions/session_agenda.html", context)


def _agenda_remove(request, session):
    form = AgendaRemoveForm(request.POST, session=session)
    if not form.is_valid():
        raise Http404
    try:
        services.session_agenda_remove(
            session=session, actor=request.user, application=form.cleaned_data["application"]
        )
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("The application has been taken off the agenda."))
    return redirect("attestation:session_agenda", pk=session.pk)


def _report_agenda(request, result: services.AgendaAdd) -> None:
    if result.added:
        messages.success(
            request,
            ngettext(
                "%(count)s application has been put on the agenda.",
                "%(count)s applications have been put on the agenda.",
                len(result.added),
            )
            % {"count": len(result.added)},
        )
    for application, reason in result.skipped:
        messages.warning(
            request,
            _("Not put on the agenda: %(teacher)s: %(reason)s.")
            % {"teacher": application.teacher.full_name, "reason": reason},
        )


@require_POST
def session_attendance(request, pk):
    session = _runnable_or_403(request, pk)
    form = AttendanceForm(request.POST, commission=session.commission)
    if not form.is_valid():
        messages.error(request, _("Tick the members who are present."))
        return redirect(_detail(session, "#attendance"))
    try:
        services.session_attendance_set(
            session=session, actor=request.user, present=form.cleaned_data["present"]
        )
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("The attendance has been saved."))
    return redirect(_detail(session, "#attendance"))


@require_POST
def session_votes(request, pk):
    """Save the votes grid; nothing is saved if any vote is refused (each refusal named)."""
    session = _runnable_or_403(request, pk)
    form = VotesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or nothing in each cell."))
        return redirect(_detail(session, "#agenda"))
    try:
        services.session_votes_set(session=session, actor=request.user, votes=form.votes())
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("The votes have been saved."))
    return redirect(_detail(session, "#agenda"))


def session_close(request, pk):
    session = _runnable_or_403(request, pk)
    if session.status != CommissionSession.Status.PLANNED:
        messages.info(request, _("This session is no longer planned."))
        return redirect(_detail(session))
    page = selectors.session_page(session)
    form = CloseForm(request.POST or None, rows=page.undecided)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_close(
                session=session,
                actor=request.user,
                protocol_number=form.cleaned_data["protocol_number"],
                lower_choices=form.lower_choices(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The session has been closed; the protocol and the extracts are being made."),
            )
            return redirect(_detail(session))
    context = {"session": session, "page": page, "form": form}
    return render(request, "attestation/sessions/session_close.html", context)


@require_POST
def session_cancel(request, pk):
    session = _runnable_or_403(request, pk)
    try:
        services.session_cancel(session=session, actor=request.user)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("The session has been cancelled; its agenda is free again."))
    return redirect(_detail(session))


@require_GET
def session_protocol(request, pk):
    session = _session_or_404(request, pk)
    if not session.protocol:
        raise Http404
    return FileResponse(
        session.protocol.open("rb"),
        filename=f"{_('protocol')}-{session.protocol_number}.pdf",
        content_type="application/pdf",
    )


@require_GET
def session_extract(request, pk, application_pk):
    """A teacher's extract, for those who see the session and for those who see the
    application (the teacher themself among them)."""
    item = selectors.extract_item_get(session_pk=pk, application_pk=application_pk)
    user = request.user
    if item is None or not (
        user.has_perm("attestation.view_session", item.session)
        or user.has_perm("attestation.view_application", item.application)
    ):
        raise Http404
    content = services.session_extract_render(session=item.session, application=item.application)
    filename = f"{_('extract')}-{item.session.protocol_number}-{item.number}.pdf"
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )


def _job_or_404(request, pk) -> DocumentJob:
    """A session's job for those who see the session, an order's for those who see the
    order."""
    try:
        job = selectors.document_job_get(pk=pk)
    except DocumentJob.DoesNotExist:
        raise Http404 from None
    if job.session_id:
        allowed = request.user.has_perm("attestation.view_session", job.session)
    else:
        allowed = request.user.has_perm("attestation.view_order", job.order)
    if not allowed:
        raise Http404
    return job


@require_GET
def document_job_detail(request, pk):
    """The job's page, or (polled by htmx) its progress partial; once the job is over the
    page around the partial is reloaded, so it shows the finished documents."""
    job = _job_or_404(request, pk)
    if request.htmx:
        response = render(request, "attestation/documents/_job.html", {"job": job})
        if not job.is_running:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "attestation/documents/job_detail.html", {"job": job})


@require_GET
def document_job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != DocumentJob.Status.DONE or not job.file:
        raise Http404
    name = os.path.basename(job.file.name)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
