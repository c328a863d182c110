"""API authentication: knox tokens (hashed, expiring) and the web session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <token>``; an expired, revoked or malformed token is a 401."""

    def _cleanup_token(self, auth_token: Any) -> bool:
        """Refuse (and delete) this token once expired; nothing else.

        knox also reads every other token of the user on every request to delete the expired
        ones: one query per API call. Those are deleted when the user next logs in
        (``accounts.actions._issue_token``) and are refused meanwhile anyway.
        """
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class SessionAuthentication(DRFSessionAuthentication):
    """The signed-in web user; unsafe methods need the CSRF token."""
