"""The staff queue of applications (filters, counts per stage, bulk acceptance) and the
answer to one application: accept, refuse with a reason, or return for correction."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.core.pagination import paginate_by_ids
from apps.courses.forms import add_service_error

from .. import selectors, services
from ..filters import STAGE_FILTERS, ApplicationFilter
from ..forms import AnswerForm, BulkAcceptForm
from ..models import Application
from .applications import application_or_404, render_application

PAGE_SIZE = 25
# decision -> (service, the name of its comment argument, what to tell the user)
ANSWERS = {
    AnswerForm.ACCEPT: (
        services.application_accept,
        "comment",
        gettext_lazy("The application has been accepted: it goes on to review."),
    ),
    AnswerForm.REFUSE: (
        services.application_refuse,
        "reason",
        gettext_lazy("The application has been refused; the teacher sees the reason."),
    ),
    AnswerForm.RETURN: (
        services.application_return,
        "comment",
        gettext_lazy("The application has been returned to the teacher for correction."),
    ),
}


def queue(request):
    if not request.user.has_perm("attestation.view_queue"):
        raise PermissionDenied
    filterset = ApplicationFilter(
        request.GET, queryset=selectors.application_list(request.user), user=request.user
    )
    valid = filterset.is_valid()
    page = paginate_by_ids(
        filterset.qs if valid else Application.objects.none(),
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
        load=selectors.application_rows,
    )
    stages, overdue = selectors.stage_counts(filterset.before_stage) if valid else ([], 0)
    context = {"filter": filterset, "page": page, "stages": stages, "overdue_count": overdue}
    context.update(_queries(request, filterset))
    template = "attestation/_queue_results.html" if request.htmx else "attestation/queue.html"
    return render(request, template, context)


def _queries(request, filterset) -> dict:
    """The query strings of the page's links: the pages keep the filters, the stage badges
    keep all but the stage (with the cycle as chosen or defaulted)."""
    query = request.GET.copy()
    query.pop("page", None)
    stage_query = filterset.data.copy()
    for name in ("page", *STAGE_FILTERS):
        stage_query.pop(name, None)
    return {"query": query.urlencode(), "stage_query": stage_query.urlencode()}


@require_POST
def queue_bulk_accept(request):
    if not request.user.has_perm("attestation.view_queue"):
        raise PermissionDenied
    form = BulkAcceptForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["applications"]
        applications = list(
            selectors.application_list(request.user)
            .filter(pk__in=ids)
            .select_related("teacher", "organization__district")
            .order_by("pk")
        )
        result = services.applications_accept(applications=applications, actor=request.user)
        _report_bulk(request, result, unknown=len(ids) - len(applications))
    else:
        for error in form.errors["applications"]:
            messages.error(request, error)
    query = request.GET.urlencode()
    return redirect(f"{reverse('attestation:queue')}?{query}" if query else "attestation:queue")


def _report_bulk(request, result: services.BulkAccept, *, unknown: int) -> None:
    accepted = len(result.accepted)
    if accepted:
        messages.success(
            request,
            ngettext(
                "%(count)s application has been accepted.",
                "%(count)s applications have been accepted.",
                accepted,
            )
            % {"count": accepted},
        )
    for application, reason in result.skipped:
        messages.warning(
            request,
            _("Not accepted: %(teacher)s: %(reason)s")
            % {"teacher": application.teacher.full_name, "reason": reason},
        )
    if unknown:
        messages.warning(
            request,
            ngettext(
                "%(count)s selected application is not in your queue.",
                "%(count)s selected applications are not in your queue.",
                unknown,
            )
            % {"count": unknown},
        )


@require_POST
def application_answer(request, pk):
    application = application_or_404(request, pk)
    if not request.user.has_perm("attestation.accept_application", application):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        service, argument, done = ANSWERS[form.cleaned_data["decision"]]
        try:
            service(
                application=application,
                actor=request.user,
                **{argument: form.cleaned_data["comment"]},
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Answered meanwhile (another tab, a replayed form): nothing changed.
                messages.error(request, " ".join(exc.messages))
                return redirect("attestation:application_detail", pk=application.pk)
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("attestation:application_detail", pk=application.pk)
    return render_application(request, application, answer_form=form)
