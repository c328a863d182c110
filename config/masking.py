"""Personal numbers in text: find them however they are spelled, mask them, and one canonical phone.

The one place that knows what a Chinese mobile number, landline and resident ID number look like
(GB 11643: 18 characters, the last a digit or X; the older 15-digit form), used by every reader
that may not see them whole (the public 公示 page, API and notice PDF, masked form values, account
phones in answers and audit data) and by everything that counts or stores a phone.

Detection runs on a normalised copy of the text: every character whose NFKC form is one digit
(full-width, circled, another script's) becomes its ASCII digit and every one whose NFKC form is a
space, ``-``, ``.``, a bracket, ``+`` or ``X`` becomes that, one character for one; separators are
tolerated between digits (spaces, ``-``, ``.``, dashes). The mask is then applied to the same
positions of the original, so the rest of the text is untouched.

What is masked, keeping a little for recognition:
- mobile ``1[3-9]`` + 9 digits, with an optional ``+86`` / ``0086`` / ``86`` prefix: the first 3
  and the last 4 digits stay (``138****5678``, ``+86 138 **** 5678``);
- landline ``0`` + 2–3 digit area code (in brackets or not, also after ``+86`` without the 0) and
  a 7–8 digit number starting 2–9: the area code and the last 4 digits stay (``021-****4567``);
- ID numbers, 18 characters (birth date ``YYYYMMDD`` at 7–14 plausible) or 15 digits
  (``YYMMDD`` at 7–12 plausible): the first 4 and the last 4 stay (``1101**********002X``).

Deliberately not masked: a year (``2026``), dates (``2026-12-02``), amounts up to 10 digits
(``1380000 元``), service numbers (``95588``, ``400-820-8820``) and a bare 7–8 digit local number
without area code, which cannot be told from an amount. An 11-digit amount beginning 13–19 *is*
masked: it cannot be told from a mobile number and hiding it costs less than showing a phone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MASK: Final = "*"

# Between two digits: an optional space, an optional dash or dot, an optional space.
_SEP: Final = r"[ \t]?[\-.\u2010-\u2015\u2212\u30fc]?[ \t]?"
_CC: Final = rf"(?:(?:\+|00)[ \t]?86|86){_SEP}"


def _digits(count: int) -> str:
    """``count`` digits with separators allowed between them."""
    return r"\d" + rf"(?:{_SEP}\d)" * (count - 1)


# Each pattern captures the kept head as group "head"; of the rest only the last 4 digits stay.
_ID18: Final = re.compile(rf"(?<!\d)(?=(?P<all>(?P<head>{_digits(4)}){_SEP}{_digits(13)}{_SEP}[\dXx])(?![\dXx]))")
_ID15: Final = re.compile(rf"(?<!\d)(?=(?P<all>(?P<head>{_digits(4)}){_SEP}{_digits(11)})(?!\d))")
_MOBILE: Final = re.compile(rf"(?<!\d)(?=(?P<all>(?P<head>(?:{_CC})?1{_SEP}[3-9]{_SEP}\d){_SEP}{_digits(8)})(?!\d))")
_LANDLINE: Final = re.compile(
    rf"(?<!\d)(?=(?P<all>(?P<head>(?:{_CC}\(?0?|\(?0)[1-9]\d{{1,2}}\)?){_SEP}[2-9](?:{_SEP}\d){{6,7}})(?!\d))"
)
_NOT_DIGIT: Final = re.compile(r"[^0-9]")
# Where a number may stand: a run of at least one digit with separators; only runs with 10+ digits are read.
_CLUSTER: Final = re.compile(r"[+(]?[0-9][0-9 \t\-.\u2010-\u2015\u2212\u30fc()]*")
_MOBILE_NUMBER: Final = re.compile(r"^1[3-9]\d{9}\Z")
_LANDLINE_NUMBER: Final = re.compile(r"^0[1-9]\d{8,10}\Z")
_PHONE_SEPARATORS: Final = re.compile(r"[\s\-.()\u2010-\u2015\u2212\u30fc]")
_EXTENSION: Final = re.compile(r"^(?P<main>.*?\d)[ \t]*(?:转|分机|ext\.?|x|#)[ \t]*(?P<ext>\d{1,6})\Z", re.IGNORECASE)
_HYPHEN_EXTENSION: Final = re.compile(r"^(?P<main>\(?0\d{2,3}\)?[ \t]*-?[ \t]*\d{7,8})[ \t]*-[ \t]*(?P<ext>\d{1,6})\Z")


def _build_table() -> dict[int, str]:
    """Every character whose NFKC form is one digit (of any script, read as ASCII) or one separator."""
    wanted = set(" \t-.()+Xx\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc")
    table: dict[int, str] = {}
    for code in range(0x80, 0x20000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or not (
            unicodedata.decomposition(char) or unicodedata.decimal(char, None) is not None or char.isspace()
        ):
            continue  # NFKC leaves it as it is and it is no digit: nothing to map (keeps the import fast)
        normal = unicodedata.normalize("NFKC", char)
        if len(normal) != 1:
            continue
        digit = unicodedata.decimal(normal, None)
        if digit is not None:
            table[code] = str(digit)
        elif normal in wanted or normal.isspace():
            table[code] = " " if normal.isspace() else normal
    return table


# One character for one: the copy has the original's length, so a position in it is one in the original.
_TABLE: Final = _build_table()


def _normalise(text: str) -> str:
    return text.translate(_TABLE)


def normalise_text(text: str) -> str:
    """NFKC with every Unicode decimal digit as its ASCII digit (how phones are read)."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE)


