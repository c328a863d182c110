"""The sign-off chain: start it at submission, decide a stage, withdraw (viewflow carries the route).

Each decision locks the nomination row first (a second decider waits, then finds the task
decided: 409), re-checks the task, the signer's role at the stage's organisation and the
separation from the submitter under that lock, writes the sign-off (and the seal at a sealing
stage) and its audit event, and then drives the viewflow activation inside the same
transaction, so the process state and our records commit together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from approvals import audit_events, quotas, seals
from approvals.actions.delegations import active_delegations
from approvals.exceptions import (
    AlreadySignedStage,
    ConsecutiveSignOffForbidden,
    OpinionRequired,
    SeatNotOpenYet,
    SelfApprovalForbidden,
    TaskAlreadyDecided,
    WithdrawNotAllowed,
)
from approvals.models import CarbonCopy, Delegation, Nomination, NominationAuthor, Seal, SignOff, StageSeat
from audit.trail import EventSpec, record_event, record_events, record_events_of_many
from config.compiled import run_compiled
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError, StateConflict
from notifications import events as notification_events
from workflows import flows
from workflows.calendar import end_of_day
from workflows.flows import SignOffFlow
from workflows.models import Stage
from workflows.specs import DEFAULT_SIGNER_ORG, SIGNING_ROLES

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


# The kind of organisation above the unit that each "where" names; the nearest one is taken.
_ANCESTOR_KINDS = {
    Stage.SignerOrg.TOWNSHIP: OrgKind.TOWNSHIP,
    Stage.SignerOrg.CITY: OrgKind.CITY,
    Stage.SignerOrg.PROVINCE: OrgKind.PROVINCE,
}


def resolve_org(nomination: Nomination, where: str) -> Organization | None:
    """The organisation that ``where`` (a ``Stage.SignerOrg``) names, seen from the nomination's unit."""
    unit = nomination.unit
    if where == Stage.SignerOrg.UNIT:
        return unit
    if where == Stage.SignerOrg.HOST:
        return nomination.campaign.host_org
    if where == Stage.SignerOrg.DISTRICT:
        return nomination.district
    if where == Stage.SignerOrg.PARTY:
        return Organization.objects.filter(parent=unit, kind=OrgKind.PARTY).order_by("id").first()
    ancestors = Organization.objects.filter(pk__in=unit.ancestor_ids(), kind=_ANCESTOR_KINDS[Stage.SignerOrg(where)])
    return ancestors.order_by("-depth").first()


def resolve_signer_org(nomination: Nomination, stage: Stage) -> Organization | None:
    """The organisation whose holders of ``stage.role`` decide this stage for this nomination."""
    return resolve_org(nomination, stage.signer_org)


def stage_deadline(stage: Stage, entered_at: datetime) -> datetime | None:
    """When a stage entered at ``entered_at`` is due: N days later, or the end of its fixed date."""
    if stage.due_date is not None:
        return end_of_day(stage.due_date)
    if stage.time_limit_days:
        return entered_at + timedelta(days=stage.time_limit_days)
    return None


def _stages(nomination: Nomination) -> list[Stage]:
    """The campaign's stages in order (``campaign.stages.order_by("position")``, compiled once)."""
    stages = run_compiled(
        "stages", lambda: Stage.objects.filter(campaign_id=_CAMPAIGN_MARK).order_by("position"), Stage,
        {_CAMPAIGN_MARK: nomination.campaign_id},
    )  # fmt: skip
    campaign = nomination.campaign
    for stage in stages:  # as the related manager does
        Stage.campaign.field.set_cached_value(stage, campaign)
    return stages


def _enter_stage(nomination: Nomination, stage: Stage, task: Task, org: Organization | None = None) -> None:
    """Put the nomination at ``stage`` with its new ``task``; ``org``, when given, was resolved by the caller."""
    org = org or resolve_signer_org(nomination, stage)
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
    nomination.stage_deadline = stage_deadline(stage, nomination.stage_entered_at)
    nomination.task = task
    nomination.assignee = None
    nomination.seated_stage = bool(stage.holders)
    setattr(nomination, notification_events.OPEN_SEATS, [])
    if stage.holders:
        _open_seats(nomination, stage, task.pk)


def _open_seats(nomination: Nomination, stage: Stage, task_id: int) -> None:
    """会签 / 或签: one seat per holder of the stage for this activation of it (its task)."""
    seats = []
    for position, holder in enumerate(stage.holders):
        org = resolve_holder_org(nomination, holder)
        if org is None:
            raise StateConflict(
                _("找不到“{stage}”环节第 {n} 个签署方的组织，请联系活动管理员").format(
                    stage=stage.name, n=position + 1
                ),
                target=("approvals.nomination", str(nomination.pk)),
            )
        seats.append(StageSeat(
            nomination=nomination, round=nomination.round, stage=stage.key, task_id=task_id, position=position,
            role=holder["role"], org=org,
        ))  # fmt: skip
    StageSeat.objects.bulk_create(seats)
    setattr(nomination, notification_events.OPEN_SEATS, [(seat.role, seat.org_id) for seat in seats])
    # The routing fields name the first holder (the inbox and notices read every open seat too).
    nomination.stage_role, nomination.stage_org = seats[0].role, seats[0].org


def resolve_holder_org(nomination: Nomination, holder: dict[str, str]) -> Organization | None:
    """The organisation of one holder of a 会签 / 或签 stage: where it sits, seen from the unit,
    or the organisation named ``department`` right below that (e.g. the district's 社工部)."""
    org = resolve_org(nomination, holder.get("signer_org") or DEFAULT_SIGNER_ORG[holder["role"]])
    department = holder.get("department") or ""
    if org is None or not department:
        return org
    return Organization.objects.filter(parent=org, name__endswith=department).order_by("id").first()


def start_chain_in_transaction(nomination: Nomination) -> None:
    """Start a viewflow process for this submission at the first stage (called by submit_nomination)."""
    stages = _stages(nomination)
    if not stages:
        raise StateConflict(_("该活动没有设置审批环节"), target=("approvals.nomination", str(nomination.pk)))
    process = SignOffFlow.start.run(nomination_id=nomination.pk, stage=stages[0].key)
    nomination.process = process
    nomination.round += 1
    _enter_stage(nomination, stages[0], flows.opened_task(process))
    notification_events.task_arrived(nomination)


def _drive(task: Task, actor: User, outcome: str, next_stage: str = "") -> Task | None:
    """Complete the viewflow task with ``outcome`` for the route (inside the caller's transaction).

    Returns the next stage's review task when the route opened one. ``task`` (with its process)
    was read after the caller locked the nomination, and every change to a sign-off task goes
    through these actions under that lock, so the activation uses it as read instead of
    re-reading both (``Task.activation()`` does); the flow's own process lock is still taken.
    """
    process = task.process
    process.data = {**process.data, "outcome": outcome, "stage": next_stage or process.data.get("stage", "")}
    process.save(update_fields=["data"])
    with SignOffFlow.lock(task.process_id):
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(actor)
        activation.start(None)
        activation.execute()
    return flows.opened_task(activation.process) if outcome in flows.OPENS_A_STAGE else None


def _leave_stage(nomination: Nomination) -> None:
    nomination.seated_stage = False
    nomination.stage_role = ""
    nomination.stage_org = None
    nomination.stage_entered_at = None
    nomination.stage_deadline = None
    nomination.task = None
    nomination.assignee = None


