"""JSON parsing that a client cannot turn into a 500: nesting depth is capped before parsing.

``json.loads`` recurses once per nesting level; a body nested a thousand deep raises RecursionError
(a 500). The bytes are scanned first, strings skipped, and anything deeper than ``MAX_JSON_DEPTH``
is refused with 400 ``json_too_deep``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any, Final

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH: Final = 64

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class JSONTooDeep(ParseError):
    default_detail = _("JSON 嵌套层数过多（最多 64 层）")
    default_code = "json_too_deep"


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the brackets outside strings in ``raw`` nest deeper than ``limit``."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b"", raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth = max(depth - 1, 0)
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser after a depth check of the raw bytes (DEFAULT_PARSER_CLASSES)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        if json_depth_exceeds(raw):
            raise JSONTooDeep()
        return super().parse(io.BytesIO(raw), media_type, parser_context)
