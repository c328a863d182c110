"""The backup's key files under a passphrase (config/backup_keys.py): they come back only with
the same passphrase and an unchanged file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import backup_keys

FILES = {"seal-master.key": b"k" * 44 + b"\n", "audit-anchor.key": b"\x00\xffanchor"}


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_keys, "SCRYPT_N", 2**10)


def test_round_trip_and_no_clear_bytes() -> None:
    blob = backup_keys.encrypt_keys(FILES, "一个足够长的口令 2026")
    assert b"k" * 44 not in blob
    assert b"anchor" not in blob
    assert backup_keys.decrypt_keys(blob, "一个足够长的口令 2026") == FILES


def test_wrong_passphrase_is_refused() -> None:
    blob = backup_keys.encrypt_keys(FILES, "一个足够长的口令 2026")
    with pytest.raises(backup_keys.PassphraseError, match="wrong passphrase"):
        backup_keys.decrypt_keys(blob, "一个足够长的口令 2027")


@pytest.mark.parametrize("field", ["nonce", "ciphertext", "kdf"])
def test_a_changed_file_is_refused(field: str) -> None:
    document = json.loads(backup_keys.encrypt_keys(FILES, "一个足够长的口令 2026"))
    if field == "kdf":
        document["kdf"]["p"] = 2  # a weakened parameter must not pass as the original
    else:
        value = bytearray(document[field].encode())
        value[4] = ord("A") if value[4] != ord("A") else ord("B")
        document[field] = value.decode()
    with pytest.raises(backup_keys.PassphraseError):
        backup_keys.decrypt_keys(json.dumps(document).encode(), "一个足够长的口令 2026")


def test_passphrase_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(backup_keys.PASSPHRASE_ENV, raising=False)
    secret = tmp_path / "passphrase"
    secret.write_text("from a file for cron\n", encoding="utf-8")
    monkeypatch.setenv(backup_keys.PASSPHRASE_FILE_ENV, str(secret))
    assert backup_keys.passphrase(confirm=True) == "from a file for cron"
    monkeypatch.setenv(backup_keys.PASSPHRASE_ENV, "short")
    with pytest.raises(backup_keys.PassphraseError, match="at least 12"):
        backup_keys.passphrase(confirm=True)
    assert backup_keys.passphrase(confirm=False) == "short"  # an old archive's passphrase is what it is
