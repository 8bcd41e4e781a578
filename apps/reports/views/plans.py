"""The districts' PD plans (placeholder)."""

from django.http import Http404


def plan_list(request):
    raise Http404
