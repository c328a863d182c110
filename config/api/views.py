"""What every API view shares: query parameters, ids resolved through the caller's scope, keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from config.db import MAX_ID
from config.errors import InvalidInput, NotVisible

if TYPE_CHECKING:
    from django.contrib.auth.models import _User  # django-stubs resolves it to settings.AUTH_USER_MODEL


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """``data`` checked by ``serializer_class``: its validated data, or 400 with per-field errors."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def resolve_ref(getter: Callable[[Any, int], Any], user: _User, field: str, pk: int | None) -> Any:
    """Resolve an id sent in the body through the caller's scope; unknown or hidden → 404 naming the field."""
    if pk is None:
        return None
    try:
        return getter(user, pk)
    except NotVisible:
        raise NotVisible(_("“{field}”所指的对象不存在或不在您的权限范围内").format(field=field)) from None


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise InvalidInput.for_field(name, _("必须是正整数"), code="invalid_parameter")
    return int(raw)


class PaginatedListMixin:
    """``{"results", "next", "previous"}`` through the keyset paginator of the settings."""

    def paginated(self, request: Request, queryset: QuerySet[Any], serializer: Any, **context: Any) -> Response:
        from config.api.pagination import KeysetPagination

        paginator = KeysetPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)  # type: ignore[arg-type]
        data = serializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)
