"""Serializer helpers shared by every app's API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config import text_input
from config.db import MAX_ID
from config.errors import InvalidInput


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses fields it does not know (a typo must not pass silently).

    Every string it is given, however deep (the JSON form data of a nomination, a campaign's
    forms), is checked by ``config.text_input`` first: NUL, control characters, lone surrogates or
    bidirectional overrides are a 400 ``invalid_characters`` naming the field, never a 500.
    """

    def to_internal_value(self, data: Any) -> Any:
        if self.parent is None:
            errors = text_input.find_invalid(data)
            if errors:
                raise InvalidInput(text_input.message(), errors=errors, code=text_input.CODE)
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [str(_("未知字段"))] for name in unknown})
        return super().to_internal_value(data)


def IdField(**kwargs: Any) -> serializers.IntegerField:  # noqa: N802 - reads like a field class
    """An object id: a positive integer that fits PostgreSQL's bigint."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class RealNameField(serializers.CharField):
    """A person's or unit's real name: it must show something (not only spaces or zero-width characters)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(text_input.validate_real_name)
