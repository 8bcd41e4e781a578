"""Teacher registry pages: list, detail with history, create, edit, and "my record"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.pagination import paginate_by_ids

from . import selectors, services
from .filters import TeacherFilter
from .forms import TeacherForm
from .models import Teacher


def teacher_list(request):
    if not request.user.has_perm("teachers.view_teacher_list"):
        raise PermissionDenied
    filterset = TeacherFilter(
        request.GET, queryset=selectors.visible_teachers(request.user), user=request.user
    )
    page = paginate_by_ids(
        filterset.qs if filterset.is_valid() else Teacher.objects.none(),
        page_number=request.GET.get("page"),
        per_page=settings.TEACHER_LIST_PAGE_SIZE,
        load=selectors.teacher_rows,
    )
    query = request.GET.copy()
    query.pop("page", None)
    template = "teachers/_list_results.html" if request.htmx else "teachers/teacher_list.html"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "query": query.urlencode()},
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
        {"teacher": teacher, "history": selectors.teacher_history(teacher)},
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
