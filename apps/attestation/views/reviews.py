"""Portfolio review by commission members: the queue of portfolios to score, the scoring
sheet beside the whole portfolio, returning an application for a correction, and the table
of the members' sheets (shown to a scoring member only once their own is submitted)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.calendar import add_working_days
from apps.core.dates import short_date
from apps.courses.forms import add_service_error

from ..exclusions import member_exclusion
from ..forms.commissions import ReturnForm, ReviewForm
from ..models import Application, CommissionMember
from ..selectors import commissions as selectors
from ..services import commissions as services


def _application_or_404(request, pk) -> Application:
    try:
        return selectors.review_application_get(user=request.user, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _scoring_seat_or_403(request, application) -> CommissionMember:
    """The user's seat, if they score this application (chair or member)."""
    seat = selectors.seat_of(request.user, application)
    if seat is None or seat.role not in selectors.SCORING_ROLES:
        raise PermissionDenied
    if not request.user.has_perm("attestation.review_application", application):
        raise PermissionDenied
    return seat


def review_queue(request):
    if not request.user.has_perm("attestation.review"):
        raise PermissionDenied
    page = selectors.review_queue(user=request.user, page_number=request.GET.get("page"))
    return render(request, "attestation/reviews/queue.html", {"page": page, "query": ""})


def review_sheet(request, pk):
    application = _application_or_404(request, pk)
    seat = _scoring_seat_or_403(request, application)
    sheet = selectors.review_sheet(application=application, member=seat)
    form = ReviewForm(request.POST or None, criteria=sheet.criteria, review=sheet.review)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_save(
                application=application, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            done = (
                _("Your scores have been submitted: %(total)s points.")
                if review.submitted_at
                else _("Your draft has been saved: %(total)s points so far.")
            )
            messages.success(request, done % {"total": review.total})
            return redirect("attestation:review_sheet", pk=application.pk)
    context = _sheet_context(request, application, seat, sheet, form)
    return render(request, "attestation/reviews/sheet.html", context)


def _sheet_context(request, application, seat, sheet, form) -> dict:
    exclusion = member_exclusion(seat, application)
    scorable = application.status in services.SCORABLE
    return {
        "application": application,
        "sheet": sheet,
        "form": form,
        "blocks": list(zip(sheet.blocks, form.score_fields(), strict=True)),
        "exclusion": exclusion,
        "scorable": scorable,
        "can_score": scorable and not exclusion,
        "others_visible": selectors.others_sheets_visible(
            user=request.user, application=application, seat=seat
        ),
    }


def review_return(request, pk):
    application = _application_or_404(request, pk)
    _scoring_seat_or_403(request, application)
    default_due = add_working_days(timezone.localdate(), application.cycle.correction_working_days)
    form = ReturnForm(request.POST or None, initial={"due_on": default_due})
    if request.method == "POST" and form.is_valid():
        try:
            application = services.review_return(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The application has been returned to the teacher, to correct by %(date)s.")
                % {"date": short_date(application.correction_due_on)},
            )
            return redirect("attestation:review_queue")
    context = {"application": application, "form": form}
    return render(request, "attestation/reviews/return.html", context)


def _may_see_table(user, application, seat) -> bool:
    """The members through their seat, else the body's staff; never on one's own
    application."""
    if application.teacher.user_id == user.pk:
        return False
    return seat is not None or user.has_perm("attestation.view_commission", application.commission)


def review_summary(request, pk):
    application = _application_or_404(request, pk)
    if application.commission_id is None:
        raise Http404
    seat = selectors.seat_of(request.user, application)
    if not _may_see_table(request.user, application, seat):
        raise PermissionDenied
    if not selectors.others_sheets_visible(user=request.user, application=application, seat=seat):
        messages.info(
            request,
            _("The other members' scores are shown once you have submitted your own."),
        )
        return redirect("attestation:review_sheet", pk=application.pk)
    context = {
        "application": application,
        "table": selectors.review_table(application),
        "spread_limit": selectors.SPREAD_WARNING_POINTS,
        "seat": seat,
    }
    return render(request, "attestation/reviews/summary.html", context)
