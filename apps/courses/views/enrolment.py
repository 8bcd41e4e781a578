"""Enrolment pages: a teacher enrols themself, staff enrol teachers of their scope, an
enrolment's page with its history, cancel and approve, and a teacher's own courses."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.core.pagination import paginate_by_ids
from apps.teachers.filters import TeacherFilter
from apps.teachers.models import Teacher
from apps.teachers.selectors import teacher_rows

from .. import selectors, services
from ..forms import BULK_ENROL_LIMIT, BulkEnrolForm, EnrolmentCancelForm, EnrolSelfForm
from ..models import Enrolment
from .catalogue import run_or_404

S = Enrolment.Status


def _enrolled_message(enrolment: Enrolment) -> str:
    course = enrolment.run.course.title
    if enrolment.status == S.CONFIRMED:
        return _("You are enrolled in “%(course)s”.") % {"course": course}
    if enrolment.status == S.REQUESTED:
        return _("Your request to join “%(course)s” waits for approval.") % {"course": course}
    return _("“%(course)s” is full: you are on its waitlist.") % {"course": course}


@require_POST
def run_enrol_self(request, pk):
    run = run_or_404(request, pk)
    if not request.user.has_perm("courses.enrol_self"):
        raise PermissionDenied
    form = EnrolSelfForm(request.POST)
    allow_overlap = form.is_valid() and form.cleaned_data["allow_overlap"]
    try:
        enrolment = services.enrolment_create(
            run=run, teacher=request.user.teacher, actor=request.user, allow_overlap=allow_overlap
        )
    except services.OverlapWarning as warning:
        return render(request, "courses/run_enrol_overlap.html", {"run": run, "warning": warning})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _enrolled_message(enrolment))
    return redirect("courses:run_detail", pk=run.pk)


def run_enrol_teachers(request, pk):
    run = run_or_404(request, pk)
    if not request.user.has_perm("courses.enrol_teachers"):
        raise PermissionDenied
    allowed = selectors.enrollable_teachers(request.user)
    filterset = TeacherFilter(request.GET, queryset=allowed, user=request.user)
    matching = filterset.qs if filterset.is_valid() else Teacher.objects.none()
    data = request.POST if request.method == "POST" else None  # ticking nothing is an error
    form = BulkEnrolForm(data, matching=matching, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        result = services.enrolments_create(
            run=run,
            teachers=form.cleaned_data["chosen"],
            actor=request.user,
            allow_overlap=form.cleaned_data["allow_overlap"],
        )
        context = {"run": run, "result": result, "out_of_scope": form.cleaned_data["out_of_scope"]}
        return render(request, "courses/run_enrol_teachers_result.html", context)
    template = (
        "courses/_enrol_teachers_results.html"
        if request.htmx
        else "courses/run_enrol_teachers.html"
    )
    return render(request, template, _teacher_picker(request, run, filterset, form, matching))


def _teacher_picker(request, run, filterset, form, matching) -> dict:
    """The context of the page that lists the matching teachers to tick."""
    page = paginate_by_ids(
        matching,
        page_number=request.GET.get("page"),
        per_page=settings.TEACHER_LIST_PAGE_SIZE,
        load=teacher_rows,
    )
    query = request.GET.copy()
    query.pop("page", None)
    enrolled = selectors.live_enrolments_of(
        run=run, teacher_ids=[row.pk for row in page.object_list]
    )
    return {
        "run": run,
        "filter": filterset,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # Each teacher with their live enrolment in the run, if any (then not offered).
        "rows": [(row, enrolled.get(row.pk)) for row in page.object_list],
        "limit": BULK_ENROL_LIMIT,
    }


def _enrolment_or_404(request, pk) -> Enrolment:
    try:
        return selectors.enrolment_get(user=request.user, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None


def _back(request, enrolment: Enrolment):
    """Where the form came from (the run's page or the enrolment's), if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("courses:enrolment_detail", pk=enrolment.pk)


def enrolment_detail(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    return render(
        request,
        "courses/enrolment_detail.html",
        {
            "enrolment": selectors.enrolment_actions(user=request.user, enrolment=enrolment),
            "attendance": selectors.enrolment_attendance(enrolment),
            "cancel_form": EnrolmentCancelForm(),
        },
    )


@require_POST
def enrolment_cancel(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    if not request.user.has_perm("courses.change_enrolment", enrolment):
        raise PermissionDenied
    form = EnrolmentCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        promoted = services.enrolment_cancel(enrolment=enrolment, actor=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The enrolment has been cancelled."))
        if promoted:
            count = len(promoted)
            messages.info(
                request,
                ngettext(
                    "%(count)s teacher from the waitlist got the seat.",
                    "%(count)s teachers from the waitlist got the seats.",
                    count,
                )
                % {"count": count},
            )
    return _back(request, enrolment)


@require_POST
def enrolment_approve(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    if not request.user.has_perm("courses.approve_enrolment", enrolment):
        raise PermissionDenied
    try:
        enrolment = services.enrolment_approve(enrolment=enrolment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The request has been approved: %(status)s.")
            % {"status": enrolment.get_status_display()},
        )
    return _back(request, enrolment)


def my_courses(request):
    teacher = Teacher.objects.filter(user=request.user).first()
    if teacher is None:
        messages.info(request, _("Your account is not linked to a teacher record yet."))
        return redirect("home")
    hours = selectors.pd_hours(teacher_ids=[teacher.pk])[teacher.pk]
    since = selectors.pd_period_start()
    return render(
        request,
        "courses/my_courses.html",
        {
            "teacher": teacher,
            "courses": selectors.teacher_courses(teacher=teacher),
            "external": selectors.teacher_external_trainings(teacher=teacher),
            "hours_all": hours,
            "hours_period": selectors.pd_hours(teacher_ids=[teacher.pk], since=since)[teacher.pk],
            "period_start": since,
            "can_upload": request.user.has_perm("courses.add_external_training"),
        },
    )
