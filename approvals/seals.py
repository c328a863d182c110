"""Electronic seals (盖章): sealing a decision and verifying a nomination's seals.

A seal signs the canonical JSON (``audit.hashing.canonical_json``) of the nomination's content
hash, the stage, decision, opinion, signer, organisation, time, the signing key and the previous
seal's hash (design.md, Seals; domain.md, Seals). The seals of a nomination form a hash chain, so
a changed opinion, a reordered or removed seal, or content changed after sealing is found by
``verify_seal_chain``; ``export_chain`` hands the chain and its public keys to anyone, who can check
it offline with ``docs/verify_seals.py`` (a second, Django-free copy of ``verify_payload_chain``).

The keys are ``approvals.seal_keys``' (custody: making, storing, rotating, loading); the
algorithms (Ed25519, SM2 with SM3) are ``approvals.seal_algorithms``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from approvals import audit_events, sealing
from approvals.models import Nomination, NominationRevision, Seal, SealKey, Supplement
from approvals.seal_algorithms import key_fingerprint, sign, signature_valid
from approvals.seal_keys import SealKeyError, ensure_key, private_key_of
from audit.hashing import GENESIS_HASH, canonical_json, utc_timestamp
from audit.models import AuditEvent
from audit.trail import EventSpec, object_ref

SEAL_FORMAT = "sealflow.seal/1"

# The fields of a seal payload; verification refuses a payload with other or missing fields.
PAYLOAD_FIELDS = frozenset(
    {
        "format",
        "nomination_id",
        "content_hash",
        "stage",
        "decision",
        "opinion",
        "signer_id",
        "signer_label",
        "org_id",
        "org_name",
        "signed_at",
        "prev_hash",
        "key_id",
        "algorithm",
    }
)


# --- sealing --------------------------------------------------------------------------------


def seal_payload(
    *,
    nomination_id: int,
    content_hash: str,
    stage: str,
    decision: str,
    opinion: str,
    signer_id: int,
    signer_label: str,
    org_id: int,
    org_name: str,
    signed_at: datetime,
    prev_hash: str,
    key_id: str,
    algorithm: str,
) -> dict[str, Any]:
    """What a seal signs (as ``canonical_json``); times in UTC ISO 8601 with microseconds."""
    assert timezone.is_aware(signed_at), "seal times must be aware"
    return {
        "format": SEAL_FORMAT,
        "nomination_id": nomination_id,
        "content_hash": content_hash,
        "stage": stage,
        "decision": decision,
        "opinion": opinion,
        "signer_id": signer_id,
        "signer_label": signer_label,
        "org_id": org_id,
        "org_name": org_name,
        "signed_at": utc_timestamp(signed_at),
        "prev_hash": prev_hash,
        "key_id": key_id,
        "algorithm": algorithm,
    }


def create_seal(
    nomination: Nomination,
    *,
    stage: str,
    decision: str,
    opinion: str,
    signer: User,
    org: Organization,
    content_hash: str,
    signoff_id: int | None = None,
) -> Seal:
    """Seal a decision on ``nomination`` with ``org``'s active key and append it to the nomination's chain.

    Must run inside the caller's (sign-off's) transaction, which holds the nomination's row lock,
    so two seals of one nomination never share a place in the chain. The caller records
    ``seal.created`` (``seal_event``) with its own event, in one write to the audit chain.
    ``create_seals`` with one nomination: the same key lookup, head read and insert.
    """
    return create_seals(
        [(nomination, org)], stage=stage, decision=decision, opinion=opinion, signer=signer,
        content_hashes=[content_hash], signoff_ids=[signoff_id],
    )[0]  # fmt: skip


def create_seals(
    items: list[tuple[Nomination, Organization]],
    *,
    stage: str,
    decision: str,
    opinion: str,
    signer: User,
    content_hashes: Sequence[str] | None = None,
    signoff_ids: Sequence[int | None] | None = None,
) -> list[Seal]:
    """Seal a decision on each nomination of ``items`` with its organisation's active key, one
    seal each, in order, appended to each nomination's chain (a batch approval; ``create_seal``).

    Each seal is signed and checked on its own; each organisation's key is read and decrypted
    once, every chain head read in one query, and one insert writes them. A seal signs the
    nomination's content hash, or the one ``content_hashes`` gives at its place (a revision's, a
    supplement's). The caller holds every nomination's row lock in its transaction.
    """
    assert connection.in_atomic_block, "seals are created inside the sign-off's transaction"
    hashes = list(content_hashes) if content_hashes is not None else [n.content_hash for n, _org in items]
    signoffs = list(signoff_ids) if signoff_ids is not None else [None] * len(items)
    assert len(hashes) == len(signoffs) == len(items), "one content hash and sign-off per seal"
    keys: dict[int, tuple[SealKey, bytes]] = {}
    for _nomination, org in items:
        if org.pk not in keys:
            key = ensure_key(org)
            keys[org.pk] = (key, private_key_of(key))
    heads: dict[int, tuple[int, str]] = {}
    with connection.cursor() as cursor:  # every chain's head in one statement (as SQL: it runs per approval)
        cursor.execute(
            f"SELECT DISTINCT ON (nomination_id) nomination_id, sequence, seal_hash FROM {Seal._meta.db_table} "  # noqa: S608
            "WHERE nomination_id = ANY(%s) ORDER BY nomination_id, sequence DESC",
            [[n.pk for n, _org in items]],
        )
        for nomination_id, sequence, seal_hash in cursor.fetchall():
            heads[nomination_id] = (sequence, seal_hash)
    seals = [
        _signed_seal(
            nomination,
            heads.get(nomination.pk),
            stage=stage,
            decision=decision,
            opinion=opinion,
            signer=signer,
            org=org,
            content_hash=content_hash,
            key=keys[org.pk][0],
            private_key=keys[org.pk][1],
            signoff_id=signoff_id,
        )  # fmt: skip
        for (nomination, org), content_hash, signoff_id in zip(items, hashes, signoffs, strict=True)
    ]
    return Seal.objects.bulk_create(seals)


def _signed_seal(
    nomination: Nomination,
    head: tuple[int, str] | None,
    *,
    stage: str,
    decision: str,
    opinion: str,
    signer: User,
    org: Organization,
    content_hash: str,
    key: SealKey,
    private_key: bytes,
    signoff_id: int | None = None,
) -> Seal:
    """The next seal of ``nomination``'s chain after ``head`` (sequence, hash), signed and checked; not saved."""
    sequence, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    signed_at = timezone.now()
    payload = canonical_json(
        seal_payload(
            nomination_id=nomination.pk,
            content_hash=content_hash,
            stage=stage,
            decision=str(decision),
            opinion=opinion,
            signer_id=signer.pk,
            signer_label=signer.label,
            org_id=org.pk,
            org_name=org.name,
            signed_at=signed_at,
            prev_hash=prev_hash,
            key_id=key.key_id,
            algorithm=key.algorithm,
        )
    )
    message = payload.encode()
    signature = sign(key.algorithm, private_key, key.public_key, message)
    # Check before storing: a private key that does not match its public key must not seal anything.
    if not signature_valid(key.algorithm, key.public_key, message, signature):
        raise SealKeyError(_("印章密钥 {key_id} 的私钥与公钥不匹配，无法盖章").format(key_id=key.key_id))
    return Seal(
        nomination=nomination,
        signoff_id=signoff_id,
        stage=stage,
        sequence=sequence,
        payload=payload,
        seal_hash=hashlib.sha256(message).hexdigest(),
        prev_hash=prev_hash,
        key=key,
        algorithm=key.algorithm,
        signature=signature,
        created_at=signed_at,
    )


