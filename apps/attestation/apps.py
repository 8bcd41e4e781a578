"""Attestation: cycles and their rules, applications, eligibility, test results,
portfolios, lesson observations, acceptance (and, later, review and decisions)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "apps.attestation"
    verbose_name = _("Attestation")

    def ready(self):
        from apps.teachers import panels

        from .panels import teacher_attestation_panel

        panels.register(teacher_attestation_panel)
