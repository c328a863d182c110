"""The one place that answers "may this user do this at this organisation".

Scope is role + organisation: a grant at an organisation covers that organisation, and for the
roles whose meaning says so (``accounts.roles.ROLE_SCOPE``) everything below it. Every answer is
one SQL query (or a lazy queryset usable as a subquery), whatever the depth of the tree.
django-guardian sits behind this module for grants that are truly per object (an assigned
judge, an objection's investigator); nothing here makes one guardian row per nomination.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr

from accounts.models import Grant, Organization, User
from accounts.roles import ADMIN_ROLES, ROLE_SCOPE, Role, Scope

_M = TypeVar("_M", bound=Model)


def _grants(user: User, roles: Iterable[Role]) -> QuerySet[Grant]:
    return Grant.objects.filter(user_id=user.pk, role__in=list(roles), user__is_active=True)


def _covering(grants: QuerySet[Grant], org_ref: OuterRef | Organization) -> QuerySet[Grant]:
    """Grants among ``grants`` that cover the organisation ``org_ref`` (an OuterRef to an org row or an org)."""
    if isinstance(org_ref, Organization):
        # The path names every ancestor: no join on the organisation table is needed.
        subtree = Q(org_id__in=[*org_ref.ancestor_ids(), org_ref.pk])
        exact = Q(org_id=org_ref.pk)
    else:
        # The grant's org path is a prefix of the outer org's path.
        subtree = Q(org__path=Substr(org_ref, 1, Length("org__path")))
        exact = Q(org__path=org_ref)
    subtree_roles = [role for role, scope in ROLE_SCOPE.items() if scope is Scope.SUBTREE]
    return grants.filter(Q(org__isnull=True) | exact | (Q(role__in=subtree_roles) & subtree))


def has_role_at(user: User, role: Role | Iterable[Role], org: Organization | None) -> bool:
    """Does ``user`` hold ``role`` (one of ``role``) at ``org``, directly or through an organisation above it?

    ``org=None`` asks for a system-wide grant.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    roles = [role] if isinstance(role, str) else list(role)
    grants = _grants(user, roles)
    if org is None:
        return grants.filter(org__isnull=True).exists()
    return _covering(grants, org).exists()


def holds_role_at_ref(user: User, role: OuterRef, org_path: OuterRef) -> Exists:
    """``has_role_at(user, <row's role>, <row's organisation>)`` as SQL, for an annotation of that row.

    ``role`` and ``org_path`` refer to the outer row's role column and its organisation's path
    (a row without an organisation has a NULL path and so no match). The caller still checks
    ``user.is_active`` (the grants' join checks the stored flag).
    """
    grants = Grant.objects.filter(user_id=user.pk, role=role, user__is_active=True)
    return Exists(_covering(grants, org_path))


def orgs_where(user: User, role: Role | Iterable[Role]) -> QuerySet[Organization]:
    """Organisations at which ``user`` may act as ``role``: lazy, usable as a subquery (``org__in=``)."""
    roles = [role] if isinstance(role, str) else list(role)
    grants = _grants(user, roles)
    return Organization.objects.filter(Exists(_covering(grants, OuterRef("path"))))


def holds_any(user: User, roles: Iterable[Role]) -> bool:
    return _grants(user, roles).exists()


def is_security_admin(user: User) -> bool:
    return holds_any(user, [Role.SECURITY_ADMIN])


# --- the questions the accounts actions ask ------------------------------------------------


def can_manage_org(user: User, org: Organization | None) -> bool:
    """Create below, rename or move ``org`` (``None``: create a root organisation)."""
    return has_role_at(user, Role.SECURITY_ADMIN, org)


def can_manage_user(user: User, target: User) -> bool:
    """Change the account ``target`` (belonging to ``target.org``)."""
    return has_role_at(user, Role.SECURITY_ADMIN, target.org)


