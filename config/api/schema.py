"""The OpenAPI schema tells the truth about failures: every operation lists the error statuses it can give.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS) adds the shared error body of
``config.api.errors`` (``{"code", "detail", "errors"?}``) for each status the exception handler and
the middleware can answer with, unless a view documents that status itself:

- 400 everywhere: invalid query parameters and bodies, and NUL or control characters in a path or
  query (``config.middleware.HostileInputMiddleware``);
- 401 and 403 where the operation takes credentials; 404 where it names an object (path or body);
- 409 state conflicts, 413/415 bodies too large or not JSON, 422 idempotency-key reuse and 429 rate
  limits for the methods that change something.

``tests/api/test_schemathesis.py`` holds the schema to this with Schemathesis' checks.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from config.api.pagination import KeysetPagination


class AutoSchema(SpectacularAutoSchema):
    """Every list the API answers is a keyset page ``{"results", "next", "previous"}`` (api.md).

    The views are plain ``APIView``s that page through ``config.api.views.PaginatedListMixin``, so
    drf-spectacular sees no ``pagination_class``; a response declared ``many=True`` is documented
    as the page (and its ``cursor``/``limit`` parameters) here instead.
    """

    def _get_paginator(self) -> KeysetPagination | None:
        return KeysetPagination() if self.method == "GET" else None


class KnoxTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <token>`` (knox, named by path: config may not import accounts)."""

    target_class = "accounts.api.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token from POST /api/v1/auth/token, sent with the prefix "Token "',
        }


class WebSessionScheme(SessionScheme):
    """The web session cookie (with CSRF for unsafe methods)."""

    target_class = "accounts.api.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 1


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Error body: a stable code, a Chinese message, per-field messages for 400.",
    "properties": {
        "code": {"type": "string", "description": "Stable, for clients and tests to match on."},
        "detail": {"type": "string", "description": "Message in Chinese."},
        "errors": {
            "type": "object",
            "description": "Field path → messages (400); an import's row reports under ``rows``.",
            "additionalProperties": True,
        },
    },
    "required": ["code", "detail"],
}

_DESCRIPTIONS = {
    "400": "Invalid input (``errors`` names the fields)",
    "401": "Not signed in, or the token is invalid or expired",
    "403": "Signed in but not allowed",
    "404": "Missing, or outside the caller's scope",
    "409": "The object's state does not allow this",
    "413": "Request body too large",
    "415": "Body not JSON (or multipart where an upload is expected)",
    "422": "Idempotency-Key reused with another body",
    "429": "Too many attempts",
}

_UNSAFE = {"post", "put", "patch", "delete"}
_METHODS = _UNSAFE | {"get", "head", "options"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["400"]
    authenticated = any(requirement for requirement in operation.get("security", [{}]))
    if authenticated:
        statuses += ["401", "403"]
    if "{" in path or "requestBody" in operation:
        statuses.append("404")
    if method in _UNSAFE:
        statuses += ["409", "429"]
    if "requestBody" in operation:
        statuses += ["413", "415", "422"]
    return statuses


def error_responses_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the ``Error`` component and, per operation, the error statuses it does not document itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(
                    status,
                    {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": reference}}},
                )
    return result
