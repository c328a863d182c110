"""The one place that answers "may this user do this at this organisation".

Scope is role + organisation: a grant at an organisation covers that organisation, and for the
roles whose meaning says so (``accounts.roles.ROLE_SCOPE``) everything below it. Every answer is
one SQL query (or a lazy queryset usable as a subquery), whatever the depth of the tree.
django-guardian sits behind this module for grants that are truly per object (an assigned
judge, an objection's investigator); nothing here makes one guardian row per nomination.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr

from accounts.models import Grant, Organization, User
from accounts.roles import (
    ADMIN_ROLES,
    ADMIN_SITE_ROLES,
    HOST_ROLES,
    ORGANISER_ROLES,
    QUOTA_ROLES,
    REVIEWER_ROLES,
    SUBTREE_ROLES,
    UNIT_ROLES,
    Role,
)

if TYPE_CHECKING:  # accounts sits below workflows and approvals: their models for type hints only
    from approvals.models import Nomination, Objection
    from workflows.models import Campaign

_M = TypeVar("_M", bound=Model)

# The object permission (django-guardian) of an objection's named investigator.
INVESTIGATE_OBJECTION = "approvals.investigate_objection"


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
    return grants.filter(Q(org__isnull=True) | exact | (Q(role__in=list(SUBTREE_ROLES)) & subtree))


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


# 三员分立 (api.md, Accounts): the system administrator manages accounts (create, disable, reset),
# the security administrator the tree and the grants, the auditor reads both trails. Neither of
# the first two can do the other's part, so no single administrator can make an account and give
# it a content role.


def is_system_admin(user: User) -> bool:
    return holds_any(user, [Role.SYSTEM_ADMIN])


def can_manage_org(user: User, org: Organization | None) -> bool:
    """Create below, rename or move ``org`` (``None``: create a root organisation): the security administrator."""
    return has_role_at(user, Role.SECURITY_ADMIN, org)


def can_manage_accounts(user: User, org: Organization | None) -> bool:
    """Create, move, disable and reset accounts belonging to ``org``: the system administrator covering it."""
    return has_role_at(user, Role.SYSTEM_ADMIN, org)


def can_manage_user(user: User, target: User) -> bool:
    """Change, disable or reset the account ``target`` (belonging to ``target.org``): its system administrator."""
    return can_manage_accounts(user, target.org)


def can_manage_grants(user: User, org: Organization | None) -> bool:
    """Grant and revoke roles at ``org``: the security administrator covering it."""
    return has_role_at(user, Role.SECURITY_ADMIN, org)


def can_grant_at(user: User, org: Organization | None) -> bool:
    """``can_manage_grants`` under its older name."""
    return can_manage_grants(user, org)


def can_use_account_pages(user: User) -> bool:
    """The web pages of accounts and grants: the security and the system administrators (each acts on its part)."""
    return holds_any(user, [Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN])


def conflicting_roles(role: Role, held: Iterable[str]) -> set[str]:
    """Roles already held that 三员分立 forbids next to ``role``."""
    held = set(held) - {role}
    if role in ADMIN_ROLES:
        return held
    return held & set(ADMIN_ROLES)


# --- capabilities: what a user may do in campaigns, nominations and objections ---------------
# Every action, selector, view and template flag asks these; no role list lives outside accounts/.
# The objects come as arguments and only their attributes are read (no workflows/approvals import).


def is_administrator(user: User) -> bool:
    """Holds one of the three administrative roles anywhere (三员分立: they see no nomination content)."""
    return holds_any(user, ADMIN_ROLES)


def can_use_admin_site(user: User) -> bool:
    """The admin site: the three administrators and the campaign administrators."""
    if not user.is_authenticated or not user.is_active or getattr(user, "must_change_password", False):
        return False
    return holds_any(user, ADMIN_SITE_ROLES)


def can_read_audit(user: User) -> bool:
    """The audit trail and its verification: an auditor (anywhere; 三员分立)."""
    return holds_any(user, [Role.AUDITOR])


def can_edit_calendar(user: User) -> bool:
    """The working-day calendar: a system-wide system administrator."""
    return has_role_at(user, Role.SYSTEM_ADMIN, None)


def can_manage_campaigns_at(user: User, host_org: Organization | None) -> bool:
    """Create and configure campaigns hosted by ``host_org``: its campaign administrator."""
    return has_role_at(user, Role.CAMPAIGN_ADMIN, host_org)


def can_manage_campaign(user: User, campaign: Campaign) -> bool:
    """Configure ``campaign`` (and see it as a draft): the campaign administrator of its host."""
    return can_manage_campaigns_at(user, campaign.host_org)


def campaign_hosts_managed_by(user: User) -> QuerySet[Organization]:
    """``can_manage_campaigns_at`` as a lazy queryset of host organisations."""
    return orgs_where(user, Role.CAMPAIGN_ADMIN)


def can_see_campaign_dashboard(user: User, campaign: Campaign) -> bool:
    """The campaign's dashboard and 公示 pages: the host's committee and campaign administrators."""
    return has_role_at(user, ORGANISER_ROLES, campaign.host_org)


def campaign_hosts_organised_by(user: User) -> QuerySet[Organization]:
    """``can_see_campaign_dashboard`` as a lazy queryset of host organisations."""
    return orgs_where(user, ORGANISER_ROLES)


def can_run_publicity(user: User, campaign: Campaign) -> bool:
    """Start 公示, decide objections, name investigators, revoke, finalise: the host's committee only."""
    return has_role_at(user, Role.COMMITTEE, campaign.host_org)


