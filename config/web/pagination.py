"""Keyset pages for the web views: a page costs the same at any depth (no OFFSET)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

PAGE = 50
M = TypeVar("M", bound=Model)


def keyset_page(
    request: HttpRequest,
    rows: QuerySet[M],
    *,
    field: str | None = None,
    descending: bool = False,
    scope: QuerySet[M] | None = None,
    size: int = PAGE,
) -> tuple[list[M], str]:
    """One page of ``rows`` after the row whose id the ``after`` parameter carries, and the query
    string of the next page ("" on the last one), other parameters (the filters) kept.

    ``rows`` must be ordered by ``field`` then ``id`` (or by ``id`` alone when ``field`` is None),
    both ascending or both ``descending``. With a ``field``, the cursor row's value is looked up in
    ``scope`` (default ``rows``): the rows the user may see, even if the filter no longer matches it.
    """
    after = request.GET.get("after", "")
    if after.isdigit():
        pk = int(after)
        beyond = "lt" if descending else "gt"
        if field is None:
            rows = rows.filter(**{f"id__{beyond}": pk})
        else:
            value = (rows if scope is None else scope).filter(pk=pk).values_list(field, flat=True).first()
            if value is not None:
                rows = rows.filter(Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"id__{beyond}": pk}))
    page = list(rows[: size + 1])
    has_next = len(page) > size
    page = page[:size]
    if not has_next:
        return page, ""
    query = request.GET.copy()
    query["after"] = str(page[-1].pk)
    return page, query.urlencode()
