from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import RoleAdminMixin
from accounts.roles import AUDITORS
from audit.models import AuditEvent
from audit.registry import all_events


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, named by its label (the column holds the dotted name only)."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return all_events()

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The audit trail for the auditor: read-only (a trigger refuses changes anyway)."""

    view_roles = AUDITORS
    list_display = ("id", "occurred_at", "action_shown", "actor_label", "object_type", "object_id", "seq")
    list_filter = (ActionFilter, "object_type")
    search_fields = ("object_id", "actor_label")
    show_full_result_count = False

    @admin.display(description=_("操作"), ordering="action")
    def action_shown(self, event: AuditEvent) -> str:
        return event.action_label
