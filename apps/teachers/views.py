"""Teacher registry pages: list, detail with history, create, edit, and "my record"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.pagination import paginate_by_ids

from . import exports, panels, selectors, services
from .filters import TeacherFilter
from .forms import TeacherForm
from .models import ExportJob, Teacher


def teacher_list(request):
    if not request.user.has_perm("teachers.view_teacher_list"):
        raise PermissionDenied
    filterset = TeacherFilter(
        request.GET, queryset=selectors.visible_teachers(request.user), user=request.user
    )
    valid = filterset.is_valid()
    page = paginate_by_ids(
        filterset.qs if valid else Teacher.objects.none(),
        page_number=request.GET.get("page"),
        per_page=settings.TEACHER_LIST_PAGE_SIZE,
        load=selectors.teacher_rows,
        # A name or IIN search selects few rows: count them in the same query.
        count_with_page=valid and bool(filterset.form.cleaned_data.get("q")),
    )
    # The filters as applied (a district chosen drops a region given with it): the links
    # to other pages and to the exports list what this page lists.
    query = filterset.data.copy()
    query.pop("page", None)
    template = "teachers/_list_results.html" if request.htmx else "teachers/teacher_list.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "extra_filters": filterset.active_extra_filters(),
        },
    )


def _get_teacher_or_404(request, pk) -> Teacher:
    try:
        return selectors.teacher_get(user=request.user, pk=pk)
    except Teacher.DoesNotExist:
        raise Http404 from None


def teacher_detail(request, pk):
    teacher = _get_teacher_or_404(request, pk)
    if not request.user.has_perm("teachers.view_teacher", teacher):
        raise PermissionDenied
    return render(
        request,
        "teachers/teacher_detail.html",
        {
            "teacher": teacher,
            "history": selectors.teacher_history(teacher),
            "panels": panels.render_panels(request, teacher),
        },
    )


def my_record(request):
    teacher = Teacher.objects.filter(user=request.user).only("pk").first()
    if teacher is None:
        messages.info(request, _("Your account is not linked to a teacher record yet."))
        return redirect("home")
    return redirect("teachers:detail", pk=teacher.pk)


def teacher_create(request):
    if not request.user.has_perm("teachers.add_teacher"):
        raise PermissionDenied
    form = TeacherForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            teacher = services.teacher_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The teacher has been added to the registry."))
            return redirect("teachers:detail", pk=teacher.pk)
    return render(request, "teachers/teacher_form.html", {"form": form})


def teacher_update(request, pk):
    teacher = _get_teacher_or_404(request, pk)
    if not request.user.has_perm("teachers.change_teacher", teacher):
        raise PermissionDenied
    form = TeacherForm(request.POST or None, instance=teacher, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.teacher_update(
                teacher=teacher, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The changes have been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("teachers:detail", pk=teacher.pk)
    return render(request, "teachers/teacher_form.html", {"form": form, "teacher": teacher})


def teacher_export(request, fmt):
    """The filtered list as a file: at once when small, else built by the worker."""
    if not request.user.has_perm("teachers.export_teachers"):
        raise PermissionDenied
    query = request.GET.copy()
    query.pop("page", None)
    filterset = TeacherFilter(
        query, queryset=selectors.visible_teachers(request.user), user=request.user
    )
    queryset = filterset.qs if filterset.is_valid() else Teacher.objects.none()
    if queryset.count() > settings.TEACHER_EXPORT_INLINE_ROWS:
        job = exports.export_job_create(
            actor=request.user,
            query=query.urlencode(),
            fmt=fmt,
            language=get_language(),
        )
        return redirect("teachers:export_detail", pk=job.pk)
    rows = exports.export_rows(exports.in_chunks(exports.export_queryset(queryset)))
    return exports.spreadsheet_response(
        exports.export_header(), rows, fmt=fmt, filename=_("teachers")
    )


def _export_or_404(request, pk) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404
    return job


def export_detail(request, pk):
    job = _export_or_404(request, pk)
    context = {"job": job, "poll_url": request.path}
    if request.htmx:
        response = render(request, "includes/progress.html", context)
        if not job.is_running:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "teachers/export_detail.html", context)


def export_download(request, pk):
    job = _export_or_404(request, pk)
    if job.status != ExportJob.Status.DONE:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"{_('teachers')}.{job.file_format}",
        content_type=exports.CONTENT_TYPES[job.file_format],
    )