def campaign_hosts_publicised_by(user: User) -> QuerySet[Organization]:
    """``can_run_publicity`` as a lazy queryset of host organisations."""
    return orgs_where(user, Role.COMMITTEE)


def can_nominate_anywhere(user: User) -> bool:
    """Is the user a submitter at some unit (may start a nomination in an open campaign)?"""
    return holds_any(user, [Role.SUBMITTER])


def can_nominate_at(user: User, unit: Organization) -> bool:
    """Create, edit, submit and withdraw the nominations of ``unit``: its submitter."""
    return has_role_at(user, Role.SUBMITTER, unit)


def units_nominating_by(user: User) -> QuerySet[Organization]:
    """``can_nominate_at`` as a lazy queryset of units."""
    return orgs_where(user, Role.SUBMITTER)


def units_of_own_nominations(user: User) -> QuerySet[Organization]:
    """Units whose nominations (drafts included) the user sees as their own: its submitters and leader."""
    return orgs_where(user, UNIT_ROLES)


def units_reviewed_by(user: User) -> QuerySet[Organization]:
    """Units whose submitted nominations the user sees as a reviewer (the bureau and everything below)."""
    return orgs_where(user, REVIEWER_ROLES)


def units_of_party_secretary(user: User) -> QuerySet[Organization]:
    """Party organisations where the user is secretary: they see the submitted nominations of the parent unit."""
    return orgs_where(user, Role.PARTY_SECRETARY)


def campaign_hosts_served_by(user: User) -> QuerySet[Organization]:
    """Hosts whose submitted nominations the user sees: its committee, campaign administrators and judges."""
    return orgs_where(user, HOST_ROLES)


def quota_orgs_of(user: User) -> QuerySet[Organization]:
    """Organisations whose quota use is shown to the user: the reviewers' bureaux and the committee."""
    return orgs_where(user, QUOTA_ROLES)


def sees_submitted_nomination(user: User, nomination: Nomination) -> bool:
    """The unit's own roles, the reviewers at or above the unit, its party secretary, and the host's
    committee, campaign administrators and judges see a submitted nomination; one indexed query."""
    unit = nomination.unit
    return (
        Grant.objects.filter(user_id=user.pk, user__is_active=True)
        .filter(
            Q(role__in=list(UNIT_ROLES), org_id=unit.pk)
            | Q(role__in=list(REVIEWER_ROLES), org_id__in=[*unit.ancestor_ids(), unit.pk])
            | Q(role=Role.PARTY_SECRETARY, org__parent_id=unit.pk)
            | Q(role__in=list(HOST_ROLES), org_id=nomination.campaign.host_org_id)
        )
        .exists()
    )


def can_decide_stage(user: User, nomination: Nomination) -> bool:
    """Decide the open stage, or be handed its task: the stage's role at the stage's organisation
    (or above it, for the roles covering their subtree). ``holds_role_at_ref`` is its SQL form."""
    org = nomination.stage_org
    return org is not None and bool(nomination.stage_role) and has_role_at(user, Role(nomination.stage_role), org)


