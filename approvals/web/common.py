"""What every web view of the approvals package shares: the user, and business errors shown in Chinese."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest

from accounts.models import User
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError

logger = logging.getLogger(__name__)


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
    from approvals.audit import record_refusal

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
