"""Read-only admin views of the tree, accounts and grants; changes go through the audited actions."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_site import RoleAdminMixin
from accounts.models import Grant, Organization, User
from accounts.roles import Role

_READERS = frozenset({Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR})


@admin.register(Organization)
class OrganizationAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = _READERS
    list_display = ("name", "code", "kind", "parent", "depth")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = frozenset({Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN})
    list_display = ("username", "display_name", "org", "is_active", "last_login")
    search_fields = ("username", "display_name")
    fields = ("username", "display_name", "org", "is_active", "last_login", "date_joined", "password_changed_at")


@admin.register(Grant)
class GrantAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR})
    list_display = ("user", "role", "org", "granted_by", "created_at")
    list_filter = ("role",)
