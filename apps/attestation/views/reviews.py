"""Placeholder: to be written."""

from django.http import Http404


def review_queue(request, **kwargs):
    raise Http404


def review_sheet(request, **kwargs):
    raise Http404


def review_return(request, **kwargs):
    raise Http404


def review_summary(request, **kwargs):
    raise Http404
