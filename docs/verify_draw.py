#!/usr/bin/env python3
"""Recompute a sealflow lottery (抽签) offline and check it against the published record.

Usage::

    python3 docs/verify_draw.py draw.json          # the saved JSON of the public draw page
    curl -s https://<host>/api/v1/public/draws/7 | python3 docs/verify_draw.py   # or from stdin

The record is the JSON of ``GET /api/v1/public/draws/{id}``::

    {"commitment": "<64 hex>", "secret": "<64 hex>", "contributions": ["...", ...],
     "entries": [nomination ids], "order": [nomination ids], "method": "..."}

(``entries`` and ``order`` may also hold objects with a ``"nomination"`` id.) The script checks
that SHA-256 of the secret's ASCII text is the commitment published before the draw, then sorts
the entries by SHA-256 hex of the UTF-8 text ``secret + "|" + "|".join(contributions) + "|" + id``
(then by id) and compares that with the published order. It prints each entry's place and digest
and exits 0 when everything matches, 1 on any mismatch, 2 when the record cannot be read.

Standard library only (Python 3.8+). It deliberately does not import sealflow: it is a second,
independent implementation of ``judging/lottery.py``, and the sealflow tests check they agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from typing import IO, Any

SECRET_RE = re.compile(r"[0-9a-f]{64}")


class BadRecord(Exception):
    pass


def ids_of(value: Any, field: str) -> list[int]:
    if not isinstance(value, list):
        raise BadRecord(f'"{field}" is not a list')
    ids: list[int] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("nomination", item.get("id"))
        if type(item) is not int:
            raise BadRecord(f'"{field}" holds {item!r}, not a nomination id')
        ids.append(item)
    return ids


def digest(secret: str, contributions: list[str], entry: int) -> str:
    text = secret + "|" + "|".join(contributions) + "|" + str(entry)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(record: Any, out: IO[str]) -> bool:
    """Print the recomputation; return True when the record is consistent."""
    if not isinstance(record, dict):
        raise BadRecord("the record is not a JSON object")
    secret = record.get("secret")
    if secret is None:
        raise BadRecord("no secret yet: the draw has not taken place (only the commitment is public)")
    if not isinstance(secret, str) or not SECRET_RE.fullmatch(secret):
        raise BadRecord('"secret" is not 64 lowercase hex characters')
    contributions = record.get("contributions")
    if not isinstance(contributions, list) or not all(isinstance(c, str) for c in contributions):
        raise BadRecord('"contributions" is not a list of texts')
    entries = ids_of(record.get("entries"), "entries")
    if len(set(entries)) != len(entries):
        raise BadRecord('"entries" lists an entry twice')
    published = ids_of(record.get("order"), "order")

    ok = True
    expected_commitment = hashlib.sha256(secret.encode("ascii")).hexdigest()
    if record.get("commitment") == expected_commitment:
        out.write(f"commitment OK: SHA-256(secret) = {expected_commitment}\n")
    else:
        ok = False
        published_commitment = record.get("commitment")
        out.write(f"commitment MISMATCH: SHA-256(secret) = {expected_commitment}, published {published_commitment}\n")
    out.write(f"contributions: {json.dumps(contributions, ensure_ascii=False)}\n")

    keyed = sorted((digest(secret, contributions, entry), entry) for entry in entries)
    order = [entry for _, entry in keyed]
    out.write(f"recomputed order of {len(order)} entries (place, nomination id, SHA-256):\n")
    for place, (hex_digest, entry) in enumerate(keyed, start=1):
        mark = "" if place <= len(published) and published[place - 1] == entry else "   <- differs"
        out.write(f"{place:4d}  {entry:>8d}  {hex_digest}{mark}\n")
    out.write(f"order: {json.dumps(order)}\n")
    if order == published:
        out.write("published order OK\n")
    else:
        ok = False
        out.write(f"published order MISMATCH: {json.dumps(published)}\n")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a sealflow lottery (抽签) offline.")
    parser.add_argument("record", nargs="?", default="-", help="the public draw JSON file (default: stdin)")
    args = parser.parse_args(argv)
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(errors="replace")  # a console that cannot show Chinese still gets the result
    try:
        if args.record == "-":
            record = json.loads(sys.stdin.buffer.read())
        else:
            with open(args.record, encoding="utf-8") as f:
                record = json.load(f)
        ok = check(record, out)
    except (OSError, ValueError, BadRecord) as error:
        out.write(f"无法校验 / cannot verify: {error}\n")
        return 2
    if ok:
        out.write("校验通过：抽签结果与公开记录一致 / MATCH\n")
        return 0
    out.write("校验失败：抽签结果与公开记录不一致 / MISMATCH\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
