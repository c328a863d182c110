"""The one exception hierarchy: each business error has a stable ``code`` and a Chinese message.

Clients and tests match on ``code`` (style.md §4); ``config/api/errors.py`` maps each class to
its HTTP status. App-specific errors subclass these in ``<app>/exceptions.py``.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SealflowError(Exception):
    """Base for every business-rule failure."""

    code = "error"
    message: str | Promise = _("操作失败")
    status = 400

    def __init__(self, message: str | Promise | None = None, *, target: tuple[str, str] | None = None, **data: Any):
        self.detail = str(message if message is not None else self.message)
        super().__init__(self.detail)
        # (object type, object id) that the refused action was about; the audit trail keys on it.
        self.target = target
        self.data = data


class InvalidInput(SealflowError):
    """Input that breaks a rule; ``errors`` maps field names to messages (HTTP 400)."""

    code = "invalid"
    message = _("输入有误，请检查后重试")
    status = 400

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        code: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(message, **kwargs)
        self.errors = errors or {}
        if code:
            self.code = code

    @classmethod
    def for_field(cls, field: str, message: str | Promise, code: str | None = None) -> InvalidInput:
        return cls(message, errors={field: [str(message)]}, code=code)


class NotPermitted(SealflowError):
    """The caller may see the object but may not do this (HTTP 403); audited as a refusal."""

    code = "permission_denied"
    message = _("您没有执行此操作的权限")
    status = 403


class NotVisible(SealflowError):
    """Missing, or outside the caller's scope: the same answer for both (HTTP 404)."""

    code = "not_found"
    message = _("对象不存在或不在您的权限范围内")
    status = 404


class StateConflict(SealflowError):
    """The object's state no longer allows this (HTTP 409)."""

    code = "state_conflict"
    message = _("当前状态不允许此操作")
    status = 409


class RateLimited(SealflowError):
    """Too many attempts (HTTP 429)."""

    code = "rate_limited"
    message = _("尝试次数过多，请稍后再试")
    status = 429


class ServiceUnavailable(SealflowError):
    """A server the request needs (PostgreSQL, Redis) does not answer now (HTTP 503); try again later."""

    code = "service_unavailable"
    message = _("服务暂时不可用，请稍后重试")
    status = 503


class RateLimitUnavailable(ServiceUnavailable):
    """A public endpoint's rate limit cannot be counted (Redis down): refused rather than unlimited."""

    code = "rate_limit_unavailable"
    message = _("系统暂时无法核对提交频率，请稍后再试")


class StorageFull(SealflowError):
    """The disk holding uploads is full or the file exceeds what it may hold (HTTP 507); nothing was saved."""

    code = "storage_full"
    message = _("服务器存储空间不足，文件未保存，请稍后再试或联系系统管理员")
    status = 507


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` means PostgreSQL or Redis is unreachable (or went away) rather than a bug.

    Django wraps the driver's connection failures as ``OperationalError``/``InterfaceError``;
    redis-py raises ``ConnectionError``/``TimeoutError`` (both ``OSError``-like, not builtins).
    """
    import redis.exceptions
    from django.db import InterfaceError, OperationalError

    return isinstance(
        exc, OperationalError | InterfaceError | redis.exceptions.ConnectionError | redis.exceptions.TimeoutError
    )
