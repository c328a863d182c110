"""The key files inside a backup archive, encrypted with a passphrase the operator keeps.

A backup holds the database and the uploads; the Django secret key, the audit anchor key and the
seal master key must not travel beside them in clear (whoever finds the archive could then seal
and anchor in the host's name). They go into the archive as one ``keys.enc``: the key files
packed as JSON, encrypted with AES-256-GCM under a key derived from the passphrase by scrypt
(``cryptography``, already the seals' library; scrypt because it is memory-hard, so a stolen
archive costs a guesser memory as well as time). The header (format, KDF parameters, salt and
nonce) is authenticated as associated data, so a changed parameter fails like a wrong passphrase.

The passphrase comes from ``SEALFLOW_BACKUP_PASSPHRASE``, from the file named in
``SEALFLOW_BACKUP_PASSPHRASE_FILE`` (for cron), or from a prompt on a terminal.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import secrets
import sys
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "sealflow-keys-1"
PASSPHRASE_ENV = "SEALFLOW_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
PASSPHRASE_FILE_ENV = "SEALFLOW_BACKUP_PASSPHRASE_FILE"  # noqa: S105 - the same
MIN_PASSPHRASE = 12
# scrypt's interactive-strength parameters from its paper scaled up (N=2^17, r=8: 128 MiB,
# about 0.3 s here); read back from the header, so later archives may raise them.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1


class PassphraseError(Exception):
    """No usable passphrase, or one that does not open the archive's keys."""


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _header(salt: bytes, nonce: bytes, n: int, r: int, p: int) -> dict[str, object]:
    return {
        "format": FORMAT,
        "kdf": {"name": "scrypt", "n": n, "r": r, "p": p, "salt": base64.b64encode(salt).decode()},
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode(),
    }


def _aad(header: dict[str, object]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def encrypt_keys(files: dict[str, bytes], passphrase: str) -> bytes:
    """``keys.enc``: one JSON document, the header and the ciphertext of the named files."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = _header(salt, nonce, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    plain = json.dumps({name: base64.b64encode(data).decode() for name, data in files.items()}).encode()
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(key).encrypt(nonce, plain, _aad(header))
    return json.dumps({**header, "ciphertext": base64.b64encode(ciphertext).decode()}, indent=1).encode()


def decrypt_keys(blob: bytes, passphrase: str) -> dict[str, bytes]:
    """The key files of a ``keys.enc``; :class:`PassphraseError` for a wrong passphrase or a
    changed file (GCM cannot tell the two apart, and neither may be used)."""
    try:
        document = json.loads(blob)
        kdf = document["kdf"]
        header = _header(
            base64.b64decode(kdf["salt"]), base64.b64decode(document["nonce"]), kdf["n"], kdf["r"], kdf["p"]
        )
        if document.get("format") != FORMAT or kdf.get("name") != "scrypt":
            raise PassphraseError(f"keys.enc is not in the {FORMAT} format")
        key = _derive(passphrase, base64.b64decode(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
        plain = AESGCM(key).decrypt(base64.b64decode(document["nonce"]), base64.b64decode(document["ciphertext"]),
                                    _aad(header))  # fmt: skip
    except InvalidTag:
        raise PassphraseError(
            "the passphrase does not open this backup's keys (wrong passphrase or a changed archive)"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PassphraseError(f"keys.enc cannot be read: {exc}") from exc
    return {name: base64.b64decode(data) for name, data in json.loads(plain).items()}


def passphrase(*, confirm: bool) -> str:
    """The operator's passphrase: the environment, a file, or a prompt (twice when ``confirm``)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None and os.environ.get(PASSPHRASE_FILE_ENV):
        path = Path(os.environ[PASSPHRASE_FILE_ENV])
        try:
            value = path.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise PassphraseError(f"{PASSPHRASE_FILE_ENV}: cannot read {path}: {exc.strerror}") from exc
    if value is None:
        if not sys.stdin.isatty():
            raise PassphraseError(
                f"the key files are encrypted in the archive: set {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV}, "
                "or run it on a terminal to be asked"
            )
        value = getpass.getpass("backup passphrase: ")
        if confirm and getpass.getpass("again: ") != value:
            raise PassphraseError("the two passphrases differ")
    if confirm and len(value) < MIN_PASSPHRASE:
        raise PassphraseError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
    if not value:
        raise PassphraseError("an empty passphrase")
    return value