def seal_event(seal: Seal) -> EventSpec:
    """The ``seal.created`` audit event of a new seal, with the sequence and hash verification cross-checks."""
    return audit_events.SEAL_CREATED, {
        "sequence": seal.sequence,
        "seal_hash": seal.seal_hash,
        "key_id": seal.key.key_id,
        "stage": seal.stage,
    }


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SealProblem:
    """One thing wrong with a seal chain; ``kind`` is stable (API, command, docs/verify_seals.py)."""

    kind: str
    sequence: int | None
    detail: str = ""

    PAYLOAD_ALTERED = "payload_altered"
    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    MISSING_SEAL = "missing_seal"
    BAD_SIGNATURE = "bad_signature"
    KEY_MISMATCH = "key_mismatch"
    WRONG_NOMINATION = "wrong_nomination"
    CONTENT_CHANGED = "content_changed_since_seal"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "sequence": self.sequence, "detail": self.detail}


def _parse_payload(text: str) -> tuple[dict[str, Any] | None, str]:
    """The payload as a dict, or None and why it is not a well-formed seal payload."""
    try:
        value = json.loads(text)
    except ValueError:
        return None, "payload is not JSON"
    if not isinstance(value, dict):
        return None, "payload is not an object"
    if canonical_json(value) != text:
        return None, "payload is not in canonical form"
    if set(value) != PAYLOAD_FIELDS or value.get("format") != SEAL_FORMAT:
        return None, "payload fields differ from " + SEAL_FORMAT
    return value, ""


