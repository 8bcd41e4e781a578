"""The course catalogue and its management: runs list, course and run pages, providers,
courses and runs created, changed and cancelled."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.core.pagination import paginate_by_ids

from .. import hooks, selectors, services
from ..filters import RunFilter
from ..forms import CourseForm, ProviderForm, RunCancelForm, RunForm, add_service_error
from ..models import Course, CourseRun, Provider

CATALOGUE_PAGE_SIZE = 20


def catalogue(request):
    if not request.user.has_perm("courses.view_catalogue"):
        raise PermissionDenied
    filterset = RunFilter(
        request.GET, queryset=selectors.catalogue_runs(request.user), user=request.user
    )
    valid = filterset.is_valid()
    page = paginate_by_ids(
        filterset.qs if valid else CourseRun.objects.none(),
        page_number=request.GET.get("page"),
        per_page=CATALOGUE_PAGE_SIZE,
        load=partial(selectors.catalogue_rows, user=request.user),
    )
    query = request.GET.copy()
    query.pop("page", None)
    template = "courses/_catalogue_results.html" if request.htmx else "courses/catalogue.html"
    return render(
        request, template, {"filter": filterset, "page": page, "query": query.urlencode()}
    )


def _course_or_404(request, pk) -> Course:
    if not request.user.has_perm("courses.view_catalogue"):
        raise PermissionDenied
    try:
        return selectors.course_get(user=request.user, pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def run_or_404(request, pk) -> CourseRun:
    """The run as the catalogue shows it to this user (also used by the enrolment pages)."""
    if not request.user.has_perm("courses.view_catalogue"):
        raise PermissionDenied
    try:
        return selectors.run_get(user=request.user, pk=pk)
    except CourseRun.DoesNotExist:
        raise Http404 from None


def course_detail(request, pk):
    course = _course_or_404(request, pk)
    upcoming, past = selectors.course_runs(course=course)
    return render(
        request,
        "courses/course_detail.html",
        {"course": course, "upcoming_runs": upcoming, "past_runs": past},
    )


def course_create(request):
    if not request.user.has_perm("courses.add_course"):
        raise PermissionDenied
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_save(
                course=form.instance, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The course has been added to the catalogue."))
            return redirect("courses:course_detail", pk=course.pk)
    return render(request, "courses/course_form.html", {"form": form})


def course_update(request, pk):
    course = _course_or_404(request, pk)
    if not request.user.has_perm("courses.change_course", course):
        raise PermissionDenied
    form = CourseForm(request.POST or None, instance=course, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_save(course=form.instance, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("courses:course_detail", pk=course.pk)
    return render(request, "courses/course_form.html", {"form": form, "course": course})


def provider_list(request):
    # Who may add courses keeps a provider: a regional administrator or provider staff.
    if not request.user.has_perm("courses.add_course"):
        raise PermissionDenied
    providers = selectors.managed_providers(request.user).prefetch_related("staff")
    return render(request, "courses/provider_list.html", {"providers": providers})


def provider_create(request):
    if not request.user.has_perm("courses.add_provider"):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_save(
                provider=form.instance, actor=request.user, staff=form.cleaned_data["staff"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The provider has been added."))
            return redirect("courses:provider_list")
    return render(request, "courses/provider_form.html", {"form": form})


def provider_update(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    if not request.user.has_perm("courses.change_provider", provider):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, instance=provider, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_save(
                provider=form.instance, actor=request.user, staff=form.cleaned_data["staff"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("courses:provider_list")
    return render(request, "courses/provider_form.html", {"form": form, "provider": provider})


def run_create(request, course_pk):
    course = _course_or_404(request, course_pk)
    if not request.user.has_perm("courses.change_course", course):
        raise PermissionDenied
    form = RunForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_save(run=form.instance, actor=request.user, quotas=form.quotas())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The group has been added."))
            return redirect("courses:run_detail", pk=run.pk)
    return render(request, "courses/run_form.html", {"form": form, "course": course})


def run_update(request, pk):
    run = run_or_404(request, pk)
    if not request.user.has_perm("courses.change_run", run):
        raise PermissionDenied
    form = RunForm(request.POST or None, instance=run, course=run.course)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_save(run=form.instance, actor=request.user, quotas=form.quotas())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("courses:run_detail", pk=run.pk)
    return render(
        request, "courses/run_form.html", {"form": form, "course": run.course, "run": run}
    )


def run_cancel(request, pk):
    run = run_or_404(request, pk)
    if not request.user.has_perm("courses.change_run", run):
        raise PermissionDenied
    if run.cancelled_at:  # e.g. a second tab: nothing left to cancel
        messages.info(request, _("This group has already been cancelled."))
        return redirect("courses:run_detail", pk=run.pk)
    form = RunCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_cancel(run=run, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The group has been cancelled; its participants are told."))
            return redirect("courses:run_detail", pk=run.pk)
    return render(request, "courses/run_cancel.html", {"form": form, "run": run})


def run_detail(request, pk):
    run = run_or_404(request, pk)
    return render(
        request,
        "courses/run_detail.html",
        {
            "run": run,
            "own": selectors.own_enrolment(user=request.user, run=run),
            "quotas": selectors.run_quota_use(run),
            "roster": selectors.run_roster(user=request.user, run=run),
            "run_panels": hooks.render_run_panels(request, run),
        },
    )
