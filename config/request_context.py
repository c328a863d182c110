"""Who is asking, from where: read by the audit trail without passing the request around."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("sealflow_request_context", default=None)


def current_request_context() -> RequestContext:
    """The current request's context; outside a request (commands, tasks) an empty one."""
    return _current.get() or _EMPTY


@contextlib.contextmanager
def use_request_context(context: RequestContext) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)
