"""Certificates: issue, PDF, public verification, revocation and re-issue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "apps.certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from apps.courses import hooks

        from .services import certificates_issue_for_enrolments

        hooks.on_enrolments_completed(certificates_issue_for_enrolments)
