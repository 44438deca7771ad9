"""Lists of regions are shown a page at a time: a national list has 2,851 counties, and a page that
renders all of them costs a megabyte of HTML and thousands of URL reversals for each request."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def paginate(request, items, per_page: int = PAGE_SIZE, count: int | None = None) -> Page:
    """The requested page (?page=N); a page number out of range or not a number gives the nearest page.
    `count`: the number of items when the caller has it cheaper than items.count()."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not asked of the database again
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters and sort as a query string, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
