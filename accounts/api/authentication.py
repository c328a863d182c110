"""API authentication: knox tokens (hashed, expiring) and the web session (with CSRF)."""

from __future__ import annotations

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <token>``; an expired, revoked or malformed token is a 401."""


class SessionAuthentication(DRFSessionAuthentication):
    """The signed-in web user; unsafe methods need the CSRF token."""
