"""``python -m config.launcher backup`` / ``restore`` with real processes: a data folder with the
demo campaigns, its audit trail, an upload and its keys is archived, restored into a fresh data
folder, and found whole there (counts, files, keys, the audit chain verifies)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from config import embedded
from tests.config.test_launcher import SERVER_ENV, folder_outside_pytest_tmp

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent.parent
COUNTS = (
    "from accounts.models import User; from workflows.models import Campaign; from audit.models import AuditEvent; "
    "print(User.objects.count(), Campaign.objects.count(), AuditEvent.objects.count())"
)


PASSPHRASE = "县局备份口令 2026 winter"


def in_folder(
    data_dir: Path, *args: str, timeout: int = 300, passphrase: str | None = PASSPHRASE
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in SERVER_ENV}
    env.pop("SEALFLOW_BACKUP_PASSPHRASE", None)
    env.pop("SEALFLOW_BACKUP_PASSPHRASE_FILE", None)
    env.update(SEALFLOW_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings.local")
    if passphrase is not None:
        env["SEALFLOW_BACKUP_PASSPHRASE"] = passphrase
    return subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_backup_restores_into_a_fresh_data_folder() -> None:
    with folder_outside_pytest_tmp() as folder:
        old, new, archive = folder / "old", folder / "new", folder / "sealflow.tar.gz"
        ok(in_folder(old, "manage.py", "migrate", "--noinput", "-v0"))
        ok(in_folder(old, "manage.py", "load_demo"))
        (old / "media" / "attachments").mkdir(parents=True)
        (old / "media" / "attachments" / "证明材料.pdf").write_bytes(b"%PDF-1.4 sealflow backup test\n")
        counts = ok(in_folder(old, "manage.py", "shell", "-v0", "-c", COUNTS)).split()
        assert int(counts[2]) > 0

        # Without a passphrase (no terminal to ask on) nothing is written: keys never go in clear.
        refused = in_folder(old, "-m", "config.launcher", "backup", str(archive), passphrase=None)
        assert refused.returncode == 2
        assert "SEALFLOW_BACKUP_PASSPHRASE" in refused.stderr
        assert not archive.exists()

        ok(in_folder(old, "-m", "config.launcher", "backup", str(archive)))
        assert archive.stat().st_mode & 0o777 == 0o600
        with tarfile.open(archive) as tar:
            names = set(tar.getnames())
            members = {name: tar.extractfile(name) for name in names if tar.getmember(name).isfile()}
            contents = b"".join(member.read() for member in members.values() if member is not None)
        assert {"database.dump", "manifest.json", "keys.enc", "media/attachments/证明材料.pdf"} <= names
        assert not [name for name in names if name.startswith("keys/")]
        for name in (embedded.SECRET_KEY_FILE, embedded.ANCHOR_KEY_FILE, embedded.SEAL_KEY_FILE):
            assert (old / name).read_bytes().strip() not in contents, f"{name} is in the archive in clear"

        # A wrong passphrase restores nothing: the database of the new folder stays empty.
        wrong = in_folder(new, "-m", "config.launcher", "restore", str(archive), passphrase="not the passphrase")
        assert wrong.returncode == 2, wrong.stderr[-2000:]
        assert "nothing was restored" in wrong.stderr
        assert not (new / embedded.SEAL_KEY_FILE).exists()

        ok(in_folder(new, "-m", "config.launcher", "restore", str(archive)))
        assert ok(in_folder(new, "manage.py", "shell", "-v0", "-c", COUNTS)).split() == counts
        assert (new / "media" / "attachments" / "证明材料.pdf").read_bytes() == b"%PDF-1.4 sealflow backup test\n"
        for name in (embedded.SECRET_KEY_FILE, embedded.ANCHOR_KEY_FILE, embedded.SEAL_KEY_FILE):
            assert (new / name).read_bytes() == (old / name).read_bytes(), name
            assert (new / name).stat().st_mode & 0o777 == 0o600
        assert ok(in_folder(new, "manage.py", "verify_audit", "--quiet")).strip().endswith("valid")
        ok(in_folder(new, "manage.py", "verify_seals"))
        assert ok(in_folder(new, "manage.py", "migrate", "--check", "-v0")) == ""

        again = in_folder(new, "-m", "config.launcher", "restore", str(archive))
        assert again.returncode == 2
        assert "already has tables" in again.stderr
