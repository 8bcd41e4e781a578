"""The "1000 leaders of change in education" programme: intakes, competitive selection,
training, the personnel reserve and appointments."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    name = "apps.leaders"
    verbose_name = _("1000 leaders")