@transaction.atomic(durable=True)
def sign_off(
    task_id: int,
    *,
    actor: User,
    decision: SignOff.Decision | str,
    opinion: str,
    to_stage: str = "",
    cc: list[int] | None = None,
) -> SignOff:
    """Decide the current stage of a nomination: 同意, 退回修改 or 不同意.

    A return goes back to the unit, or, with ``to_stage`` (the key of an earlier stage of the
    chain), to that stage (退回到指定环节): the nomination stays in review there and the stages
    after it run again; every earlier sign-off and seal stays on record (400 ``invalid_to_stage``
    for a key that is not an earlier stage, or ``to_stage`` on anything but a return).

    抄送: the holders of the stage's ``cc_roles`` and the users in ``cc`` (people with a signing
    role at the nomination's unit, above it or at the host: 400 ``invalid_cc`` otherwise) are
    copied: notified, and may read the nomination from then on.

    Locks the nomination, then re-checks under the lock: the actor may see it (else 404), the
    task is its open task (else 409 ``task_already_decided``), the actor holds the stage's role at
    the stage's organisation and, after a transfer, is the assignee (else 403), the actor did
    not submit it (403 ``self_approval_forbidden``), an opinion is given for a return or a
    rejection, and the quotas binding at the stage hold (409 ``quota_exceeded``).
    Writes the sign-off, the seal when the stage seals and the decision is 同意, the audit event,
    and moves the process along.
    """
    nomination = _lock_nomination_of_task(task_id, decider=actor)
    return _decide(
        nomination, task_id, actor=actor, decision=SignOff.Decision(decision), opinion=opinion, to_stage=to_stage,
        cc=cc or [],
    )  # fmt: skip


MAX_BATCH = 100


@transaction.atomic(durable=True)
def sign_off_batch(task_ids: list[int], *, actor: User, opinion: str) -> list[SignOff]:
    """Approve up to 100 tasks of one stage with one opinion: all of them, or none.

    The nominations are locked in id order (no deadlock with another batch); the quota is
    checked as each one is approved, so it holds for the whole batch. The first refusal aborts
    the batch, and its message names the task.
    """
    unique = sorted(set(task_ids))
    if not unique or len(unique) > MAX_BATCH:
        raise InvalidInput.for_field(
            "tasks", _("一次批量审批 1 到 {n} 个任务").format(n=MAX_BATCH), code="invalid_batch"
        )
    ids = dict(Nomination.objects.filter(task_id__in=unique).values_list("task_id", "pk"))
    missing = [t for t in unique if t not in ids]
    if missing:
        raise TaskAlreadyDecided(_("任务 {ids} 已办理或不存在").format(ids="、".join(map(str, missing))))
    nominations = list(_locking(actor).filter(pk__in=ids.values()).order_by("pk"))
    # The tasks were matched to nominations before the lock: one decided in between has moved on
    # (no task, or the next stage's). Deciding its current task would decide what was not asked.
    wanted = {pk: task for task, pk in ids.items()}
    moved = [wanted[n.pk] for n in nominations if n.task_id != wanted[n.pk]]
    if moved or len(nominations) != len(wanted):
        gone = moved + [t for t, pk in ids.items() if pk not in {n.pk for n in nominations}]
        raise TaskAlreadyDecided(_("任务 {ids} 已办理或不存在").format(ids="、".join(map(str, sorted(gone)))))
    if len({n.stage for n in nominations}) > 1 or len({n.campaign_id for n in nominations}) > 1:
        raise InvalidInput.for_field("tasks", _("批量审批的任务必须属于同一活动的同一环节"), code="mixed_batch")
    return _approve_all(nominations, actor=actor, opinion=opinion)


def _decide_each(nominations: list[Nomination], *, actor: User, opinion: str) -> list[SignOff]:
    """A batch decided one nomination after the other (``_decide``); the first refusal names its task."""
    results = []
    for nomination in nominations:
        task_id = nomination.task_id
        assert task_id is not None
        try:
            results.append(
                _decide(nomination, task_id, actor=actor, decision=SignOff.Decision.APPROVE, opinion=opinion)
            )
        except SealflowError as exc:
            exc.detail = _("任务 {task}（{title}）：{detail}").format(
                task=task_id, title=nomination.title, detail=exc.detail
            )
            raise
    return results


def _approve_all(nominations: list[Nomination], *, actor: User, opinion: str) -> list[SignOff]:
    """Approve a checked batch (locked by ``_locking(actor)``, one campaign, one stage) set-wise.

    The same checks, records and events as one ``_decide`` per nomination, with the writes
    grouped: the stage list, the tasks, the delegations and the next stage's organisations read
    once, the seals signed one by one and inserted together, one insert for the sign-offs, one
    update for the nominations, one lock statement, head read and insert for the audit chains,
    one update and one insert for the outbox; viewflow still moves each task (its activation on
    the task read here). A stage where the quota binds (it counts the batch's own approvals as
    they are made; `quotas.bind_at`), that copies its decisions (抄送) or where 会签 / 加签 seats take part
    (``_seated_near``) is decided one by one, and so is a batch
    with a refusal, so that the refusal is the one, and names the task, that ``_decide`` gives.
    """
    stages = _stages(nominations[0])
    index = next(i for i, s in enumerate(stages) if s.key == nominations[0].stage)
    stage = stages[index]
    if stage.cc_roles or _seated_near(nominations, stages, index) or quotas.bind_at(nominations[0].campaign_id, stage):
        return _decide_each(nominations, actor=actor, opinion=opinion)
    task_ids = [n.task_id for n in nominations if n.task_id is not None]
    assert len(task_ids) == len(nominations), "the batch's nominations are matched to their open tasks"
    tasks = Task.objects.select_related("process").in_bulk(task_ids)
    try:
        delegations = _batch_checks(nominations, tasks, actor=actor, stages=stages, index=index)
    except SealflowError:
        return _decide_each(nominations, actor=actor, opinion=opinion)
    opinion = opinion.strip()
    decision = SignOff.Decision.APPROVE
    seals_by_pk: dict[int, Seal] = {}
    if stage.seal:
        made = seals.create_seals(
            [(n, _seal_org(n, stage, n.stage_org)) for n in nominations],  # type: ignore[arg-type]
            stage=stage.key, decision=decision, opinion=opinion, signer=actor,
        )  # fmt: skip
        seals_by_pk = {seal.nomination_id: seal for seal in made}
    now = timezone.now()
    signoffs = SignOff.objects.bulk_create(
        [
            SignOff(
                nomination=n, round=n.round, stage=stage.key, stage_name=stage.name, role=stage.role,
                decision=decision, opinion=opinion, to_stage="", signer=actor, signer_label=actor.label,
                org=n.stage_org, task_id=task_id, content_hash=n.content_hash, seal=seals_by_pk.get(n.pk),
                signed_at=now, delegation=delegations.get(n.pk),
                on_behalf_of=delegations[n.pk].principal if n.pk in delegations else None,
                on_behalf_of_label=delegations[n.pk].principal.label if n.pk in delegations else "",
            )
            for n, task_id in zip(nominations, task_ids, strict=True)
        ]
    )  # fmt: skip
    following = stages[index + 1] if index + 1 < len(stages) else None
    next_orgs: dict[tuple[object, ...], Organization | None] = {}
    audit: list[tuple[Nomination, list[EventSpec]]] = []
    for nomination, signoff, task_id in zip(nominations, signoffs, task_ids, strict=True):
        assert nomination.stage_org is not None
        seal = seals_by_pk.get(nomination.pk)
        delegation = delegations.get(nomination.pk)
        data = {"signoff": signoff.pk, "stage": stage.key, "decision": decision, "org": nomination.stage_org.pk,
                "round": nomination.round, "seal": seal.seal_hash if seal else None}  # fmt: skip
        if delegation is not None:
            data.update(on_behalf_of=delegation.principal_id, delegation=delegation.pk)
        if following is not None:
            next_task = _drive(tasks[task_id], actor, flows.NEXT_STAGE, following.key)
            assert next_task is not None
            where = _org_cache_key(nomination, following.signer_org)
            if where not in next_orgs:
                next_orgs[where] = resolve_signer_org(nomination, following)
            try:
                _enter_stage(nomination, following, next_task, next_orgs[where])
            except SealflowError as exc:  # no organisation for the next stage: named as _decide_each does
                exc.detail = _("任务 {task}（{title}）：{detail}").format(
                    task=task_id, title=nomination.title, detail=exc.detail
                )
                raise
            action = audit_events.NOMINATION_SIGNED_OFF
            data["next_stage"] = nomination.stage
        else:
            outcome, status, action = _ENDINGS[decision]
            _drive(tasks[task_id], actor, outcome)
            _leave_stage(nomination)
            nomination.status = status
        nomination.version += 1
        nomination.updated_at = now
        audit.append((nomination, [*([seals.seal_event(seal)] if seal else []), (action, data)]))
    _save_moved(nominations)
    record_events_of_many(audit, actor=actor)
    notification_events.tasks_closed(task_ids)
    with notification_events.one_insert():
        for nomination, signoff in zip(nominations, signoffs, strict=True):
            notification_events.decision_recorded(nomination, signoff)
    return signoffs


