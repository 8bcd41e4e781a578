"""Certificate pages: detail with revoke and re-issue, the PDF, a run's batch downloads, and
the public verification page that the QR code opens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from apps.courses.models import CourseRun

from . import selectors, services, verification
from .forms import BatchForm, ReasonForm, VerifyForm
from .models import Certificate, CertificateBatch


@login_not_required
def verify(request):
    """Anyone may check a code of any document the system issues (see verification.py);
    each client address only so often (against enumeration)."""
    form = VerifyForm(request.GET or None)
    looked_up, found = False, None
    if form.is_valid():
        if is_ratelimited(
            request,
            group="certificates.verify",
            key="ip",
            rate=settings.CERTIFICATE_VERIFY_RATE,
            increment=True,
        ):
            return render(request, "429.html", status=429)
        looked_up = True
        found = verification.find(form.cleaned_data["code"])
    context = {
        "form": form,
        "looked_up": looked_up,
        "found": found,
        "certificate": found.document if found else None,
    }
    response = render(request, "certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _certificate_or_404(request, pk) -> Certificate:
    try:
        certificate = selectors.certificate_get(user=request.user, pk=pk)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("certificates.view_certificate", certificate):
        raise PermissionDenied
    return certificate


def _detail(request, certificate, *, revoke_form=None, reissue_form=None):
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "events": selectors.certificate_events(certificate),
            "revoke_form": revoke_form or ReasonForm(prefix="revoke"),
            "reissue_form": reissue_form or ReasonForm(prefix="reissue"),
        },
    )


def certificate_detail(request, pk):
    return _detail(request, _certificate_or_404(request, pk))


def certificate_pdf(request, pk):
    certificate = _certificate_or_404(request, pk)
    if not certificate.pdf:  # the worker has not got to it yet
        certificate = services.certificate_render(certificate_id=certificate.pk)
    return FileResponse(
        certificate.pdf.open("rb"),
        filename=f"{certificate.register_number}.pdf",
        content_type="application/pdf",
    )


@require_POST
def certificate_revoke(request, pk):
    certificate = _certificate_or_404(request, pk)
    form = ReasonForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The certificate has been revoked."))
            return redirect("certificates:detail", pk=certificate.pk)
    return _detail(request, certificate, revoke_form=form)


@require_POST
def certificate_reissue(request, pk):
    certificate = _certificate_or_404(request, pk)
    form = ReasonForm(request.POST, prefix="reissue")
    if form.is_valid():
        try:
            new = services.certificate_reissue(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("A new certificate has been issued in place of this one."))
            return redirect("certificates:detail", pk=new.pk)
    return _detail(request, certificate, reissue_form=form)


@require_POST
def batch_create(request, run_pk):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_pk)
    form = BatchForm(request.POST)
    try:
        batch = services.certificate_batch_create(
            run=run,
            format=form.cleaned_data["format"] if form.is_valid() else "",
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("courses:run_detail", pk=run.pk)
    return redirect("certificates:batch_detail", pk=batch.pk)


def _batch_or_404(request, pk) -> CertificateBatch:
    batch = CertificateBatch.objects.select_related("run__course").filter(pk=pk).first()
    if batch is None or not request.user.has_perm("certificates.view_batch", batch):
        raise Http404
    return batch


def batch_detail(request, pk):
    batch = _batch_or_404(request, pk)
    context = {"job": batch, "batch": batch, "poll_url": request.path}
    if request.htmx:
        response = render(request, "includes/progress.html", context)
        if not batch.is_running:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "certificates/batch_detail.html", context)


def batch_download(request, pk):
    batch = _batch_or_404(request, pk)
    if batch.status != CertificateBatch.Status.DONE:
        raise Http404
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=f"{_('certificates')}-{batch.run.code}.{batch.format}",
        content_type="application/zip" if batch.format == "zip" else "application/pdf",
    )
