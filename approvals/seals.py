"""Electronic seals (盖章): organisations' keys, sealing a decision, and verifying a nomination's seals.

A seal signs the canonical JSON (``audit.hashing.canonical_json``) of the nomination's content
hash, the stage, decision, opinion, signer, organisation, time, the signing key and the previous
seal's hash (design.md, Seals; domain.md, Seals). The seals of a nomination form a hash chain, so
a changed opinion, a reordered or removed seal, or content changed after sealing is found by
``verify_seal_chain``; ``export_chain`` hands the chain and its public keys to anyone, who can check
it offline with ``docs/verify_seals.py`` (a second, Django-free copy of ``verify_payload_chain``).

Keys: Ed25519 (``cryptography``) by default; SM2 with SM3 (GB/T 32918, GB/T 35276; ``gmssl``) for
GB/T 38540-style deployments, with every nonce drawn from ``secrets``. Private keys are stored
encrypted with AES-256-GCM under a master key that never enters the database: HKDF-SHA256 of the
setting ``SEALFLOW_SEAL_KEY_ENCRYPTION_KEY`` or, when that is empty (embedded/dev mode), of 32
random bytes in ``<DATA_DIR>/seal-master.key`` (setting ``SEALFLOW_SEAL_KEY_FILE``), made on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Organization, User
from approvals import audit_events, sealing
from approvals.models import Nomination, Seal, SealKey
from audit.hashing import GENESIS_HASH, canonical_json, utc_timestamp
from audit.models import AuditEvent
from audit.trail import EventSpec, object_ref, record_event
from config import embedded
from config.db import advisory_xact_lock
from config.errors import NotPermitted

SEAL_FORMAT = "sealflow.seal/1"
ED25519 = SealKey.Algorithm.ED25519.value
SM2 = SealKey.Algorithm.SM2.value

MASTER_KEY_SETTING = "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY"
KEY_FILE_SETTING = "SEALFLOW_SEAL_KEY_FILE"
KEY_FILE_NAME = "seal-master.key"
MIN_MASTER_KEY_CHARS = 32

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


class SealKeyError(RuntimeError):
    """A seal key cannot be used: the master key is missing, wrong, or the stored key was changed."""


# --- the master key and private keys at rest ------------------------------------------------

_HKDF_SALT = b"sealflow/seal-keys"
_HKDF_INFO = b"sealflow seal private keys, AES-256-GCM, v1"
_BLOB_VERSION = b"\x01"
_NONCE_BYTES = 12


def _key_file() -> Path:
    configured = getattr(settings, KEY_FILE_SETTING, None)
    return Path(configured) if configured else embedded.DATA_DIR / KEY_FILE_NAME


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode  # FileNotFoundError: not made yet
    if mode & 0o077:
        raise SealKeyError(
            _("印章主密钥文件 {path} 的权限过宽（{mode}），应仅属主可读写（0600）").format(
                path=path, mode=oct(mode & 0o777)
            )
        )
    secret = path.read_bytes()
    if len(secret) != 32:
        raise SealKeyError(_("印章主密钥文件 {path} 已损坏（应为 32 字节）").format(path=path))
    return secret


def _key_file_secret(path: Path) -> bytes:
    """The dev/embedded master secret: 32 random bytes in a 0600 file, made once, race-free."""
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        # A hard link appears complete or not at all and refuses to replace: the first process wins.
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return _read_key_file(path)


def _master_secret() -> bytes:
    configured = getattr(settings, MASTER_KEY_SETTING, "") or ""
    if not configured:
        return _key_file_secret(_key_file())
    if len(configured) < MIN_MASTER_KEY_CHARS:
        raise SealKeyError(
            _("{name} 太短：至少需要 {n} 个字符的随机值").format(name=MASTER_KEY_SETTING, n=MIN_MASTER_KEY_CHARS)
        )
    return configured.encode()


def _encryption_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return hkdf.derive(_master_secret())


def _aad(algorithm: str, key_id: str) -> bytes:
    # Binds the ciphertext to its key row: a private key copied onto another row will not decrypt.
    return f"sealflow-seal-key|{algorithm}|{key_id}".encode()


def encrypt_private_key(raw: bytes, *, algorithm: str, key_id: str) -> bytes:
    """``version ‖ nonce ‖ AES-256-GCM(raw)``, authenticated together with the algorithm and key id."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _BLOB_VERSION + nonce + AESGCM(_encryption_key()).encrypt(nonce, raw, _aad(algorithm, key_id))