def possible_deciders(nomination: Nomination) -> QuerySet[User]:
    """``can_decide_stage`` as a lazy queryset of the active users it allows (e.g. whom to hand a task to)."""
    org = nomination.stage_org
    if org is None or not nomination.stage_role:
        return User.objects.none()
    grants = _covering(Grant.objects.filter(role=nomination.stage_role), org)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def holders_of_post(role: Role, org: Organization) -> QuerySet[User]:
    """The active users who hold ``role`` at ``org`` (or above it, for the roles covering their
    subtree): whoever decides a seat of that post (加签 of a post), as ``has_role_at`` would answer."""
    grants = _covering(Grant.objects.filter(role=role), org)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def party_secretary_grants_of_unit(unit_id: int) -> QuerySet[Grant]:
    """The active grants of the secretaries of the unit's party organisation (who read the unit's
    submitted nominations, ``sees_submitted_nomination``): a post a signer may add (加签)."""
    return Grant.objects.filter(role=Role.PARTY_SECRETARY, org__parent_id=unit_id, user__is_active=True)


def can_reveal_personal_data(user: User, nomination: Nomination) -> bool:
    """Unmasked ID numbers and phones (``?reveal=personal``, the printed form): whoever needs them.

    The unit's submitters (they entered them), the reviewers over the unit whose role signs a stage
    of the campaign's chain (they check who is nominated), and the host's committee (公示,
    objections). A campaign administrator configures the campaign and needs no one's data, nor does
    a judge: they see the masked form unless they also hold one of the roles above.
    """
    if can_nominate_at(user, nomination.unit) or has_role_at(user, Role.COMMITTEE, nomination.campaign.host_org):
        return True
    chain_roles = set(nomination.campaign.stages.values_list("role", flat=True))
    reviewers = [role for role in REVIEWER_ROLES if role in chain_roles]
    return bool(reviewers) and has_role_at(user, reviewers, nomination.unit)


def can_urge(user: User, nomination: Nomination) -> bool:
    """催办 the open stage: a reviewer over the level above the stage's organisation, or the host's
    committee / campaign administrator; never the stage's own role holders."""
    org = nomination.stage_org
    if org is None or can_decide_stage(user, nomination):
        return False
    if org.parent_id is not None and has_role_at(user, REVIEWER_ROLES, org.parent):
        return True
    return has_role_at(user, ORGANISER_ROLES, nomination.campaign.host_org)


def _investigator_grants(nomination: Nomination) -> QuerySet[Grant]:
    """The grants that make someone eligible to investigate an objection to ``nomination``."""
    host = Grant.objects.filter(role__in=list(HOST_ROLES), org_id=nomination.campaign.host_org_id)
    reviewers = _covering(Grant.objects.filter(role__in=list(REVIEWER_ROLES)), nomination.unit)
    return host | reviewers


def can_be_investigator(user: User, nomination: Nomination) -> bool:
    """May be named investigator of an objection to ``nomination``: the host's committee, campaign
    administrators and judges, and the reviewers over its unit."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _investigator_grants(nomination).filter(user_id=user.pk).exists()


def possible_investigators(nomination: Nomination) -> QuerySet[User]:
    """``can_be_investigator`` as a lazy queryset of the active users it allows."""
    return User.objects.filter(is_active=True, pk__in=_investigator_grants(nomination).values("user_id"))


def is_investigator(user: User, objection: Objection) -> bool:
    """Is ``user`` the objection's named investigator (a per-object grant)?"""
    return has_object_permission(user, INVESTIGATE_OBJECTION, objection)


def objections_investigated_by(user: User, objections: QuerySet[_M]) -> QuerySet[_M]:
    """``is_investigator`` as a lazy queryset: the objections of ``objections`` the user was named to."""
    return objects_with_permission(user, INVESTIGATE_OBJECTION, objections)


def may_investigate(user: User, objection: Objection) -> bool:
    """Read the findings and record one: the objection's named investigator or the host's committee."""
    return is_investigator(user, objection) or can_run_publicity(user, objection.nomination.campaign)


# --- judging (评审) ---------------------------------------------------------------------------


