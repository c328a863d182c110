"""Audit events that accounts writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

ORG_CREATED = register("org.created", _("创建组织"))
ORG_UPDATED = register("org.updated", _("修改组织"))
USER_CREATED = register("user.created", _("创建用户"))
USER_UPDATED = register("user.updated", _("修改用户"))
USER_DISABLED = register("user.disabled", _("停用用户"))
USER_ENABLED = register("user.enabled", _("启用用户"))
PASSWORD_CHANGED = register("user.password_changed", _("修改密码"))
PASSWORD_RESET = register("user.password_reset", _("重置密码"))
PASSWORD_RESET_CODE_ISSUED = register("user.password_reset_code_issued", _("发送密码重置验证码"))
PASSWORD_RESET_CODE_FAILED = register("user.password_reset_code_failed", _("密码重置验证码错误"))
GRANT_CREATED = register("grant.created", _("授予角色"))
GRANT_REVOKED = register("grant.revoked", _("撤销角色"))
LOGIN_SUCCEEDED = register("auth.login_succeeded", _("登录成功"))
LOGIN_FAILED = register("auth.login_failed", _("登录失败"))
LOGIN_LOCKED_OUT = register("auth.locked_out", _("登录被锁定"))
LOGGED_OUT = register("auth.logged_out", _("退出登录"))
ADMIN_ADDED = register("admin.added", _("管理后台新增"))
ADMIN_CHANGED = register("admin.changed", _("管理后台修改"))
ADMIN_DELETED = register("admin.deleted", _("管理后台删除"))
ADMIN_ACTION = register("admin.action", _("管理后台批量操作"))
