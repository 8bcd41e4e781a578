"""Placeholder: to be written."""

from django.http import Http404


def commission_list(request, **kwargs):
    raise Http404


def commission_create(request, **kwargs):
    raise Http404


def commission_detail(request, **kwargs):
    raise Http404


def commission_update(request, **kwargs):
    raise Http404


def member_add(request, **kwargs):
    raise Http404


def member_remove(request, **kwargs):
    raise Http404


def commission_form(request, **kwargs):
    raise Http404
