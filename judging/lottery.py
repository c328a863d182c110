"""The verifiable lottery (抽签): commit-reveal with the representatives' contributions.

1. Before the draw the server makes a secret (``new_secret``: 64 lowercase hex characters) and
   publishes only its ``commitment``: SHA-256 hex of the secret's ASCII text.
2. On the day, the units' representatives give values (``contributions``), in an order recorded
   with them.
3. The draw reveals the secret; the order of presentation is the entries' nomination ids sorted
   by SHA-256 hex of the UTF-8 text ``secret + "|" + "|".join(contributions) + "|" + str(id)``
   (then by id, should two digests ever be equal).

The server is bound to its secret before anyone contributes, and the contributions are not known
when it commits, so it cannot pick a favourable order; anyone can recompute the order from the
public record (``GET /api/v1/public/draws/{id}``) with ``verify`` or, without sealflow, with
``docs/verify_draw.py``, which implements the same steps independently (keep them in step; the
tests check they agree).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["METHOD_ZH", "commitment", "draw_order", "entry_digest", "new_secret", "verify"]

SECRET_RE = re.compile(r"[0-9a-f]{64}")

METHOD_ZH = (
    "抽签顺序可由任何人独立复核，计算方法如下：\n"
    "1. 抽签前，系统生成一个秘密值 secret（64 位小写十六进制字符），只公布它的承诺值 commitment，"
    "即对 secret 的 ASCII 文本计算的 SHA-256 摘要（十六进制）。\n"
    "2. 抽签当天，各单位代表现场给出各自的取值 contributions，按给出的先后顺序记录。\n"
    "3. 抽签时公开 secret。先核对：SHA-256(secret) 必须等于事先公布的 commitment。\n"
    '4. 对每个参赛项目的编号 id，把 secret、各代表取值（按记录顺序）和 id 依次用竖线 "|" 连接成一段文本，'
    '即 secret + "|" + "|".join(contributions) + "|" + str(id)，对其 UTF-8 编码计算 SHA-256 摘要（十六进制）。\n'
    "5. 按摘要从小到大排列各项目（摘要相同时按编号从小到大），即为出场顺序。\n"
    "由于 secret 在代表给出取值之前已经承诺、不能更改，而代表的取值在承诺之后才给出，"
    "系统无法在承诺后选择对某个项目有利的顺序。离线复核可使用 docs/verify_draw.py 脚本。"
)


def new_secret() -> str:
    """64 lowercase hex characters from the operating system's random source."""
    return secrets.token_hex(32)


def _check_secret(secret: str) -> None:
    if not isinstance(secret, str) or not SECRET_RE.fullmatch(secret):
        raise ValueError("a draw secret is 64 lowercase hex characters")


def commitment(secret: str) -> str:
    """SHA-256 hex of the secret's ASCII text."""
    _check_secret(secret)
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def entry_digest(secret: str, contributions: Sequence[str], entry: int) -> str:
    """SHA-256 hex of ``secret|contribution|...|entry`` (UTF-8): the entry's sort key."""
    text = secret + "|" + "|".join(contributions) + "|" + str(entry)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_order(secret: str, contributions: Sequence[str], entries: Iterable[int]) -> list[int]:
    """The entries (nomination ids) in the order of the draw.

    Raises ValueError for a malformed secret, a contribution that is not text, an entry id that is
    not an int, or an entry listed twice.
    """
    _check_secret(secret)
    if isinstance(contributions, str) or not all(isinstance(c, str) for c in contributions):
        raise ValueError("contributions are a list of texts")
    ids = list(entries)
    if not all(type(entry) is int for entry in ids):
        raise ValueError("entries are nomination ids (integers)")
    if len(set(ids)) != len(ids):
        raise ValueError("an entry is listed twice")
    return sorted(ids, key=lambda entry: (entry_digest(secret, contributions, entry), entry))


def _ids(value: Any) -> list[int] | None:
    """A list of nomination ids, given as ints or as objects with a "nomination" (or "id") key."""
    if not isinstance(value, list):
        return None
    ids = []
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("nomination", item.get("id"))
        if type(item) is not int:
            return None
        ids.append(item)
    return ids


def verify(record: Mapping[str, Any]) -> tuple[bool, list[int]]:
    """Check a public draw record: the secret matches the commitment and the order is recomputed.

    ``record`` is the JSON of ``GET /api/v1/public/draws/{id}``. Returns ``(ok, order)`` where
    ``order`` is the recomputed order (empty when the record is malformed or not drawn yet).
    """
    secret = record.get("secret")
    contributions = record.get("contributions")
    entries = _ids(record.get("entries"))
    recorded = _ids(record.get("order"))
    if (
        not isinstance(secret, str)
        or not SECRET_RE.fullmatch(secret)
        or not isinstance(contributions, list)
        or not all(isinstance(c, str) for c in contributions)
        or entries is None
        or len(set(entries)) != len(entries)
    ):
        return False, []
    order = draw_order(secret, contributions, entries)
    ok = record.get("commitment") == commitment(secret) and recorded == order
    return ok, order
