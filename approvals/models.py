"""A nomination's life and its audit trail; split into a package when it grows (style.md §1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only record of who did what to which object, written in the action's transaction.

    A database trigger refuses UPDATE and DELETE; ``hash`` chains the events of one object
    (``object_type``, ``object_id``) in ``seq`` order (approvals/sealing.py).
    """

    class Action(models.TextChoices):
        ORG_CREATED = "org.created", _("创建组织")
        ORG_UPDATED = "org.updated", _("修改组织")
        USER_CREATED = "user.created", _("创建用户")
        USER_UPDATED = "user.updated", _("修改用户")
        USER_DISABLED = "user.disabled", _("停用用户")
        USER_ENABLED = "user.enabled", _("启用用户")
        PASSWORD_CHANGED = "user.password_changed", _("修改密码")
        PASSWORD_RESET = "user.password_reset", _("重置密码")
        GRANT_CREATED = "grant.created", _("授予角色")
        GRANT_REVOKED = "grant.revoked", _("撤销角色")
        LOGIN_SUCCEEDED = "auth.login_succeeded", _("登录成功")
        LOGIN_FAILED = "auth.login_failed", _("登录失败")
        LOGIN_LOCKED_OUT = "auth.locked_out", _("登录被锁定")
        LOGGED_OUT = "auth.logged_out", _("退出登录")
        PERMISSION_DENIED = "permission.denied", _("拒绝越权操作")
        PERSONAL_DATA_READ = "personal_data.read", _("查看个人信息")
        AUDIT_VERIFIED = "audit.verified", _("校验审计链")

    occurred_at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=64, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人"), max_length=200)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    seq = models.PositiveIntegerField()
    data: models.JSONField[Any, Any] = models.JSONField(_("内容"), default=dict, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id", "seq"], name="audit_chain_unique_seq"),
        ]
        indexes = [
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["occurred_at"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}#{self.seq}"


class AuditAnchor(models.Model):
    """A signed snapshot of the chain heads changed since the previous anchor (append-only).

    Verification checks that every anchored head still exists with the same hash, which finds
    a deleted or rewritten tail that a chain alone cannot show.
    """

    created_at = models.DateTimeField()
    last_event_id = models.BigIntegerField()
    head_count = models.PositiveIntegerField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"anchor {self.pk} ≤ {self.last_event_id}"


class AuditAnchorHead(models.Model):
    anchor = models.ForeignKey(AuditAnchor, on_delete=models.PROTECT, related_name="heads")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="anchorhead_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}#{self.seq}"
