"""Versions of a chosen nomination (修改完善, issue 17): the sealed original and its revised versions.

Version 1 is the nomination as submitted and sealed along the chain (``Nomination.form``, never
changed once past the chain); versions 2, 3, … are ``NominationRevision`` rows. Read-only helpers:
the actions are in ``approvals/actions/revisions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from approvals.models import Nomination, NominationRevision, RevisionWindow
from workflows import forms

# Chosen (入围): past the chain and not revoked, withdrawn or left without an award.
REVISABLE = (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL)


@dataclass
class Version:
    number: int
    title: str
    form: dict[str, Any]
    content_hash: str
    submitted_at: datetime | None
    submitted_by_label: str
    changed: list[str]
    revision: NominationRevision | None = None

    @property
    def is_original(self) -> bool:
        return self.revision is None


def definition_of(nomination: Nomination) -> dict[str, Any]:
    definition: dict[str, Any] = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
    return definition


def revisable_keys(definition: dict[str, Any], allowed: list[str] | None = None) -> list[str]:
    """The fields a revision may change: ``allowed`` (empty: all) without file fields (files stay sealed)."""
    keys = [f["key"] for f in definition.get("fields", []) if f.get("type") not in forms.ATTACHMENT_FIELD_TYPES]
    return [k for k in keys if k in allowed] if allowed else keys


def versions(nomination: Nomination) -> list[Version]:
    """Every version, oldest first: the original (1), then each revised version."""
    original = Version(
        number=1,
        title=nomination.title,
        form=nomination.form,
        content_hash=nomination.content_hash,
        submitted_at=nomination.submitted_at,
        submitted_by_label=nomination.submitted_by.label if nomination.submitted_by else "",
        changed=[],
    )
    found = [original]
    for revision in nomination.revisions.select_related("submitted_by", "seal").order_by("number"):
        found.append(
            Version(
                number=revision.number, title=revision.title, form=revision.form,
                content_hash=revision.content_hash, submitted_at=revision.submitted_at,
                submitted_by_label=revision.submitted_by.label, changed=list(revision.changed), revision=revision,
            )
        )  # fmt: skip
    return found


def latest_revision(nomination: Nomination) -> NominationRevision | None:
    return nomination.revisions.order_by("-number").first()


def current_content(nomination: Nomination) -> tuple[int, str, dict[str, Any]]:
    """(version number, title, form) of the version that stands now: the latest revision, or the original."""
    latest = latest_revision(nomination)
    if latest is None:
        return 1, nomination.title, nomination.form
    return latest.number, latest.title, latest.form


def open_windows(nomination: Nomination, *, at: datetime | None = None) -> QuerySet[RevisionWindow]:
    """The windows open now for ``nomination`` (started, not ended, not closed), latest first."""
    now = at or timezone.now()
    return nomination.revision_windows.filter(starts_at__lte=now, ends_at__gt=now, closed_at__isnull=True).order_by(
        "-id"
    )


def changed_keys(definition: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The keys of the form's fields whose values differ, in the form's order."""
    return [f["key"] for f in definition.get("fields", []) if old.get(f["key"]) != new.get(f["key"])]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append("，".join(str(v) for v in item.values() if v not in (None, "")))
            else:
                parts.append(str(item))
        return "；".join(parts) if any(isinstance(i, dict) for i in value) else "、".join(parts)
    return str(value)


def diff(definition: dict[str, Any], old: Version, new: Version, *, masked: bool = True) -> list[dict[str, Any]]:
    """Field by field, old against new: label, the two values as text, and whether they differ
    (compared on the real values; personal values are shown masked unless ``masked`` is False)."""
    old_form = forms.mask_form_data(definition, old.form) if masked else old.form
    new_form = forms.mask_form_data(definition, new.form) if masked else new.form
    rows = [
        {"key": "title", "label": "申报名称", "old": old.title, "new": new.title, "changed": old.title != new.title}
    ]
    for field in definition.get("fields", []):
        if field.get("type") in forms.ATTACHMENT_FIELD_TYPES:
            continue
        key = field["key"]
        rows.append(
            {"key": key, "label": field["label"], "old": _text(old_form.get(key)), "new": _text(new_form.get(key)),
             "changed": old.form.get(key) != new.form.get(key)}
        )  # fmt: skip
    return rows
