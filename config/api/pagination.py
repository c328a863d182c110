"""Keyset (cursor) pagination: pages cost the same at any depth (no OFFSET)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from config.errors import InvalidInput


class KeysetPagination(CursorPagination):
    """``{"results", "next", "previous"}``, ordered by ``id``; ``?limit=`` up to 200."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    invalid_cursor_message = _("分页游标无效")  # type: ignore[assignment]

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: APIView | None = None) -> Any:
        limit = request.query_params.get(self.page_size_query_param)
        if limit is not None and (not limit.isdigit() or int(limit) < 1):
            raise InvalidInput.for_field("limit", _("每页条数必须是 1 到 200 之间的整数"), code="invalid_limit")
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise InvalidInput.for_field("cursor", self.invalid_cursor_message, code="invalid_cursor") from None