def _move_on(
    nomination: Nomination,
    task: Task,
    actor: User,
    decision: SignOff.Decision,
    stages: list[Stage],
    index: int,
    back_to: Stage | None,
    data: dict[str, object],
) -> str:
    """After the decision that decides a stage: on to the next stage, back to an earlier one
    (退回到指定环节: its task opens again in the same process and round), or to the chain's end.
    Notes the stage moved to in ``data``; returns the audit event of the decision."""
    if decision == SignOff.Decision.APPROVE and index + 1 < len(stages):
        next_task = _drive(task, actor, flows.NEXT_STAGE, stages[index + 1].key)
        assert next_task is not None
        _enter_stage(nomination, stages[index + 1], next_task)
        data["next_stage"] = nomination.stage
        return audit_events.NOMINATION_SIGNED_OFF
    if back_to is not None:
        next_task = _drive(task, actor, flows.RETURNED_TO_STAGE, back_to.key)
        assert next_task is not None
        _enter_stage(nomination, back_to, next_task)
        data["to_stage"] = back_to.key
        return audit_events.NOMINATION_RETURNED_TO_STAGE
    outcome, status, action = _ENDINGS[decision]
    _drive(task, actor, outcome)
    _leave_stage(nomination)
    nomination.status = status
    return action


def _seated_near(nominations: list[Nomination], stages: list[Stage], index: int) -> bool:
    """Whether 会签 / 或签 or 加签 seats take part: at this stage (several holders, or a signer added
    to one), at the previous one (whose signers this one may not repeat) or at the next one (whose
    seats entering it opens). ``_decide`` handles seats; the set-wise path does not."""
    near = stages[max(index - 1, 0) : index + 2]
    return any(s.holders for s in near) or any(n.seated_stage for n in nominations)


def _save_moved(nominations: list[Nomination]) -> None:
    """Write what a decision changed on each nomination (its stage fields, status, version, time)
    in one ``UPDATE ... FROM unnest(...)``: ``bulk_update``'s CASE per field and row cost more
    Python than the rest of the batch."""
    columns = {
        "stage": "text", "stage_role": "text", "stage_org_id": "bigint", "stage_entered_at": "timestamptz",
        "stage_deadline": "timestamptz", "task_id": "bigint", "assignee_id": "bigint", "status": "text",
        "version": "integer", "updated_at": "timestamptz",
    }  # fmt: skip
    arrays = [[n.pk for n in nominations]] + [[getattr(n, c) for n in nominations] for c in columns]
    names = ", ".join(columns)
    unnest = ", ".join(["%s::bigint[]"] + [f"%s::{t}[]" for t in columns.values()])
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Nomination._meta.db_table} AS n SET {assignments} "  # noqa: S608
            f"FROM unnest({unnest}) AS v (id, {names}) WHERE n.id = v.id",
            arrays,
        )


def _batch_checks(
    nominations: list[Nomination], tasks: dict[int, Task], *, actor: User, stages: list[Stage], index: int
) -> dict[int, Delegation]:
    """``_decide``'s checks of an approval for every nomination of a batch (raising as it would);
    returns the delegations (代签) by nomination, looked up once per stage organisation."""
    found: dict[int | None, Delegation | None] = {}
    delegations = {}
    for nomination in nominations:
        target = ("approvals.nomination", str(nomination.pk))
        org = nomination.stage_org
        holds_role = bool(getattr(nomination, "decider_holds_role", False)) and actor.is_active
        delegation = None
        if org is not None and not holds_role:
            if org.pk not in found:
                found[org.pk] = _delegation_for(actor, nomination)
            delegation = found[org.pk]
        if org is None or not (holds_role or delegation is not None):
            raise NotPermitted(target=target)
        task = tasks.get(nomination.task_id or 0)
        if nomination.status != Nomination.Status.IN_REVIEW or task is None or task.status not in OPEN_TASK:
            raise TaskAlreadyDecided(target=target)
        decider_id = delegation.principal_id if delegation is not None else actor.pk
        if nomination.assignee_id is not None and nomination.assignee_id != decider_id:
            raise NotPermitted(target=target)
        _check_separation(nomination, actor, stages, index)
        if delegation is not None:
            _check_principal(nomination, delegation, stages, index)
            delegations[nomination.pk] = delegation
    return delegations


def _org_cache_key(nomination: Nomination, where: str) -> tuple[object, ...]:
    """What ``resolve_org(nomination, where)`` depends on: the unit (and the campaign, the district)."""
    return (where, nomination.unit_id, nomination.campaign_id, nomination.district_id)


_RELATED = ("campaign", "campaign__host_org", "unit", "district", "stage_org")


def _locking(decider: User | None = None) -> QuerySet[Nomination]:
    """Nominations read for update with what a decision needs; with ``decider``, also what it asks of them.

    The decider's facts come with the locked row, in the same statement: ``decider_holds_role``
    (the stage's role at the stage's organisation, ``permissions.holds_role_at_ref``),
    ``decider_authored`` (created, edited, submitted or attached to it, in any round: a
    ``NominationAuthor`` row, whatever the audit log calls those events) and
    ``previous_signer`` / ``previous_principal`` (the last sign-off of the current round, and
    whom it was signed for). They cannot go stale while the
    lock is held: every sign-off and every edit changes the nomination row under this lock, and a
    decider that waited for the lock sees the task moved on (409) before it reads them.
    """
    locking = Nomination.objects.select_for_update(of=("self",)).select_related(*_RELATED)
    if decider is None:
        return locking
    authored = NominationAuthor.objects.filter(nomination_id=OuterRef("pk"), user_id=decider.pk)
    previous = SignOff.objects.filter(nomination_id=OuterRef("pk"), round=OuterRef("round")).order_by("-id")
    return locking.annotate(
        decider_holds_role=permissions.holds_role_at_ref(decider, OuterRef("stage_role"), OuterRef("stage_org__path")),
        decider_authored=Exists(authored),
        previous_signer=Subquery(previous.values("signer_id")[:1]),
        previous_principal=Subquery(previous.values("on_behalf_of_id")[:1]),
        previous_to_stage=Subquery(previous.values("to_stage")[:1]),
        previous_seat=Subquery(previous.values("seat_id")[:1]),
    )