def decrypt_private_key(blob: bytes | memoryview, *, algorithm: str, key_id: str) -> bytes:
    blob = bytes(blob)
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _BLOB_VERSION:
        raise SealKeyError(_("印章私钥（密钥 {key_id}）的存储格式无法识别").format(key_id=key_id))
    nonce, ciphertext = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        return AESGCM(_encryption_key()).decrypt(nonce, ciphertext, _aad(algorithm, key_id))
    except InvalidTag:
        raise SealKeyError(
            _("无法解密印章私钥（密钥 {key_id}）：主密钥（{name} 或 {file}）与加密时不同，或密文已被改动").format(
                key_id=key_id, name=MASTER_KEY_SETTING, file=KEY_FILE_NAME
            )
        ) from None


# --- the algorithms -------------------------------------------------------------------------

# SM2 curve parameters (GB/T 32918.5), as gmssl spells them.
_SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _sm2(private_hex: str, point_hex: str) -> Any:
    from gmssl import sm2  # type: ignore[import-untyped]

    crypt = sm2.CryptSM2(private_key=private_hex, public_key=point_hex)
    # gmssl strips a leading "04" with str.lstrip("04"), which also eats an x that starts with 0 or 4.
    crypt.public_key = point_hex
    return crypt


def _sm2_point(public_key: str) -> str | None:
    """x‖y (128 hex) of an SM2 public key given as 04‖x‖y, if it is a point on the curve."""
    text = public_key.strip().lower()
    if len(text) != 130 or not text.startswith("04"):
        return None
    try:
        x, y = int(text[2:66], 16), int(text[66:], 16)
    except ValueError:
        return None
    if not (x < _SM2_P and y < _SM2_P) or (y * y - (x * x * x + _SM2_A * x + _SM2_B)) % _SM2_P:
        return None
    return text[2:]