def _valid_birth(digits: str, *, century: bool) -> bool:
    if century:
        year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
        if not 1850 <= year <= 2100:
            return False
    else:
        month, day = int(digits[8:10]), int(digits[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def _id_ok(span: str, length: int) -> bool:
    digits = re.sub(r"[^\dXx]", "", span)
    return len(digits) == length and _valid_birth(digits, century=length == 18)


def _spans(normal: str) -> list[tuple[int, int, int]]:
    """Non-overlapping ``(start, end, head_end)`` of the personal numbers in ``normal``, IDs first."""
    taken: list[tuple[int, int, int]] = []
    used = bytearray(len(normal))
    checks = (
        (_ID18, lambda s: _id_ok(s, 18)),
        (_ID15, lambda s: _id_ok(s, 15)),
        (_MOBILE, lambda s: True),
        (_LANDLINE, lambda s: True),
    )
    clusters = [m.span() for m in _CLUSTER.finditer(normal) if len(_NOT_DIGIT.sub("", m.group())) >= 10]
    for pattern, ok in checks:
        for first, last in clusters:
            # pos keeps what stands before visible to the look-behind; endpos lets the look-ahead see one more.
            for match in pattern.finditer(normal, first, min(len(normal), last + 2)):
                start, end = match.span("all")
                if any(used[start:end]) or not ok(match["all"]):
                    continue
                used[start:end] = b"\x01" * (end - start)
                taken.append((start, end, match.end("head")))
    return taken


def _apply(text: str, normal: str, spans: list[tuple[int, int, int]]) -> str:
    chars = list(text)
    for _start, end, head_end in spans:
        digits = [i for i in range(head_end, end) if normal[i] in "0123456789Xx"]
        for i in digits[:-4]:
            chars[i] = MASK
    return "".join(chars)


def mask_text(text: str) -> str:
    """``text`` with every mobile, landline and ID number in it masked, however spelled (see the module)."""
    if not text:
        return text
    normal = _normalise(text)
    spans = _spans(normal)
    return _apply(text, normal, spans) if spans else text


def _keep_ends(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return MASK * len(text)
    return text[:head] + MASK * (len(text) - head - tail) + text[len(text) - tail :]


def mask_phone(phone: str) -> str:
    """A phone value: ``138****5678``, ``0755-****9971``; anything unrecognised keeps only its first 3 and last 4."""
    text = (phone or "").strip()
    masked = mask_text(text)
    if masked != text:
        return masked
    return _keep_ends(text, 3, 4) if len(text) > 7 else MASK * len(text)


def mask_id_number(value: str) -> str:
    """An ID number value: the first 4 and the last 4 characters stay (``1101**********002X``)."""
    text = (value or "").strip()
    masked = mask_text(text)
    if masked != text:
        return masked
    return _keep_ends(text, 4, 4)


def normalize_phone(phone: str) -> str:
    """The one spelling of a phone number, stored and counted: the same number spelled five ways is one.

    NFKC (full-width digits), separators (spaces, dashes, dots, brackets) removed, a ``+86`` / ``0086``
    / ``86`` prefix dropped: a mobile becomes its 11 digits (``13812345678``), a landline ``0`` +
    area code + number (``02161234567``, ``+86 21 …`` gets its 0 back), an extension (``-123``,
    ``转123``, ``ext 123``, ``#123``) is kept as ``-123``. Text that is no phone comes back with its
    separators removed, for the caller's check to refuse.
    """
    text = normalise_text(phone or "").strip()
    extension = ""
    for pattern in (_EXTENSION, _HYPHEN_EXTENSION):
        match = pattern.match(text)
        if match is not None:
            text, extension = match["main"], match["ext"]
            break
    number = _PHONE_SEPARATORS.sub("", text)
    international = number.startswith(("+86", "0086"))
    if international:
        number = number.removeprefix("+").removeprefix("00")[2:]
    if number.startswith("86") and _MOBILE_NUMBER.match(number[2:]):
        number = number[2:]
    elif international and not number.startswith(("0", "1")):
        number = "0" + number
    return number + (f"-{extension}" if extension else "")


def is_mobile(phone: str) -> bool:
    """Whether a normalised phone is a mainland mobile number."""
    return bool(_MOBILE_NUMBER.match(phone))


def is_landline(phone: str) -> bool:
    """Whether a normalised phone (without extension) is a landline with its area code."""
    return bool(_LANDLINE_NUMBER.match(phone))