# Stand-ins for the values of the compiled statements (``config.compiled``), replaced per call.
_TASK_MARK = -7_919_101
_DECIDER_MARK = -7_919_103
_CAMPAIGN_MARK = -7_919_107


def _lock_query() -> QuerySet[Nomination]:
    queryset = _locking(User(pk=_DECIDER_MARK)).filter(task_id=_TASK_MARK)
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]  # as ``.first()``


def _lock_with_facts(task_id: int, decider: User) -> Nomination | None:
    """``_locking(decider).filter(task_id=task_id).first()``, compiled once."""
    found = run_compiled("lock", _lock_query, Nomination, {_TASK_MARK: task_id, _DECIDER_MARK: decider.pk})
    return found[0] if found else None


def _task_with_process(task_id: int) -> Task:
    """``Task.objects.select_related("process").get(pk=task_id)``, compiled once."""
    found = run_compiled(
        "task", lambda: Task.objects.select_related("process").filter(pk=_TASK_MARK), Task, {_TASK_MARK: task_id}
    )
    if len(found) != 1:
        raise Task.DoesNotExist("Task matching query does not exist.")
    return found[0]


def _lock_nomination_of_task(task_id: int, decider: User | None = None) -> Nomination:
    """Lock the nomination whose open task this is; for a decided task, the one it belonged to.

    Locked by the task in one statement: a decider that waited for the lock re-reads the row,
    finds the task moved on, and falls back to the decided task's nomination (then 409).
    """
    if decider is not None:
        nomination = _lock_with_facts(task_id, decider)
    else:
        nomination = _locking().filter(task_id=task_id).first()
    if nomination is None:
        # The task was decided: the answer is 409 or 404, for which the decider's facts are not
        # needed (``_decide`` asks for the role itself then), so the plain lock is enough.
        nomination = _locking().get(pk=_nomination_of_task(task_id))
    return nomination


def _decide(
    nomination: Nomination,
    task_id: int,
    *,
    actor: User,
    decision: SignOff.Decision,
    opinion: str,
    to_stage: str = "",
    cc: list[int] | None = None,
) -> SignOff:
    """The body of a decision; the caller locked the nomination (``_locking(actor)``) in its transaction."""
    target = ("approvals.nomination", str(nomination.pk))
    stages = _stages(nomination)
    current = nomination.status == Nomination.Status.IN_REVIEW and nomination.task_id == task_id
    index = next((i for i, s in enumerate(stages) if s.key == nomination.stage), -1) if current else -1
    if index >= 0 and (nomination.seated_stage or stages[index].holders):
        return _decide_seat(
            nomination, task_id, stages, index, actor=actor, decision=decision, opinion=opinion,
            to_stage=to_stage, cc=cc or [],
        )  # fmt: skip
    org = nomination.stage_org
    # The holder of the stage's role at the stage's organisation always sees the nomination;
    # anyone else gets 404 outside their scope and 403 inside it.
    holds_role = getattr(nomination, "decider_holds_role", None)
    if holds_role is None:  # locked without the decider's facts: a decided task's nomination
        holds_role = permissions.can_decide_stage(actor, nomination)
    holds_role = holds_role and actor.is_active
    # 代签: without the role, a delegate of a holder decides for them (checked as them, below).
    delegation = _delegation_for(actor, nomination) if org is not None and not holds_role else None
    holds_role = holds_role or delegation is not None
    if org is None or not holds_role:
        if not _sees(actor, nomination):
            raise NotVisible()
        if nomination.status != Nomination.Status.IN_REVIEW or nomination.task_id != task_id:
            raise TaskAlreadyDecided(target=target)
        raise NotPermitted(target=target)
    if nomination.status != Nomination.Status.IN_REVIEW or nomination.task_id != task_id:
        raise TaskAlreadyDecided(target=target)
    task = _task_with_process(task_id)
    if task.status not in OPEN_TASK:
        raise TaskAlreadyDecided(target=target)
    decider_id = delegation.principal_id if delegation is not None else actor.pk
    if nomination.assignee_id is not None and nomination.assignee_id != decider_id:
        raise NotPermitted(_("该任务已转交给其他人办理"), target=target)
    stage = stages[index]
    back_to = _return_target(stages, index, decision, to_stage)
    copied = _cc_users(nomination, cc or [])
    _check_separation(nomination, actor, stages, index)
    if delegation is not None:
        _check_principal(nomination, delegation, stages, index)
    opinion = opinion.strip()
    if decision != SignOff.Decision.APPROVE and not opinion:
        raise OpinionRequired(errors={"opinion": [str(OpinionRequired.message)]})
    if decision == SignOff.Decision.APPROVE:
        quotas.check_quotas_at_stage(nomination, stage)
    seal = None
    events: list[EventSpec] = []
    if stage.seal and decision == SignOff.Decision.APPROVE:
        seal = seals.create_seal(
            nomination, stage=stage.key, decision=decision, opinion=opinion, signer=actor,
            org=_seal_org(nomination, stage, org), content_hash=nomination.content_hash,
        )  # fmt: skip
    signoff = SignOff.objects.create(
        nomination=nomination, round=nomination.round, stage=stage.key, stage_name=stage.name, role=stage.role,
        decision=decision, opinion=opinion, to_stage=back_to.key if back_to else "", signer=actor,
        signer_label=actor.label, org=org, task_id=task_id, content_hash=nomination.content_hash, seal=seal,
        signed_at=timezone.now(), delegation=delegation,
        on_behalf_of=delegation.principal if delegation else None,
        on_behalf_of_label=delegation.principal.label if delegation else "",
    )  # fmt: skip
    data = {"signoff": signoff.pk, "stage": stage.key, "decision": decision, "org": org.pk,
            "round": nomination.round, "seal": seal.seal_hash if seal else None}  # fmt: skip
    if delegation is not None:
        data.update(on_behalf_of=delegation.principal_id, delegation=delegation.pk)
    action = _move_on(nomination, task, actor, decision, stages, index, back_to, data)
    nomination.version += 1
    nomination.save(update_fields=[*_STAGE_FIELDS, "status", "version", "updated_at"])
    if seal is not None:
        events.append(seals.seal_event(seal))
    events.append((action, data))
    copies = _copy(nomination, signoff, stage, copied, actor)
    if copies:
        events.append((audit_events.NOMINATION_COPIED, {"signoff": signoff.pk, "users": copies}))
    record_events(events, actor=actor, target=nomination)
    notification_events.task_closed(task_id)
    notification_events.decision_recorded(nomination, signoff)
    if copies:
        notification_events.nomination_copied(nomination, signoff, user_ids=copies)
    return signoff


