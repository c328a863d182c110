"""The outbox and the deliveries in the admin, read-only, for the system administrator (who runs
the system: a stuck message or a failing SMS gateway shows here). Addresses and texts are not
listed: they are personal data."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_site import RoleAdminMixin
from accounts.roles import SYSTEM_ADMINISTRATORS
from notifications.models import Delivery, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = SYSTEM_ADMINISTRATORS
    list_display = ("id", "kind", "dedupe_key", "created_at", "processed_at", "attempts", "last_error")
    list_filter = ("kind",)
    fields = list_display
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = SYSTEM_ADMINISTRATORS
    list_display = ("id", "message_id", "channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("channel", "status")
    fields = ("message", "channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    show_full_result_count = False
