"""Settings for the product as the Quick start runs it on one machine.

Secrets: unless the environment sets them, the Django secret key, the audit anchor key and the
seal master key are random values made on the first start in the data folder (``.sealflow/``,
files 0600) and reused after (config.embedded.quick_start_secrets).
"""

from config import embedded
from config.https import proxy_ssl_header

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

_secrets = embedded.quick_start_secrets()
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_secrets["DJANGO_SECRET_KEY"])
SEALFLOW_AUDIT_ANCHOR_KEY = env("SEALFLOW_AUDIT_ANCHOR_KEY", default=_secrets["SEALFLOW_AUDIT_ANCHOR_KEY"])

# Sessions: a working day, HttpOnly (base.py); Secure and HSTS on every request made over HTTPS,
# directly or through a proxy that sets SEALFLOW_SECURE_PROXY_SSL_HEADER (e.g. "X-Forwarded-Proto: https").
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env("SEALFLOW_SECURE_PROXY_SSL_HEADER", default=""))
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)  # sent over HTTPS only
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1],
    "config.https.SecureCookiesOverHttpsMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1 :],
]

# Email: base.py writes each message to a file under .sealflow/mail unless SMTP is configured.
