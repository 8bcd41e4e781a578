"""HR reports: the region's figures on teachers, PD, attestation and the leaders programme,
by region, district and organisation, each linked to the teacher list behind it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "apps.reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import teacher_filters

        teacher_filters.register()
