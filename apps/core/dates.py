"""Calendar arithmetic shared by the apps."""

import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier, if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
