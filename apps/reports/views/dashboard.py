"""The HR dashboard (placeholder until the page is built)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from ..forms import ReportFiltersForm
from ..selectors import dashboard as dashboard_figures


def dashboard(request):
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    form = ReportFiltersForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse(status=400)
    figures = dashboard_figures(request.user, form.filters())
    return HttpResponse(str(figures.teachers))