def _take_seat(nomination: Nomination, task_id: int, actor: User) -> tuple[StageSeat, Delegation | None]:
    """The open seat of this 会签 / 或签 stage that ``actor`` decides, and the delegation (代签) if
    they decide it for its holder.

    A seat held by a grant at its own organisation comes first, then one covered from above, then
    one a delegation gives. Nobody (nor their principal) decides two seats of one activation
    (409 ``already_signed_stage``); outside the nomination's readers 404, else 403.
    """
    target = ("approvals.nomination", str(nomination.pk))
    seats = list(StageSeat.objects.filter(task_id=task_id).select_related("org").order_by("position"))
    signed = SignOff.objects.filter(seat__task_id=task_id).values_list("signer_id", "on_behalf_of_id")
    signers = {pk for pair in signed for pk in pair if pk is not None}
    # 加签: the seat added for this very person comes first (nobody else decides it).
    added = [s for s in seats if s.user_id == actor.pk and s.status == StageSeat.Status.OPEN and actor.is_active]
    if added:
        if actor.pk in signers:
            raise AlreadySignedStage(target=target)
        return added[0], None
    # 加签: while their own seat waits (前加签) or is pending (后加签) a person takes no other seat
    # (e.g. a district reviewer the 社工部's seat, which their grant covers).
    if any(s.user_id == actor.pk and s.status in (StageSeat.Status.WAITING, StageSeat.Status.PENDING) for s in seats):
        raise SeatNotOpenYet(target=target)
    open_seats = [seat for seat in seats if seat.status == StageSeat.Status.OPEN and seat.user_id is None]
    exact = set(
        Grant.objects.filter(
            user_id=actor.pk, user__is_active=True, role__in=[s.role for s in open_seats],
            org_id__in=[s.org_id for s in open_seats],
        ).values_list("role", "org_id")
    ) if actor.is_active else set()  # fmt: skip
    held = [s for s in open_seats if (s.role, s.org_id) in exact]
    held += [
        s
        for s in open_seats
        if s not in held and actor.is_active and permissions.has_role_at(actor, Role(s.role), s.org)
    ]
    if held:
        if actor.pk in signers:
            raise AlreadySignedStage(target=target)
        return held[0], None
    for seat in open_seats:
        for delegation in active_delegations(actor, role=seat.role, org=seat.org):
            if delegation.principal.is_active and permissions.has_role_at(
                delegation.principal, Role(seat.role), seat.org
            ):
                if {actor.pk, delegation.principal_id} & signers:
                    raise AlreadySignedStage(target=target)
                return seat, delegation
    # Someone who signed (or whose principal signed, 代签) a seat already: their one decision was made.
    holder_seats = [seat for seat in seats if seat.user_id is None]
    principals = {
        d.principal_id for seat in holder_seats for d in active_delegations(actor, role=seat.role, org=seat.org)
    }
    if ({actor.pk} | principals) & signers:
        raise AlreadySignedStage(target=target)
    if not _sees(actor, nomination):
        raise NotVisible()
    # 加签: a seat of the actor's that opens later (after the added signer, or after its adder).
    later = (StageSeat.Status.WAITING, StageSeat.Status.PENDING)
    if any(
        seat.status in later
        and (
            seat.user_id == actor.pk
            or (seat.user_id is None and permissions.has_role_at(actor, Role(seat.role), seat.org))
        )
        for seat in seats
    ):
        raise SeatNotOpenYet(target=target)
    raise NotPermitted(target=target)


def _sees(actor: User, nomination: Nomination) -> bool:
    """Who reads a submitted nomination (``permissions.sees_submitted_nomination``), and the
    holders of its 会签 / 或签 seats (e.g. the district's 社工部, beside the unit's line)."""
    if permissions.sees_submitted_nomination(actor, nomination):
        return True
    seats = StageSeat.objects.filter(nomination_id=nomination.pk).select_related("org")
    return actor.is_active and any(
        user_id == actor.pk if user_id is not None else permissions.has_role_at(actor, Role(role), org)
        for role, org, user_id in {(seat.role, seat.org, seat.user_id) for seat in seats}
    )


def _decide_seat(
    nomination: Nomination,
    task_id: int,
    stages: list[Stage],
    index: int,
    *,
    actor: User,
    decision: SignOff.Decision,
    opinion: str,
    to_stage: str,
    cc: list[int],
) -> SignOff:
    """A decision at a 会签 / 或签 stage: one holder's seat (``_decide``'s body for such stages).

    Each holder's opinion is its own sign-off, sealed (where the stage seals) with its own
    organisation's seal. An approval leaves the stage open while a 会签 stage still has open
    seats; the last approval (会签), the first approval (或签), or any return or rejection
    decides the stage: the seats still open are cancelled and the route moves on as for a stage
    of one holder.
    """
    target = ("approvals.nomination", str(nomination.pk))
    seat, delegation = _take_seat(nomination, task_id, actor)
    task = Task.objects.select_related("process").get(pk=task_id)
    if task.status not in OPEN_TASK:
        raise TaskAlreadyDecided(target=target)
    stage = stages[index]
    back_to = _return_target(stages, index, decision, to_stage)
    copied = _cc_users(nomination, cc)
    _check_separation(nomination, actor, stages, index)
    if delegation is not None:
        _check_principal(nomination, delegation, stages, index)
    opinion = opinion.strip()
    if decision != SignOff.Decision.APPROVE and not opinion:
        raise OpinionRequired(errors={"opinion": [str(OpinionRequired.message)]})
    seat.status = _SEAT_STATUS[decision]
    others = [s for s in StageSeat.objects.filter(task_id=task_id).order_by("position") if s.pk != seat.pk]
    opened = _open_after(seat, others) if decision == SignOff.Decision.APPROVE else []
    decides = decision != SignOff.Decision.APPROVE or _stage_decided(stage, seat, others)
    others = [s for s in others if s.status in _LIVE_SEATS]
    if decision == SignOff.Decision.APPROVE and decides:
        quotas.check_quotas_at_stage(nomination, stage)
    now = timezone.now()
    seal = None
    if stage.seal and decision == SignOff.Decision.APPROVE:
        # 会签 / 或签: each holder's own organisation; 加签 at a stage of one holder: the stage's seal.
        seal_org = seat.org if stage.holders else _seal_org(nomination, stage, seat.org)
        seal = seals.create_seal(
            nomination, stage=stage.key, decision=decision, opinion=opinion, signer=actor, org=seal_org,
            content_hash=nomination.content_hash,
        )  # fmt: skip
    seat.decided_at = now
    seat.save(update_fields=["status", "decided_at"])
    signoff = SignOff.objects.create(
        nomination=nomination, round=nomination.round, stage=stage.key, stage_name=stage.name, role=seat.role,
        decision=decision, opinion=opinion, to_stage=back_to.key if back_to else "", signer=actor,
        signer_label=actor.label, org=seat.org, task_id=task_id, content_hash=nomination.content_hash, seal=seal,
        signed_at=now, delegation=delegation, seat=seat,
        on_behalf_of=delegation.principal if delegation else None,
        on_behalf_of_label=delegation.principal.label if delegation else "",
    )  # fmt: skip
    data = {"signoff": signoff.pk, "stage": stage.key, "decision": decision, "org": seat.org_id,
            "round": nomination.round, "seal": seal.seal_hash if seal else None, "seat": seat.position,
            "mode": stage.mode}  # fmt: skip
    if delegation is not None:
        data.update(on_behalf_of=delegation.principal_id, delegation=delegation.pk)
    if not decides:
        # Seats still to sign (会签, 加签): the stage waits; the routing fields name an open holder.
        if opened:
            StageSeat.objects.filter(pk__in=[o.pk for o in opened]).update(status=StageSeat.Status.OPEN)
            data["opened_seats"] = [o.position for o in opened]
        first = next((o for o in others if o.user_id is None and o.status == StageSeat.Status.OPEN), None)
        if first is not None:
            nomination.stage_role, nomination.stage_org_id = first.role, first.org_id
        action = audit_events.NOMINATION_COSIGNED
        data["remaining"] = len(others)
    else:
        if others:
            StageSeat.objects.filter(pk__in=[o.pk for o in others]).update(
                status=StageSeat.Status.CANCELLED, decided_at=now
            )
            data["cancelled_seats"] = [o.position for o in others]
        action = _move_on(nomination, task, actor, decision, stages, index, back_to, data)
    nomination.version += 1
    nomination.save(update_fields=[*_STAGE_FIELDS, "status", "version", "updated_at"])
    events: list[EventSpec] = []
    if seal is not None:
        events.append(seals.seal_event(seal))
    events.append((action, data))
    copies = _copy(nomination, signoff, stage, copied, actor)
    if copies:
        events.append((audit_events.NOMINATION_COPIED, {"signoff": signoff.pk, "users": copies}))
    record_events(events, actor=actor, target=nomination)
    if decides:
        notification_events.task_closed(task_id)
        notification_events.decision_recorded(nomination, signoff)
    if copies:
        notification_events.nomination_copied(nomination, signoff, user_ids=copies)
    return signoff


