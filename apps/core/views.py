"""Pages that belong to no domain: the home page, the language switch, the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from apps.accounts.scopes import role_assignments
from apps.accounts.services import user_set_language


def home(request):
    user = request.user
    if not user.has_perm("teachers.view_teacher_list") and user.has_perm(
        "teachers.view_own_record"
    ):
        return redirect("teachers:me")
    return render(request, "core/home.html", {"assignments": role_assignments(request.user)})


@login_not_required
@require_POST
def set_language(request):
    """Django's language switch (cookie), also remembered on the account when signed in."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


@login_not_required
@never_cache
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
