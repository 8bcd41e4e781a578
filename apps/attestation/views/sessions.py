"""Placeholder: to be written."""

from django.http import Http404


def session_create(request, **kwargs):
    raise Http404


def session_detail(request, **kwargs):
    raise Http404


def session_agenda(request, **kwargs):
    raise Http404


def session_attendance(request, **kwargs):
    raise Http404


def session_votes(request, **kwargs):
    raise Http404


def session_close(request, **kwargs):
    raise Http404


def session_cancel(request, **kwargs):
    raise Http404


def session_protocol(request, **kwargs):
    raise Http404


def session_extract(request, **kwargs):
    raise Http404


def document_job_detail(request, **kwargs):
    raise Http404


def document_job_download(request, **kwargs):
    raise Http404
