"""Quick-start secrets in the data folder, production refusing to start without its own, and
cookies that are Secure (with HSTS) whenever the request came over HTTPS."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from config import embedded
from tests.factories import TEST_PASSWORD

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_ENV = ("DJANGO_SECRET_KEY", "SEALFLOW_AUDIT_ANCHOR_KEY", "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY")
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECRET_KEY, s.SEALFLOW_AUDIT_ANCHOR_KEY, s.SEALFLOW_SEAL_KEY_FILE, s.SESSION_COOKIE_AGE]))"
)


def settings_process(module: str, data_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in SECRET_ENV}
    env.update(DJANGO_SETTINGS_MODULE=module, SEALFLOW_DATA_DIR=str(data_dir), **extra)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PRINT_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_quick_start_secrets_are_random_0600_and_reused(tmp_path: Path) -> None:
    first = embedded.quick_start_secrets(tmp_path / "a")
    again = embedded.quick_start_secrets(tmp_path / "a")
    other = embedded.quick_start_secrets(tmp_path / "b")

    assert again == first
    assert first["DJANGO_SECRET_KEY"] != other["DJANGO_SECRET_KEY"]
    assert first["SEALFLOW_AUDIT_ANCHOR_KEY"] != other["SEALFLOW_AUDIT_ANCHOR_KEY"]
    assert first["DJANGO_SECRET_KEY"] != first["SEALFLOW_AUDIT_ANCHOR_KEY"]
    assert len(first["DJANGO_SECRET_KEY"]) >= 50
    assert embedded.LEGACY_DEVELOPMENT_KEY not in first.values()
    for name in (embedded.SECRET_KEY_FILE, embedded.ANCHOR_KEY_FILE, embedded.SEAL_KEY_FILE):
        assert stat.S_IMODE((tmp_path / "a" / name).stat().st_mode) == 0o600, name
    assert len((tmp_path / "a" / embedded.SEAL_KEY_FILE).read_bytes()) == 32
    seal_keys = {(tmp_path / name / embedded.SEAL_KEY_FILE).read_bytes() for name in ("a", "b")}
    assert len(seal_keys) == 2


def test_a_secret_file_others_may_read_is_refused(tmp_path: Path) -> None:
    embedded.quick_start_secrets(tmp_path)
    (tmp_path / embedded.SECRET_KEY_FILE).chmod(0o644)
    with pytest.raises(embedded.EmbeddedServerError, match="chmod 600"):
        embedded.quick_start_secrets(tmp_path)


def test_a_data_folder_from_before_the_files_keeps_verifying_its_anchors(tmp_path: Path) -> None:
    (tmp_path / "pg").mkdir()
    (tmp_path / "pg" / "PG_VERSION").write_text("18\n")
    made = embedded.quick_start_secrets(tmp_path)
    assert made["SEALFLOW_AUDIT_ANCHOR_KEY"] == embedded.LEGACY_DEVELOPMENT_KEY
    assert made["DJANGO_SECRET_KEY"] != embedded.LEGACY_DEVELOPMENT_KEY


def test_local_settings_make_the_secrets_on_the_first_start_and_reuse_them(tmp_path: Path) -> None:
    first = settings_process("config.settings.local", tmp_path)
    assert first.returncode == 0, first.stderr
    second = settings_process("config.settings.local", tmp_path)
    assert second.returncode == 0, second.stderr

    secret, anchor, seal_file, session_age = json.loads(first.stdout)
    assert json.loads(second.stdout) == [secret, anchor, seal_file, session_age]
    assert secret == (tmp_path / embedded.SECRET_KEY_FILE).read_text()
    assert anchor == (tmp_path / embedded.ANCHOR_KEY_FILE).read_text()
    assert secret != embedded.LEGACY_DEVELOPMENT_KEY
    assert Path(seal_file) == tmp_path / embedded.SEAL_KEY_FILE
    assert session_age == 8 * 3600


def test_production_settings_refuse_to_start_without_their_secrets(tmp_path: Path) -> None:
    given = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(48), "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY": "short"}
    refused = settings_process("config.settings.production", tmp_path, **given)

    assert refused.returncode != 0
    last = refused.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last
    assert "without its secrets: set SEALFLOW_AUDIT_ANCHOR_KEY, SEALFLOW_SEAL_KEY_ENCRYPTION_KEY to random" in last
    assert not (tmp_path / embedded.SECRET_KEY_FILE).exists(), "production made a key of its own"

    given.update(
        SEALFLOW_SEAL_KEY_ENCRYPTION_KEY=secrets.token_urlsafe(48), SEALFLOW_AUDIT_ANCHOR_KEY=secrets.token_urlsafe(48)
    )
    started = settings_process("config.settings.production", tmp_path, **given)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)[:2] == [given["DJANGO_SECRET_KEY"], given["SEALFLOW_AUDIT_ANCHOR_KEY"]]

    given["DJANGO_SECRET_KEY"] = embedded.LEGACY_DEVELOPMENT_KEY
    assert settings_process("config.settings.production", tmp_path, **given).returncode != 0


@pytest.fixture
def local_https(settings: Any) -> None:
    """The middleware and HSTS of config/settings/local.py on top of the test settings."""
    security = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: security + 1],
        "config.https.SecureCookiesOverHttpsMiddleware",
        *settings.MIDDLEWARE[security + 1 :],
    ]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
@pytest.mark.usefixtures("local_https")
@pytest.mark.parametrize(
    ("extra", "https"), [({}, False), ({"secure": True}, True), ({"HTTP_X_FORWARDED_PROTO": "https"}, True)]
)
def test_session_cookie_is_httponly_short_lived_and_secure_over_https(
    submitter: Any, extra: dict[str, Any], https: bool
) -> None:
    client = Client()
    response = client.post("/login/", {"username": submitter.username, "password": TEST_PASSWORD}, **extra)

    assert response.status_code == 302, response.content[:300]
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 8 * 3600
    assert bool(cookie["secure"]) is https
    assert ("Strict-Transport-Security" in response) is https
    if https:
        assert response["Strict-Transport-Security"] == "max-age=31536000"
