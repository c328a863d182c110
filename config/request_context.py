"""Who is asking, from where: read by the audit trail without passing the request around."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from django.contrib.auth.models import _User  # django-stubs resolves it to settings.AUTH_USER_MODEL
    from django.http import HttpRequest
    from rest_framework.request import Request


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


def request_user(request: HttpRequest | Request) -> _User:
    """The signed-in user of a page or API request (views that reach here require a login)."""
    user = request.user
    assert isinstance(user, get_user_model())
    return user
