"""Sign-in lockout (等保: limit failed logins) that one NAT'd office cannot turn against everyone.

django-axes locks an (account, address) pair after ``AXES_FAILURE_LIMIT`` failures (5): one
address's failures lock neither the other accounts behind that address nor the account from
elsewhere. ``AccountLockoutBackend`` adds a longer per-account limit,
``SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT`` (20) failures from any addresses within the cool-off,
against guessing spread over many addresses. Both last ``AXES_COOLOFF_TIME``; a password reset
by code lifts them. The locked user is told how to get back in (``lockout_help``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import LockedOut


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_help() -> str:
    """How a locked-out user gets back in (the API's 429 detail, the web page)."""
    return _(
        "登录失败次数过多，该账户已被暂时锁定。请 {minutes} 分钟后再试；"
        "或请系统管理员向您登记的手机或邮箱发送密码重置验证码，在“凭验证码重置密码”页面（/password/reset/）"
        "设置新密码后即可登录。"
    ).format(minutes=cooloff_minutes())


def account_failures(username: str) -> int:
    """Failed sign-ins of ``username`` from all addresses within the cool-off (django-axes' records)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def clear_failures(username: str) -> None:
    """Forget the failed sign-ins of ``username`` (after a password reset by code)."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=username).delete()


class AccountLockoutBackend:
    """Refuses any sign-in of an account over the per-account limit, before the password is checked."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or not username:
            return
        if account_failures(username) >= settings.SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT:
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied(lockout_help())
        return

    # No get_user: this backend never signs anyone in, so no session may name it.


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a locked-out sign-in: JSON with a code for the API, a Chinese page for the web."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": LockedOut.code, "detail": lockout_help()}, status=429)
    context = {"minutes": cooloff_minutes(), "help": lockout_help()}
    return render(request, "accounts/locked_out.html", context, status=429)
