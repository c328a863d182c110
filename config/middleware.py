"""Request context for the audit trail: a request id and the client address per request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.request_context import RequestContext, use_request_context


class RequestContextMiddleware:
    """Give every request an id (or take the caller's ``X-Request-ID``) and remember its address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _looks_like_request_id(incoming) else uuid.uuid4().hex
        ip = request.META.get("REMOTE_ADDR") or None
        with use_request_context(RequestContext(request_id=request_id, ip_address=ip)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _looks_like_request_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)