_LIVE_SEATS = (StageSeat.Status.OPEN, StageSeat.Status.WAITING, StageSeat.Status.PENDING)


def _open_after(seat: StageSeat, others: list[StageSeat]) -> list[StageSeat]:
    """加签: the seats an approval of ``seat`` opens (in memory; the caller saves them): the
    adder's seat after its last 前加签 approved, and the 后加签 seats of a holder who approved."""
    opened = []
    if seat.kind == StageSeat.Kind.BEFORE:
        before = [o for o in others if o.added_from_id == seat.added_from_id and o.kind == StageSeat.Kind.BEFORE]
        if all(o.status == StageSeat.Status.APPROVED for o in before):
            opened = [o for o in others if o.pk == seat.added_from_id and o.status == StageSeat.Status.WAITING]
    elif seat.kind == StageSeat.Kind.HOLDER:
        opened = [o for o in others if o.added_from_id == seat.pk and o.status == StageSeat.Status.PENDING]
    for o in opened:
        o.status = StageSeat.Status.OPEN
    return opened


def _stage_decided(stage: Stage, seat: StageSeat, others: list[StageSeat]) -> bool:
    """After ``seat`` approved: is the stage decided? A holder's seat and the seats added to it
    (加签) form a group, approved when all of them are; 或签 needs one group, 会签 (and a stage of
    one holder) every group."""
    everyone = [seat, *others]

    def approved(root: int) -> bool:
        return all(s.status == StageSeat.Status.APPROVED for s in everyone if (s.added_from_id or s.pk) == root)

    if stage.mode == Stage.Mode.ANY:
        return approved(seat.added_from_id or seat.pk)
    return all(approved(s.pk) for s in everyone if s.added_from_id is None)


_SEAT_STATUS = {
    SignOff.Decision.APPROVE: StageSeat.Status.APPROVED,
    SignOff.Decision.RETURN: StageSeat.Status.RETURNED,
    SignOff.Decision.REJECT: StageSeat.Status.REJECTED,
}


MAX_ADD_REASON = 500


@transaction.atomic(durable=True)
def add_signer(
    task_id: int,
    *,
    actor: User,
    position: str,
    reason: str,
    user_id: int | None = None,
    role: str = "",
    org_id: int | None = None,
) -> StageSeat:
    """加签: a signer of the open task adds a person (``user_id``) or a post (``role`` at ``org_id``:
    whoever holds that grant decides the seat, as a 会签 holder's) before (前加签: they decide first,
    then the task comes back to the signer) or after themselves (后加签: after the signer approves,
    they must approve too before the stage completes).

    The actor must be able to decide the task now, as a holder of the stage (not as a delegate,
    nor as an added signer: 403). Exactly one of a person or a post (400 ``invalid_add_signer_target``).
    The person added is someone else who could decide the seat (400 ``invalid_added_signer``: not
    the actor, active, reading the nomination already, not its author nor the previous stage's
    signer, without a seat or a decision at this task and unable to decide another seat of it); a
    post is a signing role at an organisation, not the actor's own, not a seat of this task yet,
    with at least one such person holding it. Recorded (``nomination.signer_added``) and the person
    or the post's holders notified (``signer_added``).
    """
    nomination = _lock_nomination_of_task(task_id, decider=actor)
    target = ("approvals.nomination", str(nomination.pk))
    stages = _stages(nomination)
    current = nomination.status == Nomination.Status.IN_REVIEW and nomination.task_id == task_id
    index = next((i for i, s in enumerate(stages) if s.key == nomination.stage), -1) if current else -1
    if index < 0:
        if not _sees(actor, nomination):
            raise NotVisible()
        raise TaskAlreadyDecided(target=target)
    stage = stages[index]
    if not nomination.seated_stage:
        # A stage of one holder becomes seated: the actor's place is its holder's seat.
        holds = bool(getattr(nomination, "decider_holds_role", False)) and actor.is_active
        if not holds or nomination.assignee_id not in (None, actor.pk):
            if not _sees(actor, nomination):
                raise NotVisible()
            raise NotPermitted(target=target)
        assert nomination.stage_org is not None
        seat = StageSeat(
            nomination=nomination, round=nomination.round, stage=stage.key, task_id=task_id, position=0,
            role=nomination.stage_role, org=nomination.stage_org,
        )  # fmt: skip
    else:
        seat, delegation = _take_seat(nomination, task_id, actor)
        if delegation is not None or seat.kind != StageSeat.Kind.HOLDER:
            raise NotPermitted(_("代签人和加签人不能再加签"), target=target)
    _check_separation(nomination, actor, stages, index)
    if position not in (StageSeat.Kind.BEFORE, StageSeat.Kind.AFTER):
        raise InvalidInput.for_field("position", _("请选择前加签（before）或后加签（after）"), code="invalid_position")
    reason = reason.strip()
    if not reason or len(reason) > MAX_ADD_REASON:
        raise InvalidInput.for_field(
            "reason",
            _("请填写加签理由（不超过 {n} 个字）").format(n=MAX_ADD_REASON),
            code="add_signer_reason_required",
        )
    post_given = bool(role) or org_id is not None
    if (user_id is not None) == post_given or (post_given and not (role and org_id is not None)):
        message = _("请选择一位加签人，或选择一个加签岗位（角色和组织），二者选其一")
        raise InvalidInput.for_field("user", message, code="invalid_add_signer_target")
    added: User | None = None
    post: Organization | None = None
    checks = _AddedChecks(nomination, task_id, actor, stages, index, seat)
    if user_id is not None:
        added = User.objects.filter(pk=user_id, is_active=True).first()
        checks.person(added)
    else:
        post = checks.post(role, org_id)
    before = position == StageSeat.Kind.BEFORE
    # The adder's seat is theirs from now on (no other holder of the role takes it over).
    seat.user = actor
    if before:
        seat.status = StageSeat.Status.WAITING
    seat.save()
    last = StageSeat.objects.filter(task_id=task_id).order_by("-position").values_list("position", flat=True).first()
    new_seat = StageSeat.objects.create(
        nomination=nomination, round=nomination.round, stage=stage.key, task_id=task_id, position=(last or 0) + 1,
        role=role if post is not None else "", org=post or seat.org, kind=position, user=added, added_by=actor,
        added_from=seat, reason=reason, status=StageSeat.Status.OPEN if before else StageSeat.Status.PENDING,
    )  # fmt: skip
    nomination.seated_stage = True
    nomination.version += 1
    nomination.save(update_fields=["seated_stage", "version", "updated_at"])
    data: dict[str, object] = {"task": task_id, "stage": stage.key, "placement": position, "reason": reason,
                               "seat": new_seat.position}  # fmt: skip
    if added is not None:
        data["added"] = added.pk
    else:
        assert post is not None
        data.update(added_role=role, added_org=post.pk)
    record_event(audit_events.SIGNER_ADDED, actor=actor, target=nomination, data=data)
    notification_events.signer_added(
        nomination, user_id=added.pk if added else None, post=(role, post.pk) if post else None, actor=actor,
        placement=position, reason=reason,
    )  # fmt: skip
    return new_seat


