"""Custody of the organisations' seal keys: making, storing, rotating and loading them.

One active key per sealing organisation. Private keys are stored encrypted with AES-256-GCM under a
master key that never enters the database: HKDF-SHA256 of the setting
``SEALFLOW_SEAL_KEY_ENCRYPTION_KEY`` or, when that is empty (embedded/dev mode), of 32 random bytes
in ``<DATA_DIR>/seal-master.key`` (setting ``SEALFLOW_SEAL_KEY_FILE``), made on first use.
``approvals.seals`` seals with the key ``ensure_key`` gives and the private key ``private_key_of``
loads.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Organization, User
from approvals import audit_events
from approvals.models import SealKey
from approvals.seal_algorithms import ED25519, generate_key_pair, key_fingerprint
from audit.trail import object_ref, record_event
from config import embedded
from config.db import advisory_xact_lock
from config.errors import NotPermitted

MASTER_KEY_SETTING = "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY"
KEY_FILE_SETTING = "SEALFLOW_SEAL_KEY_FILE"
KEY_FILE_NAME = "seal-master.key"
MIN_MASTER_KEY_CHARS = 32


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


def private_key_of(key: SealKey) -> bytes:
    """The raw private key of ``key``, decrypted for one signature; never stored or logged."""
    return decrypt_private_key(key.private_key_encrypted, algorithm=key.algorithm, key_id=key.key_id)


# --- keys of an organisation ----------------------------------------------------------------


def _lock_org_keys(org: Organization) -> None:
    """Serialise key creation and rotation per organisation (an advisory lock, not the org row,
    so that rows referencing the organisation are not held up)."""
    advisory_xact_lock("seal_key", org.pk)


def _new_key(org: Organization, algorithm: str, now: datetime) -> SealKey:
    raw, public_key = generate_key_pair(algorithm)
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
