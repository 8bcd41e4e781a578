"""Calendar arithmetic shared by the apps."""

import datetime as dt

from django.utils.formats import date_format


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier, if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def short_date(day: dt.date) -> str:
    """A date as the active language writes it in messages (e.g. 30.11.2026)."""
    return date_format(day, "SHORT_DATE_FORMAT")
