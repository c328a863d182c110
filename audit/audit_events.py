"""Audit events that the audit trail itself writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

PERMISSION_DENIED = register("permission.denied", _("拒绝越权操作"))
PERSONAL_DATA_READ = register("personal_data.read", _("查看个人信息"))
AUDIT_VERIFIED = register("audit.verified", _("校验审计链"))
