"""Model admins opened to the administrators by role (三员分立), never by ``is_staff``, and audited.

Each model admin names which roles may view and which may change; every other account sees
nothing. Every save, delete and bulk action made through a model admin writes an audit event
(``accounts.admin_actions``) in the same transaction, unless the model admin says its writes go
through business actions that audit themselves (``writes_through_actions``). The site itself
(headers, the sign-in form, third-party admins) is configured in ``portal/admin_site.py``.
"""

from __future__ import annotations

from functools import partial, wraps
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import admin_actions
from accounts.models import User
from accounts.permissions import holds_any
from accounts.roles import Role


def _holds(request: HttpRequest, roles: frozenset[Role]) -> bool:
    user = request.user
    return bool(roles) and user.is_authenticated and user.is_active and holds_any(user, roles)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class RoleAdminMixin:
    """Permissions from roles (``view_roles`` may list and read, ``change_roles`` may also edit), and
    every write audited (``admin.added`` / ``admin.changed`` / ``admin.deleted`` / ``admin.action``)."""

    view_roles: ClassVar[frozenset[Role]] = frozenset()
    change_roles: ClassVar[frozenset[Role]] = frozenset()
    # True for model admins whose save / delete / actions call audited business actions themselves.
    writes_through_actions: ClassVar[bool] = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _holds(request, self.view_roles | self.change_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.view_roles | self.change_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _holds(request, self.change_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.change_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.change_roles)

    # --- audited writes (ModelAdmin hooks) ------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changed = list(getattr(form, "changed_data", []) or [])
        admin_actions.save_admin_object(obj, actor=_actor(request), changed_fields=changed, created=not change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_actions.delete_admin_object(obj, actor=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        actor = _actor(request)
        for obj in queryset:
            admin_actions.delete_admin_object(obj, actor=actor)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)  # type: ignore[misc]
        if self.writes_through_actions:
            return actions
        audited = {}
        for name, (func, action_name, description) in actions.items():
            if name == "delete_selected":  # Django's own: deletes through delete_queryset above
                audited[name] = (func, action_name, description)
            else:
                audited[name] = (_audited_action(func, action_name), action_name, description)
        return audited


def _audited_action(func: Any, name: str) -> Any:
    @wraps(func)
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return admin_actions.run_admin_action(
            name, partial(func, modeladmin, request), queryset, actor=_actor(request)
        )

    return run


__all__ = ["RoleAdminMixin"]
