"""Abstract base models shared by all apps."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def localized(obj, field: str) -> str:
    """The value of `<field>_<active language>`, falling back to Kazakh, then Russian.

    English UI shows the English value where a model has one, else the Kazakh or Russian.
    """
    lang = (get_language() or "kk")[:2]
    order = [lang, "kk", "ru"] if lang != "en" else ["en", "ru", "kk"]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


class BilingualNameModel(models.Model):
    """A reference row named in Kazakh and Russian (and optionally English)."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
