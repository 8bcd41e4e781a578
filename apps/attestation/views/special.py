"""Placeholder: to be written."""

from django.http import Http404


def category_measures(request, **kwargs):
    raise Http404


def category_grant(request, **kwargs):
    raise Http404


def category_freeze(request, **kwargs):
    raise Http404


def category_freeze_end(request, **kwargs):
    raise Http404


def category_pre_pension(request, **kwargs):
    raise Http404


def sanction_impose(request, **kwargs):
    raise Http404
