"""One handler turns every error a client can cause into ``{"code", "detail"}`` JSON, never a 500.

403 refusals are announced through ``config.refusals.refuse`` (the audit trail records them in
their own transaction, after the refused action's transaction has rolled back: style.md §3).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from config.api.parsers import MAX_JSON_DEPTH, JSONTooDeep
from config.errors import InvalidInput, NotPermitted, SealflowError, ServiceUnavailable, is_outage
from config.refusals import refuse


def _body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "detail": detail, **extra}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, SealflowError):
        if isinstance(exc, NotPermitted) and request is not None:
            _refuse(request, exc.code, exc.detail, exc.target, context)
        body = _body(exc.code, exc.detail)
        if isinstance(exc, InvalidInput) and exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return Response(_body("payload_too_large", _("请求内容过大")), status=413)
    if isinstance(exc, drf.ValidationError):
        return Response(_body("invalid", _("输入有误，请检查后重试"), errors=_field_errors(exc.detail)), status=400)
    if isinstance(exc, JSONTooDeep):
        return Response(
            _body("json_too_deep", _("JSON 嵌套层数过多（最多 {n} 层）").format(n=MAX_JSON_DEPTH)), status=400
        )
    if isinstance(exc, drf.ParseError):
        return Response(_body("malformed_request", _("请求内容无法解析，请发送合法的 JSON")), status=400)
    if isinstance(exc, drf.UnsupportedMediaType):
        return Response(_body("unsupported_media_type", _("不支持的内容类型，请使用 application/json")), status=415)
    if isinstance(exc, drf.AuthenticationFailed):
        return Response(_body("invalid_token", _("登录凭证无效或已过期，请重新登录")), status=401)
    if isinstance(exc, drf.NotAuthenticated):
        return Response(_body("not_authenticated", _("请先登录")), status=401)
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        if request is not None:
            _refuse(request, "permission_denied", str(exc), None, context)
        return Response(_body("permission_denied", _("您没有执行此操作的权限")), status=403)
    if isinstance(exc, drf.NotFound | Http404):
        return Response(_body("not_found", _("对象不存在或不在您的权限范围内")), status=404)
    if isinstance(exc, drf.MethodNotAllowed):
        return Response(_body("method_not_allowed", _("不支持该请求方法")), status=405)
    if isinstance(exc, drf.NotAcceptable):
        return Response(_body("not_acceptable", _("无法提供所请求的格式")), status=406)
    if isinstance(exc, drf.Throttled):
        return Response(_body("rate_limited", _("尝试次数过多，请稍后再试")), status=429)
    if isinstance(exc, SuspiciousOperation):
        return Response(_body("bad_request", _("请求无效")), status=400)
    if isinstance(exc, drf.APIException):
        return Response(_body(str(exc.default_code), str(exc.detail)), status=exc.status_code)
    return None


def _field_errors(detail: Any) -> Any:
    """DRF's nested error detail as plain strings (lists stay lists, dicts stay dicts)."""
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_field_errors(value) for value in detail]
    return str(detail)


def _refuse(request: Any, code: str, detail: str, target: tuple[str, str] | None, context: dict[str, Any]) -> None:
    view = context.get("view")
    refuse(request, code=code, detail=detail, target=target, view=type(view).__name__ if view is not None else "")


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for URLs that match no route: JSON under /api/, so clients always get a ``code``."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("not_found", _("对象不存在或不在您的权限范围内")), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())  # type: ignore[return-value]


def json_400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(_body("bad_request", _("请求无效")), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception or SuspiciousOperation())  # type: ignore[return-value]


def json_500(request: HttpRequest) -> HttpResponse:
    """The answer to an uncaught exception: 503 when PostgreSQL or Redis is down, else 500.

    Django calls this inside its ``except`` block, so ``sys.exc_info()`` is the exception. An
    outage is not a bug and passes by itself: 503 with ``Retry-After``, ``{"code":
    "service_unavailable"}`` under /api/, a Chinese page elsewhere, rendered without the request
    (no context processor, no session: the database may be what is missing).
    """
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(_body("server_error", _("服务器内部错误，请稍后重试")), status=500)
    from django.views.defaults import server_error

    return server_error(request)


RETRY_AFTER_SECONDS = 30


def service_unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(_body(ServiceUnavailable.code, str(ServiceUnavailable.message)), status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
