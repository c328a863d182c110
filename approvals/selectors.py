"""Reads of approvals data, starting from what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext

from accounts import permissions
from accounts.models import Grant, Organization, User
from accounts.roles import SUBTREE_ROLES
from approvals import seals
from approvals.models import (
    CampaignTemplate,
    CarbonCopy,
    Delegation,
    Nomination,
    Objection,
    Revocation,
    SignOff,
    StageSeat,
)
from config.db import get_in_scope
from config.errors import NotVisible
from config.masking import mask_text
from workflows import selectors as campaign_selectors
from workflows import supplements as supplement_definitions
from workflows.models import Campaign, Stage
from workflows.specs import SIGNING_ROLES


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
    scope = Q(unit__in=unit_roles) | (
        submitted & (Q(unit__in=reviewer_orgs) | Q(unit__in=party_units) | Q(campaign__host_org__in=host_orgs))
    )
    # 抄送: what was copied to the user, to read.
    scope |= Q(pk__in=CarbonCopy.objects.filter(user_id=user.pk).values("nomination_id"))
    # 会签 / 或签: a holder of a seat (e.g. the district's 社工部, beside the unit's line) reads it.
    scope |= Q(pk__in=StageSeat.objects.filter(
        Q(user__isnull=True) & Q(permissions.holds_role_at_ref(user, OuterRef("role"), OuterRef("org__path")))
        | Q(user_id=user.pk)
    ).values("nomination_id"))  # fmt: skip
    delegated = delegated_tasks(user)
    return Nomination.objects.filter(scope if delegated is None else scope | delegated)


def active_delegations_to(user: User) -> QuerySet[Delegation]:
    """The delegations (代签) that let ``user`` decide for someone now."""
    now = timezone.now()
    return Delegation.objects.filter(
        delegate_id=user.pk, delegate__is_active=True, principal__is_active=True, revoked_at__isnull=True,
        starts_at__lte=now, ends_at__gt=now,
    )  # fmt: skip


def delegated_tasks(user: User) -> Q | None:
    """The nominations in review whose stage a delegation lets ``user`` decide (代签), as a filter;
    None without one (the usual case: no extra query arm). The action re-checks the principal."""
    pairs = list(active_delegations_to(user).values_list("role", "org_id", "principal_id"))
    if not pairs:
        return None
    match = Q(pk__in=[])
    for role, org_id, principal_id in pairs:
        mine = Q(assignee__isnull=True) | Q(assignee_id=principal_id)
        match |= Q(stage_role=role, stage_org_id=org_id) & mine
    return Q(status=Nomination.Status.IN_REVIEW, task__isnull=False) & match


def list_delegations(user: User) -> QuerySet[Delegation]:
    """The delegations ``user`` gave or received, newest first."""
    return (
        Delegation.objects.filter(Q(principal_id=user.pk) | Q(delegate_id=user.pk))
        .select_related("principal", "delegate", "org")
        .order_by("-id")
    )


def campaign_templates(campaign: Campaign) -> QuerySet[CampaignTemplate]:
    """A campaign's current templates in upload order (whoever sees the campaign may download them)."""
    return CampaignTemplate.objects.filter(campaign=campaign, removed_at__isnull=True).order_by("id")


def get_visible_template(user: User, pk: int) -> CampaignTemplate:
    """One current template of a campaign the user sees, or 404 for missing and forbidden alike."""
    templates = CampaignTemplate.objects.filter(
        removed_at__isnull=True, campaign__in=campaign_selectors.visible_campaigns(user)
    )
    return get_in_scope(templates.select_related("campaign"), pk)


