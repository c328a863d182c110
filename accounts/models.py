"""People, the organisation tree and role grants: the "who" of sealflow."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import OrgKind, Role


class Organization(models.Model):
    """A node of the tree city → district → township → unit (→ party organisation).

    ``path`` is the materialised path of ids ("/1/7/42/"), maintained by the actions, so that
    "everything below X" is one indexed ``LIKE 'prefix%'`` query at any depth.
    """

    Kind = OrgKind

    name = models.CharField(_("名称"), max_length=200)
    code = models.CharField(_("编码"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=512, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "id"], name="org_parent_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read off the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


class User(AbstractUser):
    """A person who signs in. ``org`` is the organisation the account belongs to."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    org = models.ForeignKey(
        Organization,
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # Set on an account created by the system administrator: its initial password was chosen by
    # someone else, so the owner sets their own before anything else (三员分立, api.md Accounts).
    must_change_password = models.BooleanField(_("须在首次登录时修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        """How the audit trail names this person, kept even after the account is gone."""
        return f"{self.display_name}({self.username})" if self.display_name else self.username


class Grant(models.Model):
    """``user`` holds ``role`` at ``org`` (null org: system-wide, for the administrative roles only)."""

    Role = Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org = models.ForeignKey(
        Organization, verbose_name=_("组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"], name="grant_unique_user_role_org", nulls_distinct=False
            ),
        ]
        indexes = [
            models.Index(fields=["user", "role"], name="grant_user_role_idx"),
            models.Index(fields=["role", "org"], name="grant_role_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.org_id or '*'}"


class PasswordResetCode(models.Model):
    """A one-time code that lets an account's owner set a new password (三员分立: the system
    administrator asks for it, the code goes to the owner's phone / e-mail, never to the administrator).

    Only a keyed hash of the code is stored; it is valid until ``expires_at``, for a limited
    number of wrong attempts, and once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_codes")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("密码重置验证码")
        verbose_name_plural = _("密码重置验证码")
        indexes = [models.Index(fields=["user", "created_at"], name="reset_code_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.created_at:%Y-%m-%d %H:%M}"


__all__ = ["Grant", "Organization", "PasswordResetCode", "User"]
