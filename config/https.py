"""HTTPS for the quick start: secure cookies on every request that came over HTTPS.

The embedded default serves plain HTTP on 127.0.0.1 and, behind a TLS proxy, HTTPS on the same
process; ``SESSION_COOKIE_SECURE = True`` would make logging in over plain HTTP impossible. This
middleware (config/settings/local.py) marks the session and CSRF cookies ``Secure`` whenever
``request.is_secure()`` (HTTPS, or the proxy header of ``SECURE_PROXY_SSL_HEADER``);
Django's SecurityMiddleware sends HSTS on exactly those requests. Production settings make the
cookies Secure always.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``"X-Forwarded-Proto: https"`` → ``("HTTP_X_FORWARDED_PROTO", "https")``; empty → None
    (trust no proxy header: only a direct TLS connection counts as HTTPS)."""
    if not value.strip():
        return None
    name, sep, expected = value.partition(":")
    if not sep or not name.strip() or not expected.strip():
        raise ValueError(f"SEALFLOW_SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', not {value!r}")
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


class SecureCookiesOverHttpsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response
