"""The sign-off chain: start it at submission, decide a stage, withdraw (viewflow carries the route).

Each decision locks the nomination row first (a second decider waits, then finds the task
decided: 409), re-checks the task, the signer's role at the stage's organisation and the
separation from the submitter under that lock, writes the sign-off (and the seal at a sealing
stage) and its audit event, and then drives the viewflow activation inside the same
transaction, so the process state and our records commit together.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals import seals
from approvals.audit import record_event
from approvals.exceptions import OpinionRequired, SelfApprovalForbidden, TaskAlreadyDecided, WithdrawNotAllowed
from approvals.models import AuditEvent, Nomination, SignOff
from config.errors import NotPermitted, NotVisible, StateConflict
from workflows import flows
from workflows.flows import SignOffFlow
from workflows.models import Stage

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


def resolve_signer_org(nomination: Nomination, stage: Stage) -> Organization | None:
    """The organisation whose holders of ``stage.role`` decide this stage for this nomination."""
    unit = nomination.unit
    where = stage.signer_org
    if where == Stage.SignerOrg.UNIT:
        return unit
    if where == Stage.SignerOrg.HOST:
        return nomination.campaign.host_org
    if where == Stage.SignerOrg.DISTRICT:
        return nomination.district
    if where == Stage.SignerOrg.PARTY:
        return Organization.objects.filter(parent=unit, kind=OrgKind.PARTY).order_by("id").first()
    kind = OrgKind.TOWNSHIP if where == Stage.SignerOrg.TOWNSHIP else OrgKind.CITY
    ancestors = Organization.objects.filter(pk__in=unit.ancestor_ids(), kind=kind)
    return ancestors.order_by("depth" if kind == OrgKind.CITY else "-depth").first()


def _stages(nomination: Nomination) -> list[Stage]:
    return list(nomination.campaign.stages.order_by("position"))


def _enter_stage(nomination: Nomination, stage: Stage, task: Task) -> None:
    org = resolve_signer_org(nomination, stage)
    if org is None:
        raise StateConflict(
            _("找不到“{stage}”环节的签署组织（{where}），请联系活动管理员").format(
                stage=stage.name, where=stage.get_signer_org_display()
            ),
            target=("approvals.nomination", str(nomination.pk)),
        )
    nomination.stage = stage.key
    nomination.stage_role = stage.role
    nomination.stage_org = org
    nomination.stage_entered_at = timezone.now()
    nomination.task = task


def _open_review_task(process_id: int) -> Task:
    return Task.objects.filter(process_id=process_id, status__in=OPEN_TASK, flow_task=SignOffFlow.review).get()


def start_chain_in_transaction(nomination: Nomination) -> None:
    """Start a viewflow process for this submission at the first stage (called by submit_nomination)."""
    stages = _stages(nomination)
    if not stages:
        raise StateConflict(_("该活动没有设置审批环节"), target=("approvals.nomination", str(nomination.pk)))
    process = SignOffFlow.start.run(nomination_id=nomination.pk, stage=stages[0].key)
    nomination.process = process
    nomination.round += 1
    _enter_stage(nomination, stages[0], _open_review_task(process.pk))


def _drive(task: Task, actor: User, outcome: str, next_stage: str = "") -> None:
    """Complete the viewflow task with ``outcome`` for the route (inside the caller's transaction)."""
    process = task.process
    process.data = {**process.data, "outcome": outcome, "stage": next_stage or process.data.get("stage", "")}
    process.save(update_fields=["data"])
    with task.activation() as activation:
        if task.status == STATUS.NEW:
            activation.assign(actor)
        activation.start(None)
        activation.execute()


def _leave_stage(nomination: Nomination) -> None:
    nomination.stage_role = ""
    nomination.stage_org = None
    nomination.stage_entered_at = None
    nomination.task = None


@transaction.atomic(durable=True)
def sign_off(task_id: int, *, actor: User, decision: SignOff.Decision | str, opinion: str) -> SignOff:
    """Decide the current stage of a nomination: 同意, 退回修改 or 不同意.

    Locks the nomination, then re-checks under the lock: the task is the nomination's open task
    (else 409 ``task_already_decided``), the actor holds the stage's role at the stage's
    organisation (else 403), the actor did not submit it (403 ``self_approval_forbidden``), an
    opinion is given for a return or a rejection. Writes the sign-off, the seal when the stage
    seals and the decision is 同意, the audit event, and moves the process along.
    """
    decision = SignOff.Decision(decision)
    nomination_id = Nomination.objects.filter(task_id=task_id).values_list("pk", flat=True).first()
    if nomination_id is None:
        nomination_id = _nomination_of_task(task_id)
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__host_org", "unit", "district", "stage_org")
        .get(pk=nomination_id)
    )
    target = ("approvals.nomination", str(nomination.pk))
    if nomination.status != Nomination.Status.IN_REVIEW or nomination.task_id != task_id:
        raise TaskAlreadyDecided(target=target)
    task = Task.objects.select_related("process").get(pk=task_id)
    if task.status not in OPEN_TASK:
        raise TaskAlreadyDecided(target=target)
    org = nomination.stage_org
    assert org is not None
    if not permissions.has_role_at(actor, Role(nomination.stage_role), org):
        raise NotPermitted(target=target)
    if actor.pk in (nomination.submitted_by_id, nomination.created_by_id):
        raise SelfApprovalForbidden(target=target)
    opinion = opinion.strip()
    if decision != SignOff.Decision.APPROVE and not opinion:
        raise OpinionRequired(errors={"opinion": [str(OpinionRequired.message)]})
    stages = _stages(nomination)
    index = next(i for i, s in enumerate(stages) if s.key == nomination.stage)
    stage = stages[index]
    seal = None
    if stage.seal and decision == SignOff.Decision.APPROVE:
        seal = seals.create_seal(
            nomination, stage=stage.key, decision=decision, opinion=opinion, signer=actor, org=org,
            content_hash=nomination.content_hash,
        )  # fmt: skip
    signoff = SignOff.objects.create(
        nomination=nomination, round=nomination.round, stage=stage.key, stage_name=stage.name, role=stage.role,
        decision=decision, opinion=opinion, signer=actor, signer_label=actor.label, org=org, task_id=task_id,
        content_hash=nomination.content_hash, seal=seal, signed_at=timezone.now(),
    )  # fmt: skip
    data = {"signoff": signoff.pk, "stage": stage.key, "decision": decision, "org": org.pk,
            "round": nomination.round, "seal": seal.seal_hash if seal else None}  # fmt: skip
    if decision == SignOff.Decision.APPROVE and index + 1 < len(stages):
        _drive(task, actor, flows.NEXT_STAGE, stages[index + 1].key)
        _enter_stage(nomination, stages[index + 1], _open_review_task(task.process_id))
        action = AuditEvent.Action.NOMINATION_SIGNED_OFF
        data["next_stage"] = nomination.stage
    elif decision == SignOff.Decision.APPROVE:
        _drive(task, actor, flows.APPROVED)
        _leave_stage(nomination)
        nomination.status = Nomination.Status.APPROVED
        action = AuditEvent.Action.NOMINATION_APPROVED
    elif decision == SignOff.Decision.RETURN:
        _drive(task, actor, flows.RETURNED)
        _leave_stage(nomination)
        nomination.status = Nomination.Status.RETURNED
        action = AuditEvent.Action.NOMINATION_RETURNED
    else:
        _drive(task, actor, flows.REJECTED)
        _leave_stage(nomination)
        nomination.status = Nomination.Status.REJECTED
        action = AuditEvent.Action.NOMINATION_REJECTED
    nomination.version += 1
    nomination.save(
        update_fields=["status", "stage", "stage_role", "stage_org", "stage_entered_at", "task", "version",
                       "updated_at"]
    )  # fmt: skip
    record_event(action, actor=actor, target=nomination, data=data)
    return signoff


