"""URL map of Ustaz PD."""

from django.contrib import admin
from django.urls import include, path

from apps.certificates import views as certificate_views
from apps.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("teachers/", include("apps.teachers.urls")),
    path("courses/", include("apps.courses.urls")),
    path("certificates/", include("apps.certificates.urls")),
    path("attestation/", include("apps.attestation.urls")),
    path("leaders/", include("apps.leaders.urls")),
    path("reports/", include("apps.reports.urls")),
    path("verify/", certificate_views.verify, name="verify"),
    path("admin/", admin.site.urls),
]
