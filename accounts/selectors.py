"""Reads of accounts data, always starting from what the user may see (404 outside)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import permissions
from accounts.models import Grant, Organization, User
from config.db import get_in_scope


def get_visible_org(user: User, pk: int) -> Organization:
    return get_in_scope(permissions.visible_orgs(user), pk)


def get_visible_user(user: User, pk: int) -> User:
    return get_in_scope(permissions.visible_users(user).select_related("org"), pk)


def get_visible_grant(user: User, pk: int) -> Grant:
    return get_in_scope(permissions.visible_grants(user).select_related("org", "user"), pk)


def list_orgs(
    user: User,
    *,
    parent: int | None = None,
    kind: str | None = None,
    under: Organization | None = None,
    q: str | None = None,
) -> QuerySet[Organization]:
    """Visible organisations, optionally only the children of ``parent`` or the subtree of ``under``."""
    orgs = permissions.visible_orgs(user)
    if parent is not None:
        orgs = orgs.filter(parent_id=parent)
    if kind:
        orgs = orgs.filter(kind=kind)
    if under is not None:
        orgs = orgs.filter(path__startswith=under.path)
    if q:
        orgs = orgs.filter(name__contains=q)
    return orgs.order_by("id")


def subtree(org: Organization) -> QuerySet[Organization]:
    """``org`` and everything below it, at any depth, in one query."""
    return Organization.objects.filter(path__startswith=org.path)


def list_users(user: User, *, org: int | None = None, q: str | None = None) -> QuerySet[User]:
    users = permissions.visible_users(user).select_related("org")
    if org is not None:
        users = users.filter(org_id=org)
    if q:
        users = users.filter(username__contains=q) | users.filter(display_name__contains=q)
    return users.order_by("id")


def list_grants(
    user: User, *, for_user: int | None = None, role: str | None = None, org: int | None = None
) -> QuerySet[Grant]:
    grants = permissions.visible_grants(user).select_related("org", "user")
    if for_user is not None:
        grants = grants.filter(user_id=for_user)
    if role:
        grants = grants.filter(role=role)
    if org is not None:
        grants = grants.filter(org_id=org)
    return grants.order_by("id")


def roles_held(user: User) -> frozenset[str]:
    """The roles an active user holds anywhere (one query)."""
    return frozenset(Grant.objects.filter(user_id=user.pk, user__is_active=True).values_list("role", flat=True))


def list_own_grants(user: User) -> QuerySet[Grant]:
    """The user's own grants with their organisations, oldest first (the home page lists them)."""
    return user.grants.select_related("org").order_by("id")