def can_run_judging(user: User, campaign: Campaign) -> bool:
    """Set up panels, import scores, see progress, close rounds, correct scores, resolve ties, urge
    judges: the host's committee."""
    return has_role_at(user, Role.COMMITTEE, campaign.host_org)


def can_allocate_awards(user: User, campaign: Campaign) -> bool:
    """Allocate, confirm and see a campaign's awards, record a decline, choose 顺延 after a
    revocation, read the intake report: the host's committee."""
    return has_role_at(user, Role.COMMITTEE, campaign.host_org)


def can_manage_entrant_list(user: User, campaign: Campaign) -> bool:
    """Set a campaign's ranked entrant lists (顺延 [002]), also while it is a draft, read them with the
    declines' reasons, and record a unit's decline for it: the host's committee and campaign
    administrators."""
    return has_role_at(user, ORGANISER_ROLES, campaign.host_org)


def can_decline_entrant_place(user: User, unit: Organization) -> bool:
    """Give up the unit's place on an entrant list: its submitter or its leader."""
    return has_role_at(user, UNIT_ROLES, unit)


def can_get_certificate(user: User, campaign: Campaign, unit: Organization) -> bool:
    """Download an award's certificate: the host's committee, and the nominee's own unit."""
    return can_allocate_awards(user, campaign) or has_role_at(user, UNIT_ROLES, unit)


def can_see_campaign_statistics(user: User, campaign: Campaign) -> bool:
    """A campaign's statistics (counts by district, township, kind, result; awards against the
    quotas), their Excel export and API: the host's committee."""
    return has_role_at(user, Role.COMMITTEE, campaign.host_org)


def judges_of_host(host_org_id: int) -> QuerySet[User]:
    """The expert pool of a host: active users holding ``judge`` there (lazy)."""
    grants = Grant.objects.filter(role=Role.JUDGE, org_id=host_org_id)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def is_judge_of(user: User, assignment: Any) -> bool:
    """Is ``user`` the judge of this assignment (reads and scores it)?"""
    return user.is_authenticated and user.is_active and assignment.judge_id == user.pk


def can_read_round_results(user: User, campaign: Campaign, *, judges_the_round: bool, closed: bool) -> bool:
    """A round's results: the host's committee; the round's own judges once it is closed."""
    return can_run_judging(user, campaign) or (closed and judges_the_round and user.is_active)


# --- public likes (网络点赞) --------------------------------------------------------------------


def can_run_voting(user: User, campaign: Campaign) -> bool:
    """Open and close a vote round's window, read its anomaly report, void votes: the host's committee."""
    return has_role_at(user, Role.COMMITTEE, campaign.host_org)


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
    "INVESTIGATE_OBJECTION",
    "campaign_hosts_managed_by",
    "campaign_hosts_organised_by",
    "campaign_hosts_publicised_by",
    "campaign_hosts_served_by",
    "can_be_investigator",
    "can_decide_stage",
    "can_edit_calendar",
    "can_grant_at",
    "can_manage_campaign",
    "can_manage_campaigns_at",
    "can_manage_accounts",
    "can_manage_grants",
    "can_manage_org",
    "can_manage_user",
    "can_nominate_anywhere",
    "can_nominate_at",
    "can_read_audit",
    "can_read_round_results",
    "can_reveal_personal_data",
    "can_run_judging",
    "can_run_publicity",
    "can_see_campaign_dashboard",
    "can_urge",
    "can_use_account_pages",
    "can_use_admin_site",
    "conflicting_roles",
    "grant_object_permission",
    "has_object_permission",
    "has_role_at",
    "holds_any",
    "is_administrator",
    "is_investigator",
    "is_judge_of",
    "judges_of_host",
    "is_security_admin",
    "is_system_admin",
    "may_investigate",
    "may_read_personal_data",
    "objections_investigated_by",
    "objects_with_permission",
    "orgs_where",
    "possible_deciders",
    "possible_investigators",
    "quota_orgs_of",
    "revoke_object_permission",
    "sees_submitted_nomination",
    "units_nominating_by",
    "units_of_own_nominations",
    "units_of_party_secretary",
    "units_reviewed_by",
    "visible_grants",
    "visible_orgs",
    "visible_users",
]
