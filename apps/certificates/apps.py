"""Certificates: issue, PDF, public verification, revocation and re-issue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "apps.certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from apps.courses import hooks
        from apps.teachers import panels as teacher_panels

        from .panels import run_certificates_panel, teacher_certificates_panel
        from .services import certificates_issue_for_enrolments

        hooks.on_enrolments_completed(certificates_issue_for_enrolments)
        hooks.register_run_panel(run_certificates_panel)
        teacher_panels.register(teacher_certificates_panel)
