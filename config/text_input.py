"""The one check for text a client sends: API serializers, web posts, the form engine and imports.

Refused everywhere: NUL and every other C0/C1 control character (``\\t \\n \\r`` excepted in
multi-line text), lone surrogates (PostgreSQL cannot store them; JSON's ``"\\ud800"`` makes one)
and the bidirectional overrides and isolates U+202A-202E, U+2066-2069, which let a text read
differently from what it stores (a name or title that looks like another). A real name must also
show something: a zero-width space or whitespace alone is not a name.

``find_invalid`` walks parsed input (dicts, lists, strings; keys too) and answers ``{path: [message]}``,
the shape of a 400's ``errors``, so the client learns which field to fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE: Final = "invalid_characters"
NAME_CODE: Final = "invalid_name"

MULTI_LINE_CONTROLS: Final = frozenset("\t\n\r")
BIDI_CONTROLS: Final = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# Characters that render as nothing though Unicode does not class them as format or space characters.
_BLANK_LETTERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def bad_character(value: str, *, multiline: bool = True) -> str | None:
    """The first refused character in ``value``, or None when the text is acceptable."""
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            if multiline and char in MULTI_LINE_CONTROLS:
                continue
            return char
        if 0xD800 <= code <= 0xDFFF or char in BIDI_CONTROLS:
            return char
    return None


def message() -> str:
    return _("包含不允许的字符（零字节、控制字符或文字方向控制符），请删除后重试")


def name_message() -> str:
    return _("请填写真实姓名或名称，不能只有空白或不可见字符")


def validate_text(value: str, *, multiline: bool = True) -> None:
    """Django validator: ``ValidationError`` (code ``invalid_characters``) for a refused character."""
    if bad_character(value, multiline=multiline) is not None:
        raise ValidationError(message(), code=CODE)


def validate_single_line(value: str) -> None:
    validate_text(value, multiline=False)


def has_visible_text(value: str) -> bool:
    """True when ``value`` shows at least one character (not only spaces, zero-width or other invisibles)."""
    for char in value:
        if char.isspace() or char in _BLANK_LETTERS:
            continue
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}:
            continue
        return True
    return False


def validate_real_name(value: str) -> None:
    """Django validator for a real-name field: refused characters, or nothing visible (an empty value passes)."""
    validate_text(value, multiline=False)
    if value and not has_visible_text(value):
        raise ValidationError(name_message(), code=NAME_CODE)


def find_invalid(data: Any, path: str = "") -> dict[str, list[str]]:
    """``{path: [message]}`` for every string (value or key) in ``data`` with a refused character.

    Paths read like the form engine's: ``title``, ``form.members[1].phone``; a bad key is reported at
    the path of its parent (or ``__all__`` at the top), since the key itself cannot be echoed safely.
    """
    errors: dict[str, list[str]] = {}
    _walk(data, path, errors)
    return errors


def _walk(data: Any, path: str, errors: dict[str, list[str]]) -> None:
    if isinstance(data, str):
        if bad_character(data) is not None:
            errors.setdefault(path or "__all__", []).append(message())
        return
    if isinstance(data, Mapping):
        getlist = getattr(data, "getlist", None)
        for key in data:
            if isinstance(key, str) and bad_character(key) is not None:
                errors.setdefault(path or "__all__", []).append(message())
                continue
            child = f"{path}.{key}" if path else str(key)
            values = getlist(key) if getlist is not None else [data[key]]
            for value in values:
                _walk(value, child, errors)
        return
    if isinstance(data, list | tuple):
        for index, item in enumerate(data):
            _walk(item, f"{path}[{index}]", errors)
