"""Serializer helpers shared by every app's API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.db import MAX_ID


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses fields it does not know (a typo must not pass silently)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [str(_("未知字段"))] for name in unknown})
        return super().to_internal_value(data)


def IdField(**kwargs: Any) -> serializers.IntegerField:  # noqa: N802 - reads like a field class
    """An object id: a positive integer that fits PostgreSQL's bigint."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