def _sequence_of(seal: dict[str, Any]) -> int:
    sequence = seal.get("sequence")
    return sequence if isinstance(sequence, int) else 0


def verify_payload_chain(
    seals: list[dict[str, Any]],
    public_keys: dict[str, tuple[str, str]],
    *,
    nomination_id: int | None = None,
) -> list[SealProblem]:
    """Check exported seals (``export_chain``'s ``seals``) against ``{key_id: (algorithm, public key)}``.

    No database: the same checks as ``docs/verify_seals.py``. Each seal's payload must be canonical
    JSON whose SHA-256 is its ``seal_hash``; it must link to the seal before it (GENESIS first) with
    no gap in the sequence; its key must be known, match the payload and its own fingerprint; and
    the signature over the payload must verify. A stored hash is trusted as the next link, so one
    changed seal is reported at its own place, not at every seal after it.
    """
    problems: list[SealProblem] = []
    expected_sequence, expected_prev = 1, GENESIS_HASH
    for seal in sorted(seals, key=_sequence_of):
        sequence = seal.get("sequence")
        if not isinstance(sequence, int):
            problems.append(SealProblem(SealProblem.MISSING_SEAL, None, "seal without a sequence number"))
            continue
        if sequence > expected_sequence:
            problems.extend(
                SealProblem(SealProblem.MISSING_SEAL, missing, "no seal with this sequence number")
                for missing in range(expected_sequence, sequence)
            )
        elif sequence < expected_sequence:
            problems.append(SealProblem(SealProblem.BROKEN_LINK, sequence, "sequence number used twice"))
        text = str(seal.get("payload", ""))
        message = text.encode()
        payload, why = _parse_payload(text)
        if payload is None:
            problems.append(SealProblem(SealProblem.PAYLOAD_ALTERED, sequence, why))
        if hashlib.sha256(message).hexdigest() != seal.get("seal_hash"):
            problems.append(SealProblem(SealProblem.HASH_MISMATCH, sequence, "seal_hash is not SHA-256 of payload"))
        signed_prev = payload["prev_hash"] if payload is not None else seal.get("prev_hash")
        if seal.get("prev_hash") != expected_prev or signed_prev != expected_prev:
            problems.append(
                SealProblem(SealProblem.BROKEN_LINK, sequence, f"prev_hash does not match seal #{sequence - 1}")
                if sequence > 1
                else SealProblem(SealProblem.BROKEN_LINK, sequence, "first seal does not start from GENESIS")
            )
        if payload is not None and nomination_id is not None and payload["nomination_id"] != nomination_id:
            problems.append(
                SealProblem(
                    SealProblem.WRONG_NOMINATION, sequence, f"payload is for nomination {payload['nomination_id']}"
                )
            )
        key_id, algorithm = seal.get("key_id"), seal.get("algorithm")
        known = public_keys.get(str(key_id))
        if known is None:
            problems.append(SealProblem(SealProblem.KEY_MISMATCH, sequence, f"unknown key {key_id}"))
        else:
            key_algorithm, public_key = known
            try:
                fingerprint_ok = key_fingerprint(key_algorithm, public_key) == key_id
            except ValueError:
                fingerprint_ok = False
            if not fingerprint_ok:
                problems.append(SealProblem(SealProblem.KEY_MISMATCH, sequence, f"key {key_id} is not its public key"))
            elif key_algorithm != algorithm or (
                payload is not None and (payload["key_id"] != key_id or payload["algorithm"] != key_algorithm)
            ):
                problems.append(SealProblem(SealProblem.KEY_MISMATCH, sequence, "payload names another key"))
            if not signature_valid(key_algorithm, public_key, message, str(seal.get("signature", ""))):
                problems.append(
                    SealProblem(SealProblem.BAD_SIGNATURE, sequence, f"signature does not verify ({key_id})")
                )
        expected_sequence = max(expected_sequence, sequence + 1)
        expected_prev = str(seal.get("seal_hash"))
    return problems


