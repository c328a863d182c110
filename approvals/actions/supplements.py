"""Supplements after submission (补充材料): added once by the unit's submitter, sealed as an addendum."""

from __future__ import annotations

from typing import IO, Any, BinaryIO, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, filestore, seals, uploads
from approvals.exceptions import SupplementAlreadyAdded, SupplementDeadlinePassed, SupplementNotSubmitted
from approvals.models import Nomination, Supplement
from approvals.sealing import SUPPLEMENT_STAGE_PREFIX, supplement_content_hash
from audit.trail import record_events
from config.errors import InvalidInput, NotPermitted
from workflows import supplements

# Where a nomination stands once submitted and not taken back: a supplement may be added.
SUPPLEMENTABLE = (
    Nomination.Status.IN_REVIEW,
    Nomination.Status.RETURNED,
    Nomination.Status.APPROVED,
    Nomination.Status.IN_PUBLICITY,
    Nomination.Status.FINAL,
    Nomination.Status.NOT_SELECTED,
)


def _files(spec: dict[str, Any], files: list[tuple[str, IO[bytes]]]) -> list[dict[str, Any]]:
    """Check every file from its content, then store them; nothing is stored unless all pass."""
    label = spec["label"]
    max_count = spec.get("max_count") or supplements.DEFAULT_MAX_COUNT
    if not files:
        raise InvalidInput.for_field("files", _("请上传“{label}”").format(label=label), code="supplement_empty")
    if len(files) > max_count:
        raise InvalidInput.for_field(
            "files", _("“{label}”最多 {n} 个文件").format(label=label, n=max_count), code="attachment_limit"
        )
    allowed = spec.get("allowed_types") or supplements.DEFAULT_FILE_TYPES
    max_size = int(spec.get("max_size_mb") or supplements.DEFAULT_MAX_SIZE_MB) * 1024 * 1024
    checked = [
        (uploads.inspect_upload(name, cast(BinaryIO, stream), allowed_types=allowed, max_size=max_size), stream)
        for name, stream in files
    ]
    stored = []
    for info, stream in checked:
        stream.seek(0)
        stored.append(
            {"name": info.display_name, "type": info.type, "mime": info.mime, "size": info.size,
             "sha256": info.sha256, "storage_name": filestore.store(info, stream)}
        )  # fmt: skip
    return stored


@transaction.atomic(durable=True)
def add_supplement(
    nomination_id: int, *, actor: User, key: str, text: str = "", files: list[tuple[str, IO[bytes]]] | None = None
) -> Supplement:
    """Add the campaign's supplement ``key`` to a submitted nomination without rerunning its chain.

    Only the unit's submitter, once the nomination is submitted, by the supplement's deadline and
    once: the addendum is sealed with the unit's key in the nomination's seal chain and audited.
    """
    nomination = (
        Nomination.objects.select_for_update(of=("self",)).select_related("campaign", "unit").get(pk=nomination_id)
    )
    target = ("approvals.nomination", str(nomination.pk))
    if not permissions.can_nominate_at(actor, nomination.unit):
        raise NotPermitted(target=target)
    spec = supplements.find(nomination.campaign.supplements or [], key)
    if spec is None:
        raise InvalidInput.for_field("key", _("本活动没有这项补充材料"), code="unknown_supplement")
    if nomination.submitted_at is None or nomination.status not in SUPPLEMENTABLE:
        raise SupplementNotSubmitted(target=target)
    if timezone.now() > supplements.deadline_of(spec):
        raise SupplementDeadlinePassed(target=target)
    if Supplement.objects.filter(nomination=nomination, key=key).exists():
        raise SupplementAlreadyAdded(target=target)
    body = ""
    stored: list[dict[str, Any]] = []
    if spec["type"] == supplements.LONG_TEXT:
        body = text.replace("\r\n", "\n").strip()
        limit = spec.get("max_length") or supplements.DEFAULT_MAX_LENGTH
        if not body:
            raise InvalidInput.for_field(
                "text", _("请填写“{label}”").format(label=spec["label"]), code="supplement_empty"
            )
        if len(body) > limit:
            raise InvalidInput.for_field(
                "text", _("“{label}”不能超过 {n} 字").format(label=spec["label"], n=limit), code="text_too_long"
            )
    else:
        stored = _files(spec, files or [])
    content_hash = supplement_content_hash(
        key=key, label=spec["label"], type=spec["type"], text=body, files=[(f["name"], f["sha256"]) for f in stored]
    )
    seal = seals.create_seal(
        nomination,
        stage=SUPPLEMENT_STAGE_PREFIX + key,
        decision="supplement",
        opinion=spec["label"],
        signer=actor,
        org=nomination.unit,
        content_hash=content_hash,
    )
    supplement = Supplement.objects.create(
        nomination=nomination, key=key, label=spec["label"], type=spec["type"], text=body, files=stored,
        content_hash=content_hash, seal=seal, added_by=actor, added_at=seal.created_at,
    )  # fmt: skip
    record_events(
        [
            seals.seal_event(seal),
            (audit_events.SUPPLEMENT_ADDED,
             {"supplement": supplement.pk, "key": key, "content_hash": content_hash, "sequence": seal.sequence,
              "files": [{"name": f["name"], "sha256": f["sha256"], "size": f["size"]} for f in stored]}),
        ],
        actor=actor,
        target=nomination,
    )  # fmt: skip
    return supplement