def _nomination_of_task(task_id: int) -> int:
    """A decided task is no longer the nomination's current one: find its nomination through the process."""
    task = Task.objects.filter(pk=task_id).select_related("process").first()
    if task is None or task.flow_task != SignOffFlow.review:
        raise NotVisible()
    nomination_id = task.process.data.get("nomination")
    if nomination_id is None:
        raise NotVisible()
    return int(nomination_id)


@transaction.atomic(durable=True)
def withdraw_nomination(nomination_id: int, *, actor: User) -> Nomination:
    """Take a submitted nomination back (撤回) before anyone has decided on it; it can be edited again."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("unit").get(pk=nomination_id)
    target = ("approvals.nomination", str(nomination.pk))
    if not permissions.has_role_at(actor, Role.SUBMITTER, nomination.unit):
        raise NotPermitted(target=target)
    decided = SignOff.objects.filter(nomination=nomination, round=nomination.round).exists()
    if nomination.status != Nomination.Status.IN_REVIEW or decided:
        raise WithdrawNotAllowed(target=target)
    task = Task.objects.select_related("process").get(pk=nomination.task_id)
    _drive(task, actor, flows.WITHDRAWN)
    _leave_stage(nomination)
    nomination.stage = ""
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.version += 1
    nomination.save(
        update_fields=["status", "stage", "stage_role", "stage_org", "stage_entered_at", "task", "version",
                       "updated_at"]
    )  # fmt: skip
    record_event(
        AuditEvent.Action.NOMINATION_WITHDRAWN, actor=actor, target=nomination, data={"round": nomination.round}
    )
    return nomination