def can_grant_at(user: User, org: Organization | None) -> bool:
    return has_role_at(user, Role.SECURITY_ADMIN, org)


def conflicting_roles(role: Role, held: Iterable[str]) -> set[str]:
    """Roles already held that 三员分立 forbids next to ``role``."""
    held = set(held) - {role}
    if role in ADMIN_ROLES:
        return held
    return held & set(ADMIN_ROLES)


# --- scopes for reading (404 outside) -------------------------------------------------------

_STAFF_ROLES = [Role.SECURITY_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN]


def visible_orgs(user: User) -> QuerySet[Organization]:
    """Organisations the user may see: everything at or below any of their grants, and the ancestors."""
    grants = Grant.objects.filter(user_id=user.pk, user__is_active=True)
    below = Exists(grants.filter(Q(org__isnull=True) | Q(org__path=Substr(OuterRef("path"), 1, Length("org__path")))))
    # An ancestor's path is a prefix of the grant's org path.
    above = Exists(grants.filter(org__path__startswith=OuterRef("path")))
    home = Q(pk=user.org_id) if user.org_id else Q(pk__in=[])
    return Organization.objects.filter(below | above | home)


def visible_users(user: User) -> QuerySet[User]:
    """Accounts the user may see: the administrative roles see the accounts of their organisations."""
    staff_orgs = orgs_where(user, _STAFF_ROLES)
    system_wide = Exists(_grants(user, _STAFF_ROLES).filter(org__isnull=True))
    return User.objects.filter(Q(pk=user.pk) | Q(org__in=staff_orgs) | Q(system_wide))


def visible_grants(user: User) -> QuerySet[Grant]:
    """Grants the user may see: their own, and those at organisations they administer."""
    staff_orgs = orgs_where(user, _STAFF_ROLES)
    system_wide = Exists(_grants(user, _STAFF_ROLES).filter(org__isnull=True))
    return Grant.objects.filter(Q(user_id=user.pk) | Q(org__in=staff_orgs) | Q(system_wide))


def may_read_personal_data(user: User, target: User) -> bool:
    """Full phone numbers: the person themself and the security administrator of their organisation."""
    return user.pk == target.pk or has_role_at(user, Role.SECURITY_ADMIN, target.org)


def mask_phone(phone: str) -> str:
    """ "13812345678" → "138****5678" (personal information, PIPL)."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# --- per-object grants (django-guardian): only what is truly per object ----------------------


def grant_object_permission(user: User, perm: str, obj: Model) -> None:
    """Give ``user`` the object permission ``perm`` ("app.codename") on ``obj`` (e.g. an objection's investigator)."""
    from guardian.shortcuts import assign_perm

    assign_perm(perm, user, obj)


def revoke_object_permission(user: User, perm: str, obj: Model) -> None:
    from guardian.shortcuts import remove_perm

    remove_perm(perm, user, obj)


def has_object_permission(user: User, perm: str, obj: Model) -> bool:
    """Does the active ``user`` hold ``perm`` on ``obj`` itself (not through a global permission)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    from guardian.core import ObjectPermissionChecker

    return bool(ObjectPermissionChecker(user).has_perm(perm.split(".", 1)[-1], obj))


def objects_with_permission(user: User, perm: str, queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The objects of ``queryset`` on which ``user`` holds ``perm``: lazy, usable as a subquery."""
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=False)


__all__ = [
    "can_grant_at",
    "can_manage_org",
    "can_manage_user",
    "conflicting_roles",
    "grant_object_permission",
    "has_object_permission",
    "has_role_at",
    "holds_any",
    "is_security_admin",
    "mask_phone",
    "may_read_personal_data",
    "objects_with_permission",
    "orgs_where",
    "revoke_object_permission",
    "visible_grants",
    "visible_orgs",
    "visible_users",
]


def can_read_audit(user: User) -> bool:
    """Only auditors read and verify the audit trail (三员分立)."""
    return holds_any(user, [Role.AUDITOR])
