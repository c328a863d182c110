from __future__ import annotations

from django.contrib import admin

from accounts.roles import AUDITORS
from approvals.models import AuditEvent
from config.admin_site import RoleAdminMixin, configure_admin_site


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The audit trail for the auditor: read-only (a trigger refuses changes anyway)."""

    view_roles = AUDITORS
    list_display = ("id", "occurred_at", "action", "actor_label", "object_type", "object_id", "seq")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label")
    show_full_result_count = False


configure_admin_site()
