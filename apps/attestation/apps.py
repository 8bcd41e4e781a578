"""Attestation: cycles and their rules, applications, eligibility, test results,
portfolios, lesson observations, acceptance, review, decisions, orders and category
certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "apps.attestation"
    verbose_name = _("Attestation")

    def ready(self):
        from apps.certificates import verification
        from apps.teachers import panels

        from .panels import teacher_attestation_panel
        from .selectors.orders import category_certificate_by_code

        panels.register(teacher_attestation_panel)
        # The public verification page finds category certificates too (certificates
        # cannot import attestation, so attestation registers its look-up there).
        verification.register(category_certificate_by_code)