def _generate(algorithm: str) -> tuple[bytes, str]:
    """A new key pair: (raw private key bytes, public key text)."""
    if algorithm == ED25519:
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return raw, public.decode()
    if algorithm == SM2:
        d = secrets.randbelow(_SM2_N - 2) + 1  # 1 ≤ d ≤ n-2
        private_hex = f"{d:064x}"
        crypt = _sm2(private_hex, "")
        point = crypt._kg(d, crypt.ecc_table["g"])  # d·G; gmssl has no public key-generation function
        return bytes.fromhex(private_hex), "04" + point
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def public_key_bytes(algorithm: str, public_key: str) -> bytes:
    """The raw public key: Ed25519's 32 bytes, or SM2's uncompressed point 04‖x‖y (65 bytes)."""
    if algorithm == ED25519:
        loaded = serialization.load_pem_public_key(public_key.encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if algorithm == SM2:
        point = _sm2_point(public_key)
        if point is None:
            raise ValueError("not an SM2 public key (04‖x‖y on the curve)")
        return bytes.fromhex("04" + point)
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def key_fingerprint(algorithm: str, public_key: str) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over its raw public key bytes."""
    return hashlib.sha256(public_key_bytes(algorithm, public_key)).hexdigest()[:16]


def _sign(algorithm: str, raw_private: bytes, public_key: str, message: bytes) -> str:
    """The signature as hex: Ed25519's 64 bytes, or SM2-with-SM3's r‖s (32 + 32 bytes)."""
    if algorithm == ED25519:
        return Ed25519PrivateKey.from_private_bytes(raw_private).sign(message).hex()
    if algorithm == SM2:
        point = _sm2_point(public_key)
        assert point is not None, "stored SM2 public key is not on the curve"
        crypt = _sm2(raw_private.hex(), point)
        while True:
            # Never gmssl's default nonce (random.choice): k from secrets, 1 ≤ k ≤ n-1.
            nonce = f"{secrets.randbelow(_SM2_N - 1) + 1:064x}"
            signature = crypt.sign_with_sm3(message, nonce)
            if signature:  # None when r = 0, r + k = n or s = 0: draw another nonce
                return str(signature)
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def signature_valid(algorithm: str, public_key: str, message: bytes, signature: str) -> bool:
    try:
        if algorithm == ED25519:
            loaded = serialization.load_pem_public_key(public_key.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                return False
            loaded.verify(bytes.fromhex(signature), message)
            return True
        if algorithm == SM2:
            point = _sm2_point(public_key)
            if point is None or len(signature) != 128:
                return False
            r, s = int(signature[:64], 16), int(signature[64:], 16)
            if not (0 < r < _SM2_N and 0 < s < _SM2_N):
                return False
            return bool(_sm2("", point).verify_with_sm3(signature.lower(), message))
    except (InvalidSignature, ValueError, TypeError, IndexError):
        return False
    return False


# --- keys of an organisation ----------------------------------------------------------------


def _lock_org_keys(org: Organization) -> None:
    """Serialise key creation and rotation per organisation (an advisory lock, not the org row,
    so that rows referencing the organisation are not held up)."""
    advisory_xact_lock("seal_key", org.pk)


def _new_key(org: Organization, algorithm: str, now: datetime) -> SealKey:
    raw, public_key = _generate(algorithm)
    key_id = key_fingerprint(algorithm, public_key)
    return SealKey.objects.create(
        org=org,
        algorithm=algorithm,
        key_id=key_id,
        public_key=public_key,
        private_key_encrypted=encrypt_private_key(raw, algorithm=algorithm, key_id=key_id),
        created_at=now,
    )


def _active_key(org: Organization) -> SealKey | None:
    return SealKey.objects.filter(org=org, retired_at__isnull=True).first()


def ensure_key(org: Organization, *, algorithm: str | None = None) -> SealKey:
    """The organisation's active seal key, made now (audited ``seal_key.created``) if it has none.

    Must run inside the caller's transaction. ``algorithm`` applies only to a key made here; an
    existing key is returned as it is. Two transactions that make an organisation's first key at
    once end with one key: the second waits for the first's lock and then finds its key.
    """
    assert connection.in_atomic_block, "seal keys are made inside the caller's transaction"
    # New keys use the deployment's algorithm: Ed25519 by default, SM2 for GB/T 38540-style sites.
    algorithm = algorithm or getattr(settings, "SEALFLOW_SEAL_ALGORITHM", ED25519)
    if algorithm not in SealKey.Algorithm.values:
        raise ValueError(f"unknown seal algorithm {algorithm!r}")
    key = _active_key(org)
    if key is not None:
        return key
    _lock_org_keys(org)
    key = _active_key(org)  # read again under the lock (a new statement sees a committed key)
    if key is not None:
        return key
    key = _new_key(org, algorithm, timezone.now())
    record_event(
        audit_events.SEAL_KEY_CREATED,
        actor=None,
        target=org,
        data={"key_id": key.key_id, "algorithm": key.algorithm, "public_key": key.public_key},
    )
    return key


@transaction.atomic(durable=True)
def rotate_key(org: Organization, *, actor: User, algorithm: str | None = None) -> SealKey:
    """Retire the organisation's active seal key and make a new one (by default of the same algorithm).

    Only a security administrator of the organisation may. The retired key and its public key
    stay, so the seals it made still verify. Audited ``seal_key.rotated`` on the organisation.
    """
    target = object_ref(org)
    if not permissions.can_manage_org(actor, org):
        raise NotPermitted(_("只有该组织的安全管理员可以更换印章密钥"), target=target)
    if algorithm is not None and algorithm not in SealKey.Algorithm.values:
        raise ValueError(f"unknown seal algorithm {algorithm!r}")
    _lock_org_keys(org)
    now = timezone.now()
    old = SealKey.objects.select_for_update().filter(org=org, retired_at__isnull=True).first()
    if old is not None:
        old.retired_at = now
        old.save(update_fields=["retired_at"])
    key = _new_key(org, algorithm or (old.algorithm if old is not None else ED25519), now)
    record_event(
        audit_events.SEAL_KEY_ROTATED,
        actor=actor,
        target=org,
        data={
            "key_id": key.key_id,
            "algorithm": key.algorithm,
            "public_key": key.public_key,
            "retired_key_id": old.key_id if old is not None else None,
        },
    )
    return key


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
    """
    assert connection.in_atomic_block, "seals are created inside the sign-off's transaction"
    key = ensure_key(org)
    head = (
        Seal.objects.filter(nomination=nomination).order_by("-sequence").values_list("sequence", "seal_hash").first()
    )
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
    raw = decrypt_private_key(key.private_key_encrypted, algorithm=key.algorithm, key_id=key.key_id)
    signature = _sign(key.algorithm, raw, key.public_key, message)
    # Check before storing: a private key that does not match its public key must not seal anything.
    if not signature_valid(key.algorithm, key.public_key, message, signature):
        raise SealKeyError(_("印章密钥 {key_id} 的私钥与公钥不匹配，无法盖章").format(key_id=key.key_id))
    return Seal.objects.create(
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
    if current_content_hash is not None and seals:
        last = seals[-1]
        payload, _why = _parse_payload(last.payload)
        if payload is not None and payload["content_hash"] != current_content_hash:
            problems.append(
                SealProblem(
                    SealProblem.CONTENT_CHANGED, last.sequence, "the nomination's content differs from the sealed one"
                )
            )
    return _unique(problems)


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
    for seq, action, _data in _nomination_events(nomination):
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
