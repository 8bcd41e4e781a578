"""Knowledge-test (ОЗП) results: the list in the user's scope, typing one in, and importing a
file of them (check, apply, download the rejected rows)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.courses.forms import add_service_error
from apps.teachers.exports import CONTENT_TYPES, spreadsheet_response

from .. import imports, selectors, services
from ..forms import TestResultFilterForm, TestResultForm, TestResultImportForm
from ..models import TestResultImport

PAGE_SIZE = 25
# The import's columns written as text in the error file: the IIN and the certificate number.
ERROR_FILE_TEXT_COLUMNS = (0, 5)


def test_result_list(request):
    form = TestResultFilterForm(request.GET or None)
    results = selectors.test_result_list(request.user, **form.selector_kwargs())
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "attestation/test_result_list.html", context)


def test_result_create(request):
    if not request.user.has_perm("attestation.import_test_results"):
        raise PermissionDenied
    form = TestResultForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.test_result_create(actor=request.user, **form.service_kwargs())
        except PermissionDenied:
            form.add_error("iin", _("You cannot add results for this teacher."))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The result %(number)s of %(teacher)s has been recorded.")
                % {"number": result.certificate_number, "teacher": result.teacher.full_name},
            )
            url = reverse("attestation:test_result_list")
            return redirect(f"{url}?{urlencode({'q': result.teacher.iin})}")
    return render(request, "attestation/test_result_form.html", {"form": form})


def test_result_import(request):
    if not request.user.has_perm("attestation.import_test_results"):
        raise PermissionDenied
    form = TestResultImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.test_result_import_create(
                actor=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("attestation:test_result_import_detail", pk=job.pk)
    jobs = selectors.test_result_imports(request.user).order_by("-created_at", "-pk")[:10]
    context = {"form": form, "jobs": jobs, "columns": imports.COLUMNS}
    return render(request, "attestation/test_result_import.html", context)


def _job_or_404(request, pk) -> TestResultImport:
    if not request.user.has_perm("attestation.import_test_results"):
        raise PermissionDenied
    try:
        return selectors.test_result_import_get(user=request.user, pk=pk)
    except TestResultImport.DoesNotExist:
        raise Http404 from None


def test_result_import_detail(request, pk):
    """The check's outcome and the button to apply it (POST), then the progress and the
    outcome of the apply."""
    job = _job_or_404(request, pk)
    if request.method == "POST":
        try:
            job = imports.test_result_import_apply(job=job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if job.status == TestResultImport.Status.APPLIED:
                messages.success(request, _("The results have been imported."))
        return redirect("attestation:test_result_import_detail", pk=job.pk)
    context = {"job": job, "errors": job.errors.all()[:100], "poll_url": request.path}
    if request.htmx:
        response = render(request, "includes/progress.html", context)
        if not job.is_running:
            response["HX-Refresh"] = "true"  # finished: show the whole result page
        return response
    return render(request, "attestation/test_result_import_detail.html", context)


def test_result_import_errors(request, pk, fmt):
    job = _job_or_404(request, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    header, rows = imports.test_result_import_error_rows(job)
    return spreadsheet_response(
        header,
        rows,
        fmt=fmt,
        filename=_("test-results-%(id)s-errors") % {"id": job.pk},
        text_columns=ERROR_FILE_TEXT_COLUMNS,
    )
