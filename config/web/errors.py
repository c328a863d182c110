"""Business errors on the pages: shown in Chinese on the next page, 404 for what the user may not see."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest

from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
from config.refusals import refuse

T = TypeVar("T")


def or_404(read: Callable[[], T]) -> T:
    """``read()``, with ``NotVisible`` answered as a page answers it: 404."""
    try:
        return read()
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


def report(request: HttpRequest, exc: SealflowError) -> None:
    """Show an action's refusal on the next page, in Chinese; 404 for what the user may not see.

    A refusal (403) is announced as the API does (config/api/errors.py), and the audit trail
    records it in its own transaction: the refused action's transaction has already rolled back.
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
    """Announce a page's refusal (for pages that answer it themselves instead of through ``report``)."""
    refuse(request, code=exc.code, detail=exc.detail, target=exc.target, view="web")
