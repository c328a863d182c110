"""Reads of objections, starting from what the user may see (404 outside)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import permissions
from accounts.models import User
from approvals.models import Objection
from config.db import get_in_scope


def visible_objections(user: User) -> QuerySet[Objection]:
    """The host's committee sees its campaigns' objections; the nominee's unit and an assigned
    investigator see the objections of their nominations / assignments. One SQL query."""
    committee = permissions.campaign_hosts_publicised_by(user)
    unit_roles = permissions.units_of_own_nominations(user)
    assigned = permissions.objections_investigated_by(user, Objection.objects.all())
    return Objection.objects.filter(
        Q(nomination__campaign__host_org__in=committee)
        | Q(nomination__unit__in=unit_roles)
        | Q(pk__in=assigned.values("pk"))
    )


def list_objections(
    user: User, *, campaign: int | None = None, nomination: int | None = None, status: str | None = None
) -> QuerySet[Objection]:
    objections = visible_objections(user).select_related("nomination", "nomination__campaign")
    if campaign is not None:
        objections = objections.filter(nomination__campaign_id=campaign)
    if nomination is not None:
        objections = objections.filter(nomination_id=nomination)
    if status:
        objections = objections.filter(status=status)
    return objections.order_by("id")


def get_visible_objection(user: User, pk: int) -> Objection:
    return get_in_scope(visible_objections(user).select_related("nomination", "nomination__campaign"), pk)


def my_investigations(user: User) -> QuerySet[Objection]:
    """The objections the user is the named investigator of (我的核查), newest first."""
    named = permissions.objections_investigated_by(user, Objection.objects.filter(investigator=user))
    return (
        Objection.objects.filter(pk__in=named.values("pk"))
        .select_related("nomination", "nomination__campaign", "nomination__unit")
        .order_by("-filed_at", "-id")
    )


def investigates_any(user: User) -> bool:
    """Is the user named investigator of some objection (the 我的核查 menu entry)?"""
    return Objection.objects.filter(investigator=user).exists()
