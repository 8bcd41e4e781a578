"""The reserve and its appointments, vacancies with the reservists who could fill them, and
the programme's outcomes (funnel, appointment rate, time to appointment) with their export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from apps.courses.forms import add_service_error
from apps.teachers.exports import CONTENT_TYPES
from apps.teachers.selectors import editable_organizations

from .. import selectors, services
from ..forms import AppointmentForm, LeadersFilterForm, VacancyForm
from ..models import Candidate

PAGE_SIZE = 50


def reserve(request):
    if not request.user.has_perm("leaders.view_candidates"):
        raise PermissionDenied
    form = LeadersFilterForm(request.GET, user=request.user)
    filters = form.filters()
    reservists = (
        selectors.reserve_list(request.user, **filters)
        if filters is not None
        else Candidate.objects.none()
    )
    page = Paginator(reservists, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "leaders/reserve.html", context)


def appointment_create(request, pk):
    try:
        candidate = selectors.reservist_get(user=request.user, pk=pk)
    except Candidate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("leaders.record_appointment", candidate):
        raise PermissionDenied
    form = AppointmentForm(
        request.POST or None, user=request.user, initial=_appointment_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_record(
                candidate=candidate, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:  # the teacher's record is outside the user's scope
            form.add_error(None, str(exc) or _("You cannot change this teacher's record."))
        else:
            messages.success(
                request,
                _("%(name)s has been appointed; their record and category have been updated.")
                % {"name": candidate.teacher.full_name},
            )
            return redirect("leaders:reserve")
    return render(request, "leaders/appointment_form.html", {"form": form, "candidate": candidate})


def _appointment_initial(request) -> dict:
    """Today, and (from a vacancy's "appoint" link) that vacancy's post and organisation."""
    initial = {"appointed_on": timezone.localdate()}
    vacancy = (
        selectors.open_vacancies(request.user, writable=True)
        .filter(pk=request.GET.get("vacancy"))
        .first()
        if request.GET.get("vacancy", "").isdigit()
        else None
    )
    if vacancy is not None:
        initial.update(vacancy=vacancy, post=vacancy.post, organization=vacancy.organization)
    return initial


def vacancy_list(request):
    if not request.user.has_perm("leaders.view_candidates"):
        raise PermissionDenied
    context = {
        "board": selectors.vacancy_board(request.user),
        "can_open": editable_organizations(request.user).exists(),
    }
    return render(request, "leaders/vacancy_list.html", context)


def vacancy_create(request):
    organizations = editable_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied
    form = VacancyForm(
        request.POST or None,
        organizations=organizations,
        initial={"opened_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = services.vacancy_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The vacancy “%(vacancy)s” has been opened.") % {"vacancy": vacancy},
            )
            return redirect("leaders:vacancy_list")
    return render(request, "leaders/vacancy_form.html", {"form": form})


def _outcome_groups(request):
    if not request.user.has_perm("leaders.view_outcomes"):
        raise PermissionDenied
    form = LeadersFilterForm(request.GET, user=request.user)
    filters = form.filters()
    groups = selectors.outcomes_by_intake(request.user, **filters) if filters is not None else []
    return form, groups


def funnel_labels() -> list[str]:
    return [
        _("Applicants"),
        _("Admitted"),
        _("Completed the training"),
        _("Entered the reserve"),
        _("Appointed"),
    ]


def outcomes(request):
    form, groups = _outcome_groups(request)
    chart = {
        "labels": funnel_labels(),
        "datasets": [{"label": str(g.intake), "data": g.total.funnel} for g in groups],
    }
    context = {"form": form, "groups": groups, "chart": chart, "query": request.GET.urlencode()}
    return render(request, "leaders/outcomes.html", context)


def outcomes_export(request):
    """The outcomes table as XLSX, in the user's language: bold frozen header, each
    intake's districts followed by its bold totals row."""
    _form, groups = _outcome_groups(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=capfirst(_("outcomes"))[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [
        _("Intake"),
        _("District"),
        *funnel_labels(),
        _("Appointment rate"),
        _("Median days to appointment"),
    ]
    sheet.append([_cell(sheet, h, font=bold) for h in header])
    for group in groups:
        for row in group.districts:
            sheet.append(_export_row(sheet, row, label=str(row.district)))
        sheet.append(_export_row(sheet, group.total, label=_("Total"), font=bold))
    response = HttpResponse(content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="leaders-outcomes.xlsx"
    )
    workbook.save(response)
    return response


def _export_row(sheet, row: selectors.OutcomeRow, *, label: str, font=None) -> list:
    rate = _cell(sheet, row.appointment_rate, font=font)
    rate.number_format = "0.0%"
    values = [str(row.intake), label, *row.funnel]
    return [
        *(_cell(sheet, v, font=font) for v in values),
        rate,
        _cell(sheet, row.median_days, font=font),
    ]


def _cell(sheet, value, *, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    return cell
