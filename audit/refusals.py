"""Refused requests go to the audit trail: the receiver of ``config.refusals.request_refused``.

Connected in ``AuditConfig.ready()``: config sends the signal and knows nothing of the trail.
"""

from __future__ import annotations

from typing import Any

from audit.trail import record_refusal


def audit_refusal(
    sender: Any, *, request: Any, code: str, detail: str, target: tuple[str, str] | None, view: str, **kwargs: Any
) -> None:
    """Record the refusal in its own transaction (``record_refusal``). A failure here is logged by
    ``config.refusals.refuse`` (``send_robust``) and never reaches the client."""
    user = getattr(request, "user", None)
    record_refusal(
        actor=user if getattr(user, "is_authenticated", False) else None,
        code=code,
        detail=detail,
        target=target,
        method=request.method or "",
        path=request.path,
        view=view,
    )
