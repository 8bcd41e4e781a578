"""The report's exports (placeholder)."""

from django.http import Http404


def export_create(request, fmt):
    raise Http404


def export_detail(request, pk):
    raise Http404


def export_download(request, pk):
    raise Http404
