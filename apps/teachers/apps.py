"""Teachers: the registry of teachers, IIN, history, import and export."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachersConfig(AppConfig):
    name = "apps.teachers"
    verbose_name = _("Teachers")

    def ready(self):
        from . import signals  # noqa: F401
