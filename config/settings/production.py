"""Production: everything that must differ comes from the environment (docs/deploy.md).

It refuses to start without its secrets: no development default, no key made on the fly.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config import embedded
from config.https import proxy_ssl_header

from .base import *  # noqa: F403
from .base import env

MIN_SECRET_CHARS = 32
REQUIRED_SECRETS = ("DJANGO_SECRET_KEY", "SEALFLOW_AUDIT_ANCHOR_KEY", "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY")


def _missing_secrets() -> list[str]:
    values = {name: os.environ.get(name, "") for name in REQUIRED_SECRETS}
    return [
        name
        for name, value in values.items()
        if len(value) < MIN_SECRET_CHARS or value == embedded.LEGACY_DEVELOPMENT_KEY
    ]


if _missing_secrets():
    raise ImproperlyConfigured(
        f"config.settings.production will not start without its secrets: set {', '.join(_missing_secrets())} "
        f"to random values of at least {MIN_SECRET_CHARS} characters each, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'. Keep SEALFLOW_AUDIT_ANCHOR_KEY and "
        "SEALFLOW_SEAL_KEY_ENCRYPTION_KEY (an installation that ran without SEALFLOW_AUDIT_ANCHOR_KEY signed "
        "its anchors with DJANGO_SECRET_KEY: set it to that value)."
    )

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
SEALFLOW_AUDIT_ANCHOR_KEY = env("SEALFLOW_AUDIT_ANCHOR_KEY")
SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = env("SEALFLOW_SEAL_KEY_ENCRYPTION_KEY")
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env("SEALFLOW_SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto: https"))
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
