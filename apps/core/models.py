"""Abstract base models shared by all apps."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def language_order() -> tuple[str, ...]:
    """Which `_kk`/`_ru`/`_en` value to show first: the active language, then Kazakh, then
    Russian (English UI falls back to Russian first)."""
    lang = (get_language() or "kk")[:2]
    return (lang, "kk", "ru") if lang != "en" else ("en", "ru", "kk")


def localized(obj, field: str) -> str:
    """The value of `<field>_<active language>` of a model instance, with the fallbacks."""
    for code in language_order():
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


def localized_value(values: dict, field: str) -> str:
    """The same for a row from `.values()`: `values[f"{field}_{code}"]`."""
    for code in language_order():
        value = values.get(f"{field}_{code}")
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


class JobProgress(models.Model):
    """Progress of long work done by the worker, kept on the row that the page polls."""

    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