def _seal_dict(seal: Seal) -> dict[str, Any]:
    return {
        "sequence": seal.sequence,
        "payload": seal.payload,
        "seal_hash": seal.seal_hash,
        "prev_hash": seal.prev_hash,
        "signature": seal.signature,
        "key_id": seal.key.key_id,
        "algorithm": seal.algorithm,
    }


def _seals(nomination: Nomination) -> list[Seal]:
    return list(Seal.objects.filter(nomination=nomination).select_related("key").order_by("sequence"))


def _nomination_events(nomination: Nomination) -> list[tuple[int, str, dict[str, Any]]]:
    """(seq, action, data) of the nomination's seal and submission events, in chain order."""
    object_type, object_id = object_ref(nomination)
    return list(
        AuditEvent.objects.filter(
            object_type=object_type,
            object_id=object_id,
            action__in=[audit_events.SEAL_CREATED, audit_events.NOMINATION_SUBMITTED],
        )
        .order_by("seq")
        .values_list("seq", "action", "data")
    )


def verify_seal_chain(nomination: Nomination, *, current_content_hash: str | None) -> list[SealProblem]:
    """Every problem of ``nomination``'s seals, from the database rows and the audit trail.

    The chain checks of ``verify_payload_chain`` with the keys the seals name; a row's stage that
    differs from its signed payload; a seal the audit trail recorded (``seal.created``: sequence
    and hash) that is gone or different, which finds a removed tail that the chain alone cannot;
    and, when ``current_content_hash`` is given, whether the last seal still binds that content.
    """
    seals = _seals(nomination)
    public_keys = {s.key.key_id: (s.key.algorithm, s.key.public_key) for s in seals}
    problems = verify_payload_chain([_seal_dict(s) for s in seals], public_keys, nomination_id=nomination.pk)
    by_sequence = {s.sequence: s for s in seals}
    for seal in seals:
        payload, _why = _parse_payload(seal.payload)
        if payload is not None and payload["stage"] != seal.stage:
            problems.append(SealProblem(SealProblem.PAYLOAD_ALTERED, seal.sequence, "stage differs from the payload"))
    for _seq, action, data in _nomination_events(nomination):
        if action != audit_events.SEAL_CREATED:
            continue
        sequence = data.get("sequence")
        recorded = by_sequence.get(sequence) if isinstance(sequence, int) else None
        if recorded is None:
            problems.append(SealProblem(SealProblem.MISSING_SEAL, sequence, "recorded in the audit trail"))
        elif recorded.seal_hash != data.get("seal_hash"):
            problems.append(SealProblem(SealProblem.HASH_MISMATCH, sequence, "differs from the audit trail"))
    # An addendum (补充材料) binds its own content, checked against its row; the nomination's
    # content is bound by the last seal of the chain proper.
    problems.extend(_addendum_problems(nomination, seals))
    problems.extend(_revision_problems(nomination, seals))
    chain = [s for s in seals if not sealing.is_addendum(s.stage)]
    if current_content_hash is not None and chain:
        last = chain[-1]
        payload, _why = _parse_payload(last.payload)
        if payload is not None and payload["content_hash"] != current_content_hash:
            problems.append(
                SealProblem(
                    SealProblem.CONTENT_CHANGED, last.sequence, "the nomination's content differs from the sealed one"
                )
            )
    return _unique(problems)


