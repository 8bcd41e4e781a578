"""Lesson observation sheets: entered by the observer (a school administrator, a
methodologist or a commission member), seen by staff over the teacher and by the teacher."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.courses.forms import add_service_error

from .. import selectors, services
from ..forms import ObservationFilterForm, ObservationForm, TeacherByIinForm
from ..models import LessonObservation

PAGE_SIZE = 25


def observation_list(request):
    form = ObservationFilterForm(request.GET or None, user=request.user)
    observations = selectors.observation_list(request.user, **form.selector_kwargs())
    page = Paginator(observations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "attestation/observation_list.html", context)


def _find_teacher(request):
    """The observed teacher from `?teacher=<id>` (404 if not visible), or from the IIN of the
    search form, which then redirects to that address; else (None, the search form)."""
    if "teacher" in request.GET:
        try:
            pk = int(request.GET["teacher"])
        except ValueError:
            raise Http404 from None
        teacher = selectors.teacher_find(user=request.user, pk=pk)
        if teacher is None:
            raise Http404
        return teacher, None
    search = TeacherByIinForm(request.GET or None)
    if search.is_valid():
        teacher = selectors.teacher_find(user=request.user, iin=search.cleaned_data["iin"])
        if teacher is not None:
            return teacher, None
        search.add_error("iin", _("No teacher with this IIN among the teachers you can see."))
    return None, search


def observation_create(request):
    teacher, search = _find_teacher(request)
    if teacher is None:
        return render(request, "attestation/observation_form.html", {"search": search})
    if "teacher" not in request.GET:
        url = reverse("attestation:observation_create")
        return redirect(f"{url}?{urlencode({'teacher': teacher.pk})}")
    if not request.user.has_perm("attestation.add_observation", teacher):
        raise PermissionDenied
    cycle = selectors.open_cycle(teacher)
    if cycle is None:
        messages.error(request, _("There is no open attestation cycle for this teacher's region."))
        return render(request, "attestation/observation_form.html", {"teacher": teacher})
    form = ObservationForm(request.POST or None, criteria=cycle.observation_criteria.all())
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_create(
                actor=request.user, cycle=cycle, teacher=teacher, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The observation sheet has been saved."))
            return redirect("attestation:observation_detail", pk=observation.pk)
    context = {"form": form, "teacher": teacher, "cycle": cycle}
    return render(request, "attestation/observation_form.html", context)


def observation_detail(request, pk):
    try:
        observation = selectors.observation_get(user=request.user, pk=pk)
    except LessonObservation.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("attestation.view_observation", observation):
        raise PermissionDenied
    scores = selectors.observation_scores(observation)
    context = {"observation": observation, "scores": scores, "max_total": 3 * len(scores)}
    return render(request, "attestation/observation_detail.html", context)
