"""The monthly summary subscriptions (placeholder)."""

from django.http import Http404


def subscription_list(request):
    raise Http404


def subscription_delete(request, pk):
    raise Http404
