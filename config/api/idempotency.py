"""``Idempotency-Key`` for POSTs that create (api.md, Conventions).

The same key and body again returns the first response and creates nothing; the same key
with another body is 422 ``idempotency_key_reused``; a request racing one still in flight with
the same key is 409 ``idempotency_in_progress``, so concurrent requests create one object.
A request that failed leaves no record, so the client may retry it with the same key.

A key is scoped by the signed-in user, or, for an anonymous caller (the public objection form), by
the client address it came from: two people behind different addresses may use the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _owner(request: Request) -> dict[str, Any]:
    """Whose key it is: the signed-in user, else the client address (``REMOTE_ADDR``)."""
    user = request.user
    if user is not None and user.is_authenticated:
        return {"user": user, "client": ""}
    return {"user": None, "client": str(request.META.get("REMOTE_ADDR") or "")}


def _body_hash(request: Request) -> str:
    """The request's content: JSON as canonical text; an uploaded file by its bytes, not its name."""
    digest = hashlib.sha256()
    files = getattr(request, "FILES", {}) or {}
    fields = (
        {k: v for k, v in request.data.items() if k not in files} if hasattr(request.data, "items") else request.data
    )
    digest.update(json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in sorted(files):
        upload = files[name]
        digest.update(f"\n{name}\n".encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap an APIView ``post`` so that it honours the ``Idempotency-Key`` header."""

    @wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(
                {"code": "invalid_idempotency_key", "detail": _("Idempotency-Key 过长（最多 255 个字符）")}, status=400
            )
        body_hash = _body_hash(request)
        endpoint = request.path
        owner = _owner(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(**owner, key=key, endpoint=endpoint, body_hash=body_hash)
        except IntegrityError:
            first = IdempotencyRecord.objects.get(**owner, key=key)
            if first.endpoint != endpoint or first.body_hash != body_hash:
                return Response(
                    {"code": "idempotency_key_reused", "detail": _("该 Idempotency-Key 已用于另一个请求")}, status=422
                )
            if first.status_code is None:
                return Response(
                    {"code": "idempotency_in_progress", "detail": _("使用该 Idempotency-Key 的请求正在处理中")},
                    status=409,
                )
            replay = Response(first.response, status=first.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if 200 <= response.status_code < 300:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response=json.loads(JSONRenderer().render(response.data))
            )
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapper
