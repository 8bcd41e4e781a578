"""Placeholder: to be written."""

from django.http import Http404


def order_list(request, **kwargs):
    raise Http404


def order_create(request, **kwargs):
    raise Http404


def order_detail(request, **kwargs):
    raise Http404


def ministry_decision_record(request, **kwargs):
    raise Http404


def category_certificate_detail(request, **kwargs):
    raise Http404


def category_certificate_pdf(request, **kwargs):
    raise Http404


def category_certificate_revoke(request, **kwargs):
    raise Http404
