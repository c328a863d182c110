"""What a seal binds: the content hash of a nomination (no ORM).

The canonical JSON and the audit trail's hashes live in ``audit.hashing``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from audit.hashing import canonical_json


def content_hash(*, kind: str, title: str, form: dict[str, Any], files: list[tuple[str, str]]) -> str:
    """What a seal binds: a nomination's kind, title, form and its files' (field, SHA-256), as they stand."""
    content = {"kind": kind, "title": title, "form": form, "files": [list(f) for f in files]}
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()
