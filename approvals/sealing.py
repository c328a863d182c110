"""What a seal binds: the content hash of a nomination.

The canonical JSON and the audit trail's hashes live in ``audit.hashing``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from approvals.models import Attachment, Nomination
from audit.hashing import canonical_json


def content_hash(*, kind: str, title: str, form: dict[str, Any], files: list[tuple[str, str]]) -> str:
    """What a seal binds: a nomination's kind, title, form and its files' (field, SHA-256), as they stand."""
    content = {"kind": kind, "title": title, "form": form, "files": [list(f) for f in files]}
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def live_attachments(nomination: Nomination) -> list[Attachment]:
    return list(nomination.attachments.filter(removed_at__isnull=True).order_by("id"))


def nomination_content_hash(nomination: Nomination, attachments: list[Attachment] | None = None) -> str:
    """The hash a seal will bind for ``nomination`` as it stands now."""
    live = live_attachments(nomination) if attachments is None else attachments
    return content_hash(
        kind=nomination.kind, title=nomination.title, form=nomination.form, files=[(a.field, a.sha256) for a in live]
    )


SUPPLEMENT_STAGE_PREFIX = "supplement:"


def supplement_content_hash(*, key: str, label: str, type: str, text: str, files: list[tuple[str, str]]) -> str:
    """What an addendum's seal binds: the supplement's key, label, type, text and its files' (name, SHA-256)."""
    content = {"supplement": key, "label": label, "type": type, "text": text, "files": [list(f) for f in files]}
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


REVISION_STAGE_PREFIX = "revision:"
# Seals over something beside the nomination's sealed content (an addendum): they bind their own row.
ADDENDUM_STAGE_PREFIXES = (SUPPLEMENT_STAGE_PREFIX, REVISION_STAGE_PREFIX)


def is_addendum(stage: str) -> bool:
    """Whether a seal's stage is an addendum's (a supplement or a revised version), not a decision's."""
    return stage.startswith(ADDENDUM_STAGE_PREFIXES)


def revision_content_hash(
    *, number: int, kind: str, title: str, form: dict[str, Any], files: list[tuple[str, str]]
) -> str:
    """What a revised version's seal binds: its number and the content as revised (kind, title,
    form, the files' (field, SHA-256)), so the same content as another version still seals apart."""
    content = {"revision": number, "kind": kind, "title": title, "form": form, "files": [list(f) for f in files]}
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()
