"""Security of the web pages: deploy checks, CSP, clickjacking, CSRF, secure cookies in production."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "SEALFLOW_AUDIT_ANCHOR_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "sealflow.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_secure_cookies_hsts_and_csp():
    from django.conf import settings

    source = (BASE_DIR / "config" / "settings" / "production.py").read_text()
    for line in ("SESSION_COOKIE_SECURE = True", "CSRF_COOKIE_SECURE = True", "SECURE_HSTS_SECONDS"):
        assert line in source
    assert settings.X_FRAME_OPTIONS == "DENY"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_pages_send_csp_and_refuse_framing(submitter):
    client = Client()
    client.force_login(submitter)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_login_form_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline script and style: none may creep into a template."""
    offenders = []
    for path in (BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text()
        if "<script>" in text or "<style" in text or " style=" in text or " onclick=" in text:
            offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []


def test_templates_and_static_files_name_no_other_server():
    """Intranets have no internet: no CDN, no web font, no script from anywhere else."""
    offenders = []
    for folder in ("templates", "static"):
        for path in (BASE_DIR / folder).rglob("*"):
            if path.suffix in (".html", ".css", ".js"):
                text = path.read_text()
                if "http://" in text or "https://" in text or '="//' in text or "url(//" in text:
                    offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []
