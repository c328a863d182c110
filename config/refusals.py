"""A refused request (403), announced once for the API and the pages.

``config`` does not know who keeps the record: the audit trail connects a receiver to
``request_refused`` (``audit.refusals``). Receivers run after the refused action's
transaction has rolled back; a failing receiver is logged and never changes the response.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with: request (an HttpRequest or a DRF Request), code, detail, target ((object type, object id) or None), view.
request_refused = Signal()


def refuse(request: Any, *, code: str, detail: str, target: tuple[str, str] | None, view: str) -> None:
    """Announce that ``request`` was refused; the refusal itself must still reach the client."""
    for receiver, result in request_refused.send_robust(
        sender=None, request=request, code=code, detail=detail, target=target, view=view
    ):
        if isinstance(result, Exception):
            logger.error("a request_refused receiver failed: %r", receiver, exc_info=result)