def supplement_rows(nomination: Nomination) -> list[dict[str, Any]]:
    """The campaign's supplements for ``nomination``, in the campaign's order: each definition with its
    deadline, whether it is past, and the added ``Supplement`` (or None). Added ones the campaign no
    longer defines come last: what was sealed is always shown."""
    added = {s.key: s for s in nomination.supplements.select_related("seal__key__org", "added_by").order_by("id")}
    now = timezone.now()
    rows = []
    for spec in nomination.campaign.supplements or []:
        deadline = supplement_definitions.deadline_of(spec)
        rows.append(
            {"key": spec["key"], "label": spec["label"], "type": spec["type"], "deadline": deadline,
             "max_length": spec.get("max_length") or supplement_definitions.DEFAULT_MAX_LENGTH,
             "allowed_types": spec.get("allowed_types") or supplement_definitions.DEFAULT_FILE_TYPES,
             "past": now > deadline, "supplement": added.pop(spec["key"], None)}
        )  # fmt: skip
    rows.extend(
        {"key": s.key, "label": s.label, "type": s.type, "deadline": None, "past": True, "supplement": s}
        for s in added.values()
    )
    return rows


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
    own = Q(RawSQL(_IN_INBOX, (user.pk, subtree_roles), output_field=BooleanField())) & (  # noqa: S611 - constant SQL
        Q(assignee__isnull=True) | Q(assignee_id=user.pk)
    )
    delegated = delegated_tasks(user)  # 代签: also what a delegation lets the user decide
    # 会签 / 或签: the open seats the user holds (the routing fields name only one of them), less
    # the stages where the user already signed a seat.
    holds_seat_role = Q(permissions.holds_role_at_ref(user, OuterRef("role"), OuterRef("org__path")))
    seated = Q(pk__in=StageSeat.objects.filter(status=StageSeat.Status.OPEN).filter(
        Q(user__isnull=True) & holds_seat_role | Q(user_id=user.pk)  # 加签: the person added
    ).values("nomination_id"))  # fmt: skip
    signed_seat = SignOff.objects.filter(task_id=OuterRef("task_id"), seat__isnull=False, signer_id=user.pk)
    own = own | seated
    inbox = (
        Nomination.objects.filter(status=Nomination.Status.IN_REVIEW, task__isnull=False)
        .filter(own if delegated is None else own | delegated)
        .exclude(Exists(signed_seat))
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


REASON_SUMMARY_MAX = 60


def revocation_of(nomination: Nomination) -> Revocation | None:
    """The nomination's revocation (撤销), or None; its reason is what the unit was told (for an
    upheld objection the published response, never the committee's internal finding)."""
    if nomination.status != Nomination.Status.REVOKED:
        return None
    return Revocation.objects.select_related("revoked_by").filter(nomination=nomination).first()


def reason_summary(reason: str, size: int = REASON_SUMMARY_MAX) -> str:
    """The reason on one line, cut to ``size`` characters (for stamps and banners)."""
    text = " ".join(reason.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def public_verification(code: str) -> dict[str, Any]:
    """What the public verification (校验码) shows: who sealed what, and whether the chain holds; 404 if unknown."""
    nomination = (
        Nomination.objects.select_related("campaign", "unit").filter(verification_code=code.upper()[:32]).first()
    )
    if nomination is None:
        raise NotVisible()
    problems = seals.verify_nomination(nomination)
    signoffs = (
        SignOff.objects.filter(nomination=nomination, seal__isnull=False).select_related("org", "seal").order_by("id")
    )
    revocation = revocation_of(nomination)
    return {
        "title": nomination.title,
        "unit": nomination.unit.name,
        "campaign": nomination.campaign.title,
        "status": nomination.status,
        "status_label": nomination.get_status_display(),
        # Revocation first: a revoked form's seals may all still verify, and that must not read as valid.
        "revoked": {
            "revoked_at": revocation.revoked_at.isoformat(),
            "reason": mask_text(reason_summary(revocation.reason)),
        }
        if revocation
        else None,
        "valid": not problems,
        "problems": [p.as_dict() for p in problems],
        "seals": sorted(
            [
                {
                    "sequence": s.seal.sequence if s.seal else None,
                    "stage_name": s.stage_name,
                    "org": s.org.name,
                    "decision": s.get_decision_display(),
                    "signed_at": s.signed_at.isoformat(),
                    "seal_hash": s.seal.seal_hash if s.seal else "",
                }
                for s in signoffs
            ]
            # Addenda (补充材料): sealed by the unit, no decision; in the chain's order with the rest.
            + [
                {
                    "sequence": a.seal.sequence,
                    "stage_name": gettext("补充材料：{label}").format(label=a.label),
                    "org": a.seal.key.org.name,
                    "decision": gettext("补充材料"),
                    "signed_at": a.seal.created_at.isoformat(),
                    "seal_hash": a.seal.seal_hash,
                }
                for a in nomination.supplements.select_related("seal__key__org").order_by("id")
            ]
            # Revised versions (修改稿): sealed by the unit beside the original, no decision.
            + [
                {
                    "sequence": r.seal.sequence,
                    "stage_name": gettext("修改稿：第{n}版").format(n=r.number),
                    "org": r.seal.key.org.name,
                    "decision": gettext("修改稿"),
                    "signed_at": r.seal.created_at.isoformat(),
                    "seal_hash": r.seal.seal_hash,
                }
                for r in nomination.revisions.select_related("seal__key__org").order_by("number")
            ],
            key=lambda entry: entry["sequence"] or 0,
        ),
    }


# --- the home page and the host's dashboard ---------------------------------------------------


def inbox_summary(user: User, *, size: int = 5) -> dict[str, Any]:
    """For the home page: how many tasks wait for the user, how many are overdue, the first few."""
    inbox = list_inbox(user)
    return {
        "task_count": inbox.count(),
        "overdue_count": list_inbox(user, overdue=True).count(),
        "tasks": list(inbox[:size]),
    }


def submitter_summary(user: User, *, size: int = 10) -> dict[str, Any]:
    """For the home page: the user's units' returned nominations and drafts, and how many are in review."""
    mine = visible_nominations(user).filter(unit__in=permissions.units_nominating_by(user))
    return {
        "returned": list(
            mine.filter(status=Nomination.Status.RETURNED).select_related("campaign").order_by("-updated_at")[:size]
        ),
        "drafts": list(
            mine.filter(status__in=[Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN])
            .select_related("campaign")
            .order_by("-updated_at")[:size]
        ),
        "in_review_count": mine.filter(status=Nomination.Status.IN_REVIEW).count(),
    }


def campaign_overview(user: User, campaign: Campaign) -> dict[str, Any]:
    """For the host's dashboard: the campaign's nominations the user may see, counted per status,
    stage and district; the overdue ones; its 公示 rounds and open objections."""
    nominations = visible_nominations(user).filter(campaign=campaign)
    status_labels = dict(Nomination.Status.choices)
    by_status = [
        {"status": row["status"], "label": status_labels.get(row["status"], row["status"]), "n": row["n"]}
        for row in nominations.values("status").annotate(n=Count("id")).order_by("status")
    ]
    stages = list(campaign.stages.order_by("position"))
    in_review = nominations.filter(status=Nomination.Status.IN_REVIEW)
    stage_counts = dict(in_review.values_list("stage").annotate(n=Count("id")).order_by())
    now = timezone.now()
    overdue_counts = dict(
        in_review.filter(stage_deadline__lt=now).values_list("stage").annotate(n=Count("id")).order_by()
    )
    by_stage = [
        {"name": s.name, "n": stage_counts.get(s.key, 0), "overdue": overdue_counts.get(s.key, 0)} for s in stages
    ]
    by_district: list[dict[str, Any]] = list(
        nominations.values("district__name")
        .annotate(
            total=Count("id"),
            in_review=Count("id", filter=Q(status=Nomination.Status.IN_REVIEW)),
            approved=Count("id", filter=Q(status=Nomination.Status.APPROVED)),
            returned=Count("id", filter=Q(status=Nomination.Status.RETURNED)),
            in_publicity=Count("id", filter=Q(status=Nomination.Status.IN_PUBLICITY)),
            final=Count("id", filter=Q(status=Nomination.Status.FINAL)),
        )
        .order_by("district__name")
    )
    overdue = list(
        in_review.filter(stage_deadline__lt=now).select_related("unit", "stage_org").order_by("stage_deadline")[:50]
    )
    return {
        "total": nominations.count(),
        "by_status": by_status,
        "by_stage": by_stage,
        "by_district": by_district,
        "overdue": overdue,
        "publicity_rounds": list(campaign.publicity_rounds.order_by("-number")),
        "open_objections": Objection.objects.filter(nomination__campaign=campaign, status__in=Objection.OPEN).count(),
    }


def list_done(user: User) -> QuerySet[SignOff]:
    """已办: the sign-offs the user made (tasks they decided), newest first, with their nominations."""
    return (
        SignOff.objects.filter(signer=user)
        .select_related("nomination", "nomination__campaign", "nomination__unit")
        .order_by("-signed_at", "-id")
    )


# --- 抄送: whom a signer may copy -------------------------------------------------------------------


def cc_candidates(nomination: Nomination, *, exclude_user_id: int | None = None) -> list[dict[str, Any]]:
    """Whom a signer may copy (抄送) on a decision, grouped by organisation and role, in the chain's
    order from the unit up, then the host: active holders of a signing role at the nomination's
    unit, an organisation above it or the campaign's host (``sign_off`` checks the same)."""
    org_ids = [nomination.unit_id, *reversed(nomination.unit.ancestor_ids()), nomination.campaign.host_org_id]
    grants = (
        Grant.objects.filter(role__in=sorted(SIGNING_ROLES), org_id__in=org_ids, user__is_active=True)
        .exclude(user_id=exclude_user_id or 0)
        .select_related("user", "org")
        .order_by("user__username")
    )
    order = {org_id: i for i, org_id in enumerate(dict.fromkeys(org_ids))}
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    for grant in grants:
        org: Organization = grant.org  # type: ignore[assignment]
        group = groups.setdefault(
            (grant.role, org.pk),
            {"role": grant.role, "org": org, "key": f"{grant.role}@{org.pk}",
             "label": f"{org.name} · {grant.get_role_display()}", "users": []},
        )  # fmt: skip
        group["users"].append(grant.user)
    return sorted(groups.values(), key=lambda g: (order.get(g["org"].pk, len(order)), g["role"]))