def _addendum_problems(nomination: Nomination, seals: list[Seal]) -> list[SealProblem]:
    """An addendum seal must bind what its supplement holds, and each supplement must keep its seal."""
    problems = []
    by_seal = {s.seal_id: s for s in Supplement.objects.filter(nomination=nomination)}
    for seal in seals:
        if not seal.stage.startswith(sealing.SUPPLEMENT_STAGE_PREFIX):
            continue
        supplement = by_seal.pop(seal.pk, None)
        payload, _why = _parse_payload(seal.payload)
        if supplement is None:
            problems.append(SealProblem(SealProblem.MISSING_SEAL, seal.sequence, "addendum without its supplement"))
            continue
        held = sealing.supplement_content_hash(
            key=supplement.key, label=supplement.label, type=supplement.type, text=supplement.text,
            files=[(f.get("name", ""), f.get("sha256", "")) for f in supplement.files],
        )  # fmt: skip
        if payload is not None and (payload["content_hash"] != held or supplement.content_hash != held):
            problems.append(
                SealProblem(SealProblem.CONTENT_CHANGED, seal.sequence, "the supplement differs from the sealed one")
            )
    problems.extend(
        SealProblem(SealProblem.MISSING_SEAL, None, f"supplement {s.key} has no seal in the chain")
        for s in by_seal.values()
    )
    return problems


def _revision_problems(nomination: Nomination, seals: list[Seal]) -> list[SealProblem]:
    """A revised version's seal must bind what its row holds, and each revised version must keep its seal."""
    problems = []
    by_seal = {r.seal_id: r for r in NominationRevision.objects.filter(nomination=nomination)}
    for seal in seals:
        if not seal.stage.startswith(sealing.REVISION_STAGE_PREFIX):
            continue
        revision = by_seal.pop(seal.pk, None)
        payload, _why = _parse_payload(seal.payload)
        if revision is None:
            problems.append(SealProblem(SealProblem.MISSING_SEAL, seal.sequence, "revision seal without its version"))
            continue
        held = sealing.revision_content_hash(
            number=revision.number, kind=nomination.kind, title=revision.title, form=revision.form,
            files=[(f[0], f[1]) for f in revision.files],
        )  # fmt: skip
        if payload is not None and (payload["content_hash"] != held or revision.content_hash != held):
            problems.append(
                SealProblem(
                    SealProblem.CONTENT_CHANGED, seal.sequence, "the revised version differs from the sealed one"
                )
            )
    problems.extend(
        SealProblem(SealProblem.MISSING_SEAL, None, f"version {r.number} has no seal in the chain")
        for r in by_seal.values()
    )
    return problems


def _unique(problems: list[SealProblem]) -> list[SealProblem]:
    """One problem per (kind, sequence), in order of discovery (the audit cross-check repeats gaps)."""
    seen: set[tuple[str, int | None]] = set()
    kept = []
    for problem in problems:
        if (problem.kind, problem.sequence) not in seen:
            seen.add((problem.kind, problem.sequence))
            kept.append(problem)
    return kept


def content_hash_to_check(nomination: Nomination) -> str | None:
    """The content the last seal must still bind, or None when it may differ legitimately.

    The content may change only while the nomination is editable (draft or returned), and it
    leaves that state only by a (re)submission, audited with ``nomination.submitted``. So the
    last seal must bind the current content unless the nomination is editable now or was
    resubmitted after that seal (the next seal will bind the new content).
    """
    if nomination.status in Nomination.EDITABLE:
        return None
    last_seal_event = None
    resubmitted_after = False
    for seq, action, data in _nomination_events(nomination):
        if action == audit_events.SEAL_CREATED and sealing.is_addendum(str(data.get("stage", ""))):
            continue  # an addendum binds its supplement or revised version, not the nomination's content
        if action == audit_events.SEAL_CREATED:
            last_seal_event, resubmitted_after = seq, False
        elif last_seal_event is not None:
            resubmitted_after = True
    return None if resubmitted_after else sealing.nomination_content_hash(nomination)


def verify_nomination(nomination: Nomination) -> list[SealProblem]:
    """``verify_seal_chain`` with the content check where the nomination's state calls for it."""
    return verify_seal_chain(nomination, current_content_hash=content_hash_to_check(nomination))


def export_chain(nomination: Nomination) -> dict[str, Any]:
    """The nomination's seals and the public keys they name, for ``docs/verify_seals.py``."""
    seals = _seals(nomination)
    return {
        "nomination": nomination.pk,
        "seals": [_seal_dict(s) for s in seals],
        "public_keys": {s.key.key_id: {"algorithm": s.key.algorithm, "public_key": s.key.public_key} for s in seals},
    }
