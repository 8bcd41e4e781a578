"""Pagination that stays fast on deep pages: page through primary keys, then load the rows.

OFFSET over the narrow (sort key, id) index costs little even at page 1000; the wide rows
and their joins are fetched only for the page shown.
"""

from collections.abc import Callable, Iterable

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, QuerySet, Window


def paginate_by_ids(
    queryset: QuerySet,
    *,
    page_number,
    per_page: int,
    load: Callable[[list], Iterable],
    count_with_page: bool = False,
) -> Page:
    """A page of `load(ids)`. With `count_with_page`, one query brings the page's ids and
    the total (a window count): cheaper for a selective filter such as a name search,
    dearer over the whole table, where counting alone is faster than counting in order."""
    ids_query = queryset.values_list("pk", flat=True)
    paginator = Paginator(ids_query, per_page)
    if count_with_page:
        page = _page_with_count(paginator, queryset, page_number, per_page)
    else:
        page = paginator.get_page(page_number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in load(ids)} if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _page_with_count(paginator: Paginator, queryset, page_number, per_page: int) -> Page:
    try:
        number = max(int(page_number), 1)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    counted = queryset.annotate(_total=Window(Count("pk"))).values_list("pk", "_total")
    rows = list(counted[offset : offset + per_page])
    if rows:
        paginator.__dict__["count"] = rows[0][1]  # Paginator.count is a cached_property
        return Page([pk for pk, _total in rows], number, paginator)
    try:  # past the end (or nothing matched): the last page, as get_page() would give
        return paginator.page(paginator.num_pages)
    except InvalidPage:
        return paginator.page(1)
