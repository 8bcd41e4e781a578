"""Pagination that stays fast on deep pages: page through primary keys, then load the rows.

OFFSET over the narrow (sort key, id) index costs little even at page 1000; the wide rows
and their joins are fetched only for the page shown.
"""

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate_by_ids(
    queryset: QuerySet, *, page_number, per_page: int, load: Callable[[list], Iterable]
) -> Page:
    paginator = Paginator(queryset.values_list("pk", flat=True), per_page)
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in load(ids)} if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