class _AddedChecks:
    """Whom a signer may add (加签), checked under the lock: else 400 ``invalid_added_signer``."""

    def __init__(
        self, nomination: Nomination, task_id: int, actor: User, stages: list[Stage], index: int, own: StageSeat
    ) -> None:
        self.nomination, self.task_id, self.actor = nomination, task_id, actor
        self.stage = stages[index]
        # Who may not sign this stage: its authors, and the previous stage's signers (unless allowed).
        self.authors = set(
            NominationAuthor.objects.filter(nomination_id=nomination.pk).values_list("user_id", flat=True)
        ) | {pk for pk in (nomination.submitted_by_id, nomination.created_by_id) if pk is not None}
        self.previous = set() if self.stage.same_signer_as_previous else _previous_signers(nomination, stages, index)
        self.seats = list(StageSeat.objects.filter(task_id=task_id).select_related("org"))
        signed = SignOff.objects.filter(task_id=task_id, seat__isnull=False)
        self.signed = {pk for pair in signed.values_list("signer_id", "on_behalf_of_id") for pk in pair if pk}
        # The other holders' seats still to decide that nobody has taken as their own (会签 / 或签).
        free = [s for s in self.seats if s.user_id is None and s.status in _LIVE_SEATS and s.pk != own.pk]
        self.free = {(s.role, s.org_id) for s in free}

    def refuse(self, message: str, field: str = "user") -> None:
        raise InvalidInput.for_field(field, message, code="invalid_added_signer")

    def eligible(self, user: User) -> str:
        """Why ``user`` could not decide an added seat of this task; empty when they could."""
        if user.pk == self.actor.pk:
            return _("不能给自己加签，请选择其他人员")
        if not _sees(user, self.nomination):
            return _("只能加签有权查看本申报的人员")
        if user.pk in self.authors:
            return _("不能加签本申报的填报人或提交人")
        if user.pk in self.previous:
            return _("不能加签上一环节的签署人（同一人不能连续签署两个环节）")
        if user.pk in self.signed or any(s.user_id == user.pk for s in self.seats):
            return _("该人员已是本环节的签署人")
        # A holder of another seat's own grant would be asked to decide twice (and could not).
        if self.free and self.free & set(Grant.objects.filter(user_id=user.pk).values_list("role", "org_id")):
            return _("该人员已是本环节的会签签署方，请其直接办理")
        return ""

    def person(self, added: User | None) -> None:
        if added is None:
            self.refuse(_("请选择有效的加签人"))
        assert added is not None
        problem = self.eligible(added)
        if problem:
            self.refuse(problem)

    def post(self, role: str, org_id: int | None) -> Organization:
        org = Organization.objects.filter(pk=org_id or 0).first()
        if role not in SIGNING_ROLES or org is None:
            self.refuse(_("请选择一个有审批职责的岗位（角色和组织）"), "role")
        assert org is not None
        post = Role(role)
        if permissions.has_role_at(self.actor, post, org):
            self.refuse(_("不能加签本人所在的岗位，请选择其他岗位"), "role")
        if any(s.role == role and s.org_id == org.pk and s.status in _LIVE_SEATS for s in self.seats):
            self.refuse(_("该岗位已是本环节的签署方"), "role")
        holders = permissions.holders_of_post(post, org).exclude(pk__in=[self.actor.pk, *self.authors])
        if not any(not self.eligible(user) for user in holders.order_by("id")[:50]):
            self.refuse(_("该岗位没有可以签署本申报的人员，请选择其他岗位或人员"), "role")
        return org


MAX_CC = 20


