"""代签 (proxy): a stage holder names a delegate for a period, and may revoke it.

The delegate's decisions go through ``approvals.actions.sign_offs`` like everyone's; there the
delegation is found and the principal's authority re-checked. Here only the delegation itself is
written, each change locked, checked and audited in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Grant, Organization, User
from approvals import audit_events
from approvals.models import Delegation
from audit.trail import record_event
from config.errors import InvalidInput, NotVisible, StateConflict
from workflows.specs import SIGNING_ROLES

# A delegation covers at most this many days (a holiday, a training course, a business trip).
MAX_DAYS = 92


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput.for_field("ends_at", _("代签结束时间必须晚于开始时间"), code="invalid_period")
    if ends_at <= timezone.now():
        raise InvalidInput.for_field("ends_at", _("代签结束时间已过"), code="invalid_period")
    if (ends_at - starts_at).days > MAX_DAYS:
        raise InvalidInput.for_field("ends_at", _("一次代签最长 {n} 天").format(n=MAX_DAYS), code="invalid_period")


@transaction.atomic(durable=True)
def create_delegation(
    *,
    actor: User,
    delegate_id: int,
    role: str,
    org_id: int,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> Delegation:
    """``actor`` lets ``delegate`` decide the tasks of ``role`` at ``org`` (a role the actor holds
    there, one that signs stages) from ``starts_at`` to ``ends_at``.

    The delegate must be another active person with a role at the same organisation (a colleague):
    400 ``invalid_delegate`` otherwise; 400 ``invalid_role`` for a role the actor does not hold there
    or that signs no stage. The actor's grant row is locked, so a revocation of the role waits.
    """
    grant = (
        Grant.objects.select_for_update()
        .filter(user_id=actor.pk, user__is_active=True, role=role, org_id=org_id)
        .first()
    )
    if grant is None or role not in SIGNING_ROLES:
        raise InvalidInput.for_field("role", _("只能委托本人在该组织担任的审批角色"), code="invalid_role")
    org = Organization.objects.get(pk=org_id)
    delegate = User.objects.filter(pk=delegate_id, is_active=True).first()
    colleague = delegate is not None and Grant.objects.filter(user_id=delegate.pk, org_id=org_id).exists()
    if delegate is None or delegate.pk == actor.pk or not colleague:
        raise InvalidInput.for_field("delegate", _("代签人须为本组织的其他在岗人员"), code="invalid_delegate")
    _check_period(starts_at, ends_at)
    reason = reason.strip()
    delegation = Delegation.objects.create(
        principal=actor, delegate=delegate, role=role, org=org, starts_at=starts_at, ends_at=ends_at,
        reason=reason,
    )  # fmt: skip
    record_event(
        audit_events.DELEGATION_CREATED,
        actor=actor,
        target=delegation,
        data={"principal": actor.pk, "delegate": delegate.pk, "role": role, "org": org.pk,
              "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "reason": reason},
    )  # fmt: skip
    return delegation


@transaction.atomic(durable=True)
def revoke_delegation(delegation_id: int, *, actor: User) -> Delegation:
    """The principal takes a delegation back (撤销代签); 409 when it is already revoked or over."""
    delegation = Delegation.objects.select_for_update().filter(pk=delegation_id, principal_id=actor.pk).first()
    if delegation is None:
        raise NotVisible()
    now = timezone.now()
    if delegation.revoked_at is not None or delegation.ends_at <= now:
        raise StateConflict(_("该代签已撤销或已到期"), target=("approvals.delegation", str(delegation.pk)))
    delegation.revoked_at = now
    delegation.revoked_by = actor
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    record_event(audit_events.DELEGATION_REVOKED, actor=actor, target=delegation, data={"delegation": delegation.pk})
    return delegation


def active_delegations(delegate: User, *, role: str, org: Organization) -> list[Delegation]:
    """The delegations that let ``delegate`` decide ``role`` at ``org`` now, oldest first."""
    now = timezone.now()
    return list(
        Delegation.objects.filter(
            delegate_id=delegate.pk, role=role, org_id=org.pk, revoked_at__isnull=True, starts_at__lte=now,
            ends_at__gt=now,
        )
        .select_related("principal")
        .order_by("id")
    )  # fmt: skip
