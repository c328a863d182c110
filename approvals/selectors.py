"""Reads of approvals data, starting from what the user may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.roles import SUBTREE_ROLES
from approvals.models import AuditEvent, Nomination
from config.db import get_in_scope
from config.errors import NotPermitted
from workflows.models import Stage


def list_audit_events(
    user: User,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail, oldest first; only auditors read it (三员分立)."""
    if not permissions.can_read_audit(user):
        raise NotPermitted(target=("audit.trail", "all"))
    events = AuditEvent.objects.all()
    if object_type is not None:
        events = events.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=object_id)
    if actor is not None:
        events = events.filter(actor_id=actor)
    if action:
        events = events.filter(action=action)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("id")


def visible_nominations(user: User) -> QuerySet[Nomination]:
    """Nominations the user may see at all; every other nomination selector starts here.

    The unit's submitters and leader see their unit's, drafts included; its party secretary,
    the reviewers above it and the host's committee, campaign admins and judges see them once
    submitted. The three administrators see none (三员分立). One SQL query.
    """
    unit_roles = permissions.units_of_own_nominations(user)
    reviewer_orgs = permissions.units_reviewed_by(user)
    party_units = permissions.units_of_party_secretary(user).values("parent_id")
    host_orgs = permissions.campaign_hosts_served_by(user)
    submitted = ~Q(status=Nomination.Status.DRAFT)
    return Nomination.objects.filter(
        Q(unit__in=unit_roles)
        | (submitted & (Q(unit__in=reviewer_orgs) | Q(unit__in=party_units) | Q(campaign__host_org__in=host_orgs)))
    )


def sees_submitted_nomination(user: User, nomination: Nomination) -> bool:
    """``visible_nominations`` for one submitted nomination, as one indexed query on the user's grants
    (``accounts.permissions.sees_submitted_nomination``); the three administrators never."""
    return permissions.sees_submitted_nomination(user, nomination)


def get_visible_nomination(user: User, pk: int) -> Nomination:
    """One nomination, or 404 for missing and forbidden alike."""
    return get_in_scope(visible_nominations(user).select_related("campaign", "unit", "district"), pk)


def list_nominations(
    user: User, *, campaign: int | None = None, status: str | None = None, unit: int | None = None
) -> QuerySet[Nomination]:
    nominations = visible_nominations(user).select_related("campaign", "unit")
    if campaign is not None:
        nominations = nominations.filter(campaign_id=campaign)
    if status:
        nominations = nominations.filter(status=status)
    if unit is not None:
        nominations = nominations.filter(unit_id=unit)
    return nominations.order_by("id")


_current_stage = Stage.objects.filter(campaign=OuterRef("campaign"), key=OuterRef("stage"))


# The ids of the nominations whose current stage the user's grants cover, driven from the grants
# (a user holds a few) into the ``(stage_role, stage_org, id)`` index: one arm for the stage's
# own organisation, one for the organisations below a grant of a role that covers its subtree
# (``SUBTREE_ROLES``; descendants by a range on the materialised path, index ``org_path_prefix_idx``).
# Its cost follows the size of the user's inbox, not of the country's. ``OFFSET 0`` keeps each
# LATERAL a nested loop of index scans: flattened, the planner (misjudging the subtree) hashed
# every nomination in the country (46 ms of 60 at 100,000 nominations).
_INBOX_IDS = """
WITH mine AS MATERIALIZED (
  SELECT g.role, g.org_id, top.path FROM accounts_grant g
    JOIN accounts_user u ON u.id = g.user_id AND u.is_active
    JOIN accounts_organization top ON top.id = g.org_id
   WHERE g.user_id = %s
)
SELECT n.id FROM mine JOIN approvals_nomination n ON n.stage_role = mine.role AND n.stage_org_id = mine.org_id
UNION ALL
SELECT n.id FROM mine
  CROSS JOIN LATERAL (
    SELECT o.id FROM accounts_organization o
     WHERE o.path ~>~ mine.path AND o.path ~<~ (left(mine.path, -1) || '0') OFFSET 0
  ) AS below
  CROSS JOIN LATERAL (
    SELECT n.id FROM approvals_nomination n WHERE n.stage_role = mine.role AND n.stage_org_id = below.id OFFSET 0
  ) AS n
 WHERE mine.role = ANY(%s)
"""
# Evaluated once (an InitPlan), then fetched by primary key: the page never walks the table.
_IN_INBOX = f'"approvals_nomination"."id" = ANY(ARRAY({_INBOX_IDS}))'


def list_inbox(
    user: User, *, campaign: int | None = None, stage: str | None = None, overdue: bool = False
) -> QuerySet[Nomination]:
    """Nominations whose current stage waits for this user, in one SQL query.

    Routed by role and organisation scope: the user holds the stage's role at the stage's
    organisation or above it (for the roles that cover their subtree). No per-nomination grant.
    """
    subtree_roles = sorted(str(role) for role in SUBTREE_ROLES)
    inbox = (
        Nomination.objects.filter(status=Nomination.Status.IN_REVIEW, task__isnull=False)
        .filter(RawSQL(_IN_INBOX, (user.pk, subtree_roles), output_field=BooleanField()))  # noqa: S611 - constant SQL
        .filter(Q(assignee__isnull=True) | Q(assignee_id=user.pk))
        .exclude(submitted_by_id=user.pk)
        .select_related("campaign", "unit", "stage_org", "district")
        .annotate(
            stage_name=Subquery(_current_stage.values("name")[:1]),
        )
    )
    if campaign is not None:
        inbox = inbox.filter(campaign_id=campaign)
    if stage:
        inbox = inbox.filter(stage=stage)
    if overdue:
        inbox = inbox.filter(stage_deadline__lt=timezone.now())
    return inbox.order_by("id")
