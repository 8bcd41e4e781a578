"""Placeholder: to be written."""

from django.http import Http404


def appeal_lodge(request, **kwargs):
    raise Http404


def appeal_list(request, **kwargs):
    raise Http404


def appeal_detail(request, **kwargs):
    raise Http404


def appeal_decide(request, **kwargs):
    raise Http404
