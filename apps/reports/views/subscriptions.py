"""The monthly summary by e-mail: the user's subscriptions, subscribing from the dashboard's
panel, and unsubscribing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..selectors.subscriptions import subscriptions_described


@require_http_methods(["GET", "POST"])
def subscription_list(request):
    """GET: the user's own subscriptions (whoever they are: one who lost the role can still
    unsubscribe). POST: subscribe to the dashboard's filters, then back to the dashboard,
    its filters kept (with why, when the subscription was refused)."""
    if request.method == "GET":
        context = {"subscriptions": subscriptions_described(request.user)}
        return render(request, "reports/subscriptions.html", context)
    query = request.POST.get("query", "")
    try:
        services.subscription_create(
            user=request.user,
            query=query,
            language=request.POST.get("language", ""),
            file_format=request.POST.get("file_format", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("This summary will be e-mailed to %(email)s early each month.")
            % {"email": request.user.email},
        )
    query = QueryDict(query).urlencode()
    return redirect(reverse("reports:dashboard") + (f"?{query}" if query else ""))


@require_POST
def subscription_delete(request, pk):
    subscription = get_object_or_404(request.user.report_subscriptions, pk=pk)
    services.subscription_delete(subscription=subscription, actor=request.user)
    messages.success(request, _("You will no longer receive this summary."))
    return redirect("reports:subscriptions")
