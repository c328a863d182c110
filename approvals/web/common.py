"""What every web view of the approvals package shares: the user, and business errors shown in Chinese."""

from __future__ import annotations

import logging
from typing import TypeVar

from django.contrib import messages
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError

logger = logging.getLogger(__name__)

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


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def report(request: HttpRequest, exc: SealflowError) -> None:
    """Show an action's refusal on the next page, in Chinese; 404 for what the user may not see.

    A refusal (403) is written to the audit trail in its own transaction, as the API does
    (config/api/errors.py): the refused action's transaction has already rolled back.
    """
    if isinstance(exc, NotVisible):
        raise Http404(exc.detail)
    if isinstance(exc, NotPermitted):
        audit_refusal(request, exc)
    text = exc.detail
    if isinstance(exc, InvalidInput) and exc.errors:
        details = [m for key, msgs in exc.errors.items() for m in msgs if m != exc.detail]
        if details:
            text = f"{exc.detail}：{'；'.join(details)}"
    messages.error(request, text)


def audit_refusal(request: HttpRequest, exc: SealflowError) -> None:
    from audit.trail import record_refusal

    actor = request.user if isinstance(request.user, User) else None
    try:
        record_refusal(
            actor=actor,
            code=exc.code,
            detail=exc.detail,
            target=exc.target,
            method=request.method or "",
            path=request.path,
            view="web",
        )
    except Exception:  # the refusal itself must still reach the user
        logger.exception("could not audit a refusal")