def _cc_users(nomination: Nomination, user_ids: list[int]) -> list[int]:
    """The users a signer copies (抄送): active, with a signing role at the nomination's unit, an
    organisation above it or the campaign's host (people who read such nominations); else 400."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    org_ids = [*nomination.unit.ancestor_ids(), nomination.unit_id, nomination.campaign.host_org_id]
    allowed = set(
        Grant.objects.filter(
            user_id__in=wanted, user__is_active=True, role__in=sorted(SIGNING_ROLES), org_id__in=org_ids
        ).values_list("user_id", flat=True)
    )
    if len(wanted) > MAX_CC or set(wanted) - allowed:
        raise InvalidInput.for_field(
            "cc",
            _("只能抄送本申报所在单位、上级组织或主办方的审批人员（最多 {n} 人）").format(n=MAX_CC),
            code="invalid_cc",
        )
    return wanted


def _copy(nomination: Nomination, signoff: SignOff, stage: Stage, chosen: list[int], actor: User) -> list[int]:
    """Write the copies of this decision: the stage's ``cc_roles`` holders, then the signer's choice."""
    by_stage: set[int] = set()
    for role in stage.cc_roles or []:
        org = resolve_org(nomination, DEFAULT_SIGNER_ORG.get(role, Stage.SignerOrg.HOST))
        if org is not None:
            holders = Grant.objects.filter(role=role, org=org, user__is_active=True).values_list("user_id", flat=True)
            by_stage.update(holders)
    rows = [CarbonCopy(nomination=nomination, signoff=signoff, user_id=u, source=CarbonCopy.Source.STAGE)
            for u in sorted(by_stage - {actor.pk})]  # fmt: skip
    rows += [CarbonCopy(nomination=nomination, signoff=signoff, user_id=u, source=CarbonCopy.Source.SIGNER)
             for u in chosen if u not in by_stage and u != actor.pk]  # fmt: skip
    CarbonCopy.objects.bulk_create(rows)
    return sorted(row.user_id for row in rows)


def _seal_org(nomination: Nomination, stage: Stage, signer_org: Organization) -> Organization:
    """Whose seal the stage applies: the signer's organisation, or the one the stage names
    (a party stage sealed with its unit's seal, [003]: 党组织负责人签名, 单位盖章)."""
    if not stage.seal_org or stage.seal_org == stage.signer_org:
        return signer_org
    org = resolve_org(nomination, stage.seal_org)
    if org is None:
        raise StateConflict(
            _("找不到“{stage}”环节的盖章组织（{where}），请联系活动管理员").format(
                stage=stage.name, where=stage.get_seal_org_display()
            ),
            target=("approvals.nomination", str(nomination.pk)),
        )
    return org


def _delegation_for(actor: User, nomination: Nomination) -> Delegation | None:
    """The delegation under which ``actor`` may decide this stage for its holder (代签), if any:
    active now, for the stage's role at the stage's organisation, from a principal who still
    holds that role there and is active."""
    if not actor.is_active or nomination.stage_org is None or not nomination.stage_role:
        return None
    for delegation in active_delegations(actor, role=nomination.stage_role, org=nomination.stage_org):
        if delegation.principal.is_active and permissions.can_decide_stage(delegation.principal, nomination):
            return delegation
    return None


def _check_principal(nomination: Nomination, delegation: Delegation, stages: list[Stage], index: int) -> None:
    """A proxy decides nothing its principal could not: the principal did not write the
    nomination and did not sign the stage before (unless the stage allows it, 一肩挑)."""
    target = ("approvals.nomination", str(nomination.pk))
    principal_id = delegation.principal_id
    authored = NominationAuthor.objects.filter(nomination_id=nomination.pk, user_id=principal_id).exists()
    if authored or principal_id in (nomination.submitted_by_id, nomination.created_by_id):
        raise SelfApprovalForbidden(target=target)
    if principal_id in _previous_signers(nomination, stages, index) and not stages[index].same_signer_as_previous:
        raise ConsecutiveSignOffForbidden(target=target)


def _return_target(stages: list[Stage], index: int, decision: SignOff.Decision, to_stage: str) -> Stage | None:
    """The earlier stage a return goes back to (退回到指定环节); None for a return to the unit.

    Any stage before the current one may be named; anything else is bad input (400), checked
    before anything is written.
    """
    if not to_stage:
        return None
    if decision != SignOff.Decision.RETURN:
        raise InvalidInput.for_field("to_stage", _("只有退回修改时可以指定退回到的环节"), code="invalid_to_stage")
    earlier = {s.key: s for s in stages[:index]}
    if to_stage not in earlier:
        raise InvalidInput.for_field("to_stage", _("只能退回到本环节之前的环节"), code="invalid_to_stage")
    return earlier[to_stage]


def _previous_signers(nomination: Nomination, stages: list[Stage], index: int) -> set[int]:
    """Who signed the stage before this one in the current round (its latest approval): the
    signer, and the holder they signed for (代签).

    Read with the lock (``_locking``): the last sign-off of the round, which in a straight run is
    the previous stage's approval. After a return to an earlier stage (the last sign-off names a
    ``to_stage``) the previous stage's latest approval is looked up; the first stage has none.
    """
    if index == 0:
        return set()
    # 加签 makes a visit of a stage of one holder take several decisions too: this stage's (the
    # round's last sign-off may be one of its seats') or the previous one's (its last was a seat's).
    seated = nomination.seated_stage or getattr(nomination, "previous_seat", None) is not None
    several = bool(stages[index].holders or stages[index - 1].holders or seated)
    if not nomination.previous_to_stage and not several:  # type: ignore[attr-defined]
        found = [nomination.previous_signer, nomination.previous_principal]  # type: ignore[attr-defined]
    else:
        # After a return, or around a 会签 / 或签 stage (several approvals, and the current
        # stage's own seats in between): every approval of the previous stage's latest activation.
        rows = list(
            SignOff.objects.filter(
                nomination=nomination, round=nomination.round, stage=stages[index - 1].key,
                decision=SignOff.Decision.APPROVE,
            )
            .order_by("-task_id", "-id")
            .values_list("task_id", "signer_id", "on_behalf_of_id")
        )  # fmt: skip
        found = [pk for task, *pair in rows if task == rows[0][0] for pk in pair] if rows else []
    return {pk for pk in found if pk is not None}


def _check_separation(nomination: Nomination, actor: User, stages: list[Stage], index: int) -> None:
    """Nobody signs off what they wrote, and nobody signs two consecutive stages (style.md §5)
    unless the campaign lets this stage be signed by the previous stage's signer (一肩挑, only
    below the district: ``Stage.same_signer_as_previous``, checked by workflows/specs.py).

    Authors are whoever created, edited, submitted or attached files to the nomination in any
    round (a unit leader who fixed a returned nomination is its author), as the authoring actions
    recorded them (``NominationAuthor``); the previous signer signed the stage before this one in
    the current round (``_previous_signers``). Both were read with the lock (``_locking``).
    """
    target = ("approvals.nomination", str(nomination.pk))
    if actor.pk in (nomination.submitted_by_id, nomination.created_by_id):
        raise SelfApprovalForbidden(target=target)
    if nomination.decider_authored:  # type: ignore[attr-defined]
        raise SelfApprovalForbidden(target=target)
    if actor.pk in _previous_signers(nomination, stages, index) and not stages[index].same_signer_as_previous:
        raise ConsecutiveSignOffForbidden(target=target)


# How a decision that leaves the chain ends it: the route's outcome, the status, the audit action.
_ENDINGS = {
    SignOff.Decision.APPROVE: (flows.APPROVED, Nomination.Status.APPROVED, audit_events.NOMINATION_APPROVED),
    SignOff.Decision.RETURN: (flows.RETURNED, Nomination.Status.RETURNED, audit_events.NOMINATION_RETURNED),
    SignOff.Decision.REJECT: (flows.REJECTED, Nomination.Status.REJECTED, audit_events.NOMINATION_REJECTED),
}
MAX_TRANSFER_REASON = 500
_STAGE_FIELDS = (
    "stage", "stage_role", "stage_org", "stage_entered_at", "stage_deadline", "task", "assignee", "seated_stage",
)  # fmt: skip


@transaction.atomic(durable=True)
def transfer_task(task_id: int, *, actor: User, to_user_id: int, reason: str = "") -> Nomination:
    """Hand an open task to another holder of the stage's role at the stage's organisation (转交).

    The reason is required (400 ``transfer_reason_required``): the receiver reads it in the
    notification and the audit trail keeps it.
    """
    nomination = _lock_nomination_of_task(task_id)
    target = ("approvals.nomination", str(nomination.pk))
    if not _sees(actor, nomination):
        raise NotVisible()
    if nomination.status != Nomination.Status.IN_REVIEW or nomination.task_id != task_id:
        raise TaskAlreadyDecided(target=target)
    if StageSeat.objects.filter(task_id=task_id).exists():
        raise InvalidInput.for_field(
            "to_user", _("会签、或签或已加签的任务不能转交，请各签署人分别办理"), code="invalid_transfer_target"
        )
    allowed = permissions.can_decide_stage(actor, nomination) and nomination.assignee_id in (None, actor.pk)
    if not allowed:
        raise NotPermitted(target=target)
    receiver = User.objects.filter(pk=to_user_id, is_active=True).first()
    if receiver is None or receiver.pk == actor.pk or not permissions.can_decide_stage(receiver, nomination):
        raise InvalidInput.for_field(
            "to_user", _("只能转交给本组织同一角色的其他人员"), code="invalid_transfer_target"
        )
    # An author of any round (``NominationAuthor``) could not decide it: the task is not theirs to take.
    authored = NominationAuthor.objects.filter(nomination_id=nomination.pk, user_id=receiver.pk).exists()
    if authored or receiver.pk in (nomination.submitted_by_id, nomination.created_by_id):
        raise SelfApprovalForbidden(target=target)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("请填写转交理由"), code="transfer_reason_required")
    if len(reason) > MAX_TRANSFER_REASON:
        raise InvalidInput.for_field(
            "reason", _("转交理由不能超过 {n} 个字").format(n=MAX_TRANSFER_REASON), code="transfer_reason_too_long"
        )
    previous = nomination.assignee_id
    nomination.assignee = receiver
    nomination.version += 1
    nomination.save(update_fields=["assignee", "version", "updated_at"])
    task = Task.objects.get(pk=task_id)
    task.owner = receiver
    task.save(update_fields=["owner"])
    record_event(
        audit_events.TASK_TRANSFERRED,
        actor=actor,
        target=nomination,
        data={
            "task": task_id,
            "stage": nomination.stage,
            "from": previous or actor.pk,
            "to": receiver.pk,
            "reason": reason,
        },
    )
    notification_events.task_transferred(nomination, actor=actor, reason=reason)
    return nomination


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
    if not permissions.can_nominate_at(actor, nomination.unit):
        raise NotPermitted(target=target)
    decided = SignOff.objects.filter(nomination=nomination, round=nomination.round).exists()
    if nomination.status != Nomination.Status.IN_REVIEW or decided:
        raise WithdrawNotAllowed(target=target)
    task = Task.objects.select_related("process").get(pk=nomination.task_id)
    notification_events.task_closed(task.pk)
    # 加签 before any decision: the seats of the task close with it.
    StageSeat.objects.filter(task_id=task.pk, status__in=_LIVE_SEATS).update(
        status=StageSeat.Status.CANCELLED, decided_at=timezone.now()
    )
    _drive(task, actor, flows.WITHDRAWN)
    _leave_stage(nomination)
    nomination.stage = ""
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.version += 1
    nomination.save(
        update_fields=["status", "stage", "stage_role", "stage_org", "stage_entered_at", "task", "version",
                       "updated_at", "seated_stage"]
    )  # fmt: skip
    record_event(audit_events.NOMINATION_WITHDRAWN, actor=actor, target=nomination, data={"round": nomination.round})
    return nomination
