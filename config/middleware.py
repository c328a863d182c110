"""Request middleware: the audit trail's request context, and the refusal of hostile characters."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config import text_input
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


class HostileInputMiddleware:
    """400 for a path, query or posted form field carrying NUL, control or bidi-override characters.

    The API checks JSON bodies in its serializers (``config.api.serializers.StrictSerializer``); this
    covers what reaches no serializer: path segments and query parameters everywhere, and the form
    posts of the web pages (which read ``request.POST`` directly). The answer names the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        if text_input.bad_character(request.path_info) is not None:
            errors["path"] = [text_input.message()]
        errors.update(text_input.find_invalid(request.GET))
        if not errors and request.method == "POST" and not _is_api(request) and _is_form(request):
            errors.update(text_input.find_invalid(request.POST))
        if errors:
            return _refuse_input(request, errors)
        return self.get_response(request)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _is_form(request: HttpRequest) -> bool:
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_input(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    detail = text_input.message()
    if _is_api(request) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"code": text_input.CODE, "detail": detail, "errors": errors}, status=400)
    fields = "、".join(sorted(errors))
    return render(request, "400.html", {"detail": detail, "fields": fields}, status=400)
