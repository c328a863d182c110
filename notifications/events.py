"""The public interface: one function per event, called inside the caller's transaction.

Each function writes one ``OutboxMessage`` row with a deterministic ``dedupe_key`` (one
``INSERT ... ON CONFLICT DO NOTHING``) and asks for a nudge of the drain after commit. It never
talks to the broker: if the transaction rolls back, the message is gone with it; if it commits,
the worker delivers it, shortly after the nudge or at the latest at beat's next poll, even if
the broker was down at commit time.

Recipients are stored as a spec (user ids, (role, organisation) pairs, external contacts);
the roles are expanded to the users who hold them when the message is drained
(``notifications/delivery.py``), so an event costs the action one insert.

The same event raised twice (a retried request, a repeated beat scan) has the same key and
produces one message, hence one notification per person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from config.dates import official_time
from notifications import links
from notifications.models import Notification, OutboxMessage
from notifications.nudge import nudge_after_commit

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from approvals.models import Nomination, SignOff
    from judging.models import Round
    from workflows.models import Campaign


class Kind:
    """The kinds of message; each has a template ``templates/notifications/<kind>.txt``."""

    TASK_ARRIVED = "task_arrived"
    NOMINATION_RETURNED = "nomination_returned"
    NOMINATION_REJECTED = "nomination_rejected"
    NOMINATION_APPROVED = "nomination_approved"
    NOMINATION_FINAL = "nomination_final"
    NOMINATION_REVOKED = "nomination_revoked"
    PUBLICITY_STARTED = "publicity_started"
    OBJECTION_FILED = "objection_filed"
    OBJECTION_DECIDED = "objection_decided"
    TASK_OVERDUE = "task_overdue"
    STAGE_DEADLINE_REMINDER = "stage_deadline_reminder"
    SUBMISSION_DEADLINE_REMINDER = "submission_deadline_reminder"
    TASK_URGED = "task_urged"
    PUBLICITY_WINDOW_ENDED = "publicity_window_ended"
    TASK_TRANSFERRED = "task_transferred"
    PASSWORD_RESET_CODE = "password_reset_code"  # noqa: S105 - a message kind, not a secret
    JUDGE_ASSIGNED = "judge_assigned"
    JUDGES_URGED = "judges_urged"
    JUDGING_ROUND_CLOSED = "judging_round_closed"
    JUDGING_DEADLINE_REMINDER = "judging_deadline_reminder"
    NOMINATION_NOT_SELECTED = "nomination_not_selected"
    VOTE_CODE = "vote_code"
    OBJECTION_ASSIGNED = "objection_assigned"
    OBJECTION_AGAINST_UNIT = "objection_against_unit"

    # Notices about one open task (their payload names it): done once the task is decided.
    TASK_NOTICES = (TASK_ARRIVED, TASK_TRANSFERRED, TASK_OVERDUE, STAGE_DEADLINE_REMINDER, TASK_URGED)
    NOMINATION_COPIED = "nomination_copied"
    ENTRANT_PLACE_PASSED = "entrant_place_passed"
    INTAKE_BELOW_MINIMUM = "intake_below_minimum"
    REVISION_WINDOW_OPENED = "revision_window_opened"
    SIGNER_ADDED = "signer_added"  # 加签

    ALL = (
        TASK_ARRIVED, NOMINATION_RETURNED, NOMINATION_REJECTED, NOMINATION_APPROVED, NOMINATION_FINAL,
        NOMINATION_REVOKED, PUBLICITY_STARTED, OBJECTION_FILED, OBJECTION_DECIDED, TASK_OVERDUE,
        STAGE_DEADLINE_REMINDER, SUBMISSION_DEADLINE_REMINDER, TASK_URGED, PUBLICITY_WINDOW_ENDED,
        TASK_TRANSFERRED, PASSWORD_RESET_CODE, JUDGE_ASSIGNED, JUDGES_URGED, JUDGING_ROUND_CLOSED,
        JUDGING_DEADLINE_REMINDER,
        NOMINATION_NOT_SELECTED,
        VOTE_CODE,
        OBJECTION_ASSIGNED,
        OBJECTION_AGAINST_UNIT,
        NOMINATION_COPIED,
        ENTRANT_PLACE_PASSED,
        INTAKE_BELOW_MINIMUM,
        REVISION_WINDOW_OPENED,
        SIGNER_ADDED,
    )  # fmt: skip


@dataclass(frozen=True)
class Contact:
    """Someone without an account (an objector): reached by the phone or email they gave."""

    name: str = ""
    phone: str = ""
    email: str = ""


def _recipients(
    users: Iterable[int | None] = (),
    roles: Iterable[tuple[str, int | None]] = (),
    contacts: Iterable[Contact] = (),
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    user_ids = sorted({u for u in users if u is not None})
    if user_ids:
        spec["users"] = user_ids
    role_pairs = sorted({(str(r), o) for r, o in roles if o is not None})
    if role_pairs:
        spec["roles"] = [list(pair) for pair in role_pairs]
    contact_list = [{"name": c.name, "phone": c.phone, "email": c.email} for c in contacts if c.phone or c.email]
    if contact_list:
        spec["contacts"] = contact_list
    return spec


def emit(kind: str, *, dedupe_key: str, recipients: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Write one outbox message in the current transaction; False if its key was already there.

    The lowest-level entry point; prefer the named event functions below.
    """
    assert connection.in_atomic_block, "outbox messages are written inside the action's transaction"
    assert kind in Kind.ALL, f"unknown notification kind {kind!r}"
    queue = _QUEUE.get()
    if queue is not None:  # inside ``one_insert`` (a batch): written when it ends; True means queued
        queue.append((kind, dedupe_key[:200], recipients, payload))
        return True
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        # One statement; RETURNING tells whether the key was new (bulk_create cannot, with conflicts ignored).
        cursor.execute(
            f"INSERT INTO {table} (kind, dedupe_key, recipients, payload, created_at, attempts, last_error) "  # noqa: S608
            "VALUES (%s, %s, %s::jsonb, %s::jsonb, %s, 0, '') ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            [
                kind,
                dedupe_key[:200],
                json.dumps(recipients, ensure_ascii=False),
                json.dumps(payload, ensure_ascii=False, default=str),
                timezone.now(),
            ],
        )
        created = cursor.fetchone() is not None
    if created:
        nudge_after_commit()
    return created


def _nomination_payload(nomination: Nomination, **extra: Any) -> dict[str, Any]:
    return {
        "nomination": nomination.pk,
        "title": nomination.title,
        "campaign": nomination.campaign_id,
        "campaign_title": nomination.campaign.title,
        "unit": nomination.unit.name,
        "link": links.nomination(nomination.pk),
        **extra,
    }


def _submitter_and_leader(nomination: Nomination) -> dict[str, Any]:
    return _recipients(
        users=[nomination.submitted_by_id or nomination.created_by_id],
        roles=[(Role.UNIT_LEADER, nomination.unit_id)],
    )


def _stage_holders(nomination: Nomination) -> dict[str, Any]:
    """Who must act on the open task: its assignee after a transfer, else the role's holders."""
    if nomination.assignee_id is not None:
        return _recipients(users=[nomination.assignee_id])
    # 会签 / 或签: every holder whose seat is open (known without a query when the stage was just entered).
    seats = getattr(nomination, OPEN_SEATS, None)
    if seats is None:
        from approvals.models import StageSeat  # noqa: PLC0415 - approvals imports this module

        open_seats = StageSeat.objects.filter(
            task_id=nomination.task_id or 0, status=StageSeat.Status.OPEN, user__isnull=True
        )
        seats = list(open_seats.values_list("role", "org_id"))
    return _recipients(roles=[(nomination.stage_role, nomination.stage_org_id), *seats])


# Set by the sign-off actions on a nomination entering a stage: its open seats' (role, org id).
OPEN_SEATS = "_sealflow_open_seats"


def _task_notice(kind: str, nomination: Nomination, *, key: str = "", **extra: Any) -> bool:
    """A notice about the nomination's open task to who must act on it, keyed on the task (+ ``key``)."""
    assert nomination.task_id is not None
    return emit(
        kind,
        dedupe_key=f"{kind}:task:{nomination.task_id}{key}",
        recipients=_stage_holders(nomination),
        payload=_nomination_payload(nomination, task=nomination.task_id, link=links.task(nomination.task_id), **extra),
    )


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return official_time(value)


# --- the sign-off chain -------------------------------------------------------------------------


def task_arrived(nomination: Nomination) -> bool:
    """The nomination entered a stage: tell the holders of the stage's role at its organisation.

    Call after the nomination's routing fields (``stage_role``, ``stage_org``, ``task``) are set.
    Keyed on the viewflow task, which is new for every stage entered.
    """
    return _task_notice(
        Kind.TASK_ARRIVED, nomination, stage=nomination.stage, deadline=_local(nomination.stage_deadline)
    )


def nomination_copied(nomination: Nomination, signoff: SignOff, *, user_ids: list[int]) -> bool:
    """抄送: a decision was copied to these users; they may read the nomination (once per decision)."""
    return emit(
        Kind.NOMINATION_COPIED,
        dedupe_key=f"{Kind.NOMINATION_COPIED}:signoff:{signoff.pk}",
        recipients=_recipients(users=user_ids),
        payload=_nomination_payload(
            nomination, by=signoff.signer_label, stage=signoff.stage_name, decision=signoff.get_decision_display()
        ),
    )


def task_transferred(nomination: Nomination, *, actor: User, reason: str = "") -> bool:
    """The open task was handed to another holder of the role (转交): tell the new assignee.

    Call after ``assignee`` is set. Keyed on the task and the nomination's version, which every
    transfer raises, so a task handed back and forth tells each receiver each time.
    """
    return _task_notice(
        Kind.TASK_TRANSFERRED,
        nomination,
        key=f":v{nomination.version}",
        by=actor.label,
        reason=reason,
        stage=nomination.stage,
        deadline=_local(nomination.stage_deadline),
    )


def task_closed(task_id: int) -> int:
    """The task was decided or withdrawn (by anyone): its 待办 notices are done, so they are marked
    read for everyone who got one. A notice still in the outbox is delivered read
    (``notifications/delivery.py`` asks whether its task is still open). Returns how many were marked."""
    assert connection.in_atomic_block, "called inside the decision's transaction"
    return Notification.objects.filter(
        kind__in=Kind.TASK_NOTICES, read_at__isnull=True, message__payload__task=task_id
    ).update(read_at=timezone.now())


_DECISION_KINDS = {
    "return": Kind.NOMINATION_RETURNED,
    "reject": Kind.NOMINATION_REJECTED,
    "approve": Kind.NOMINATION_APPROVED,
}


def nomination_decided(nomination: Nomination, signoff: SignOff) -> bool:
    """A decision ended the chain (returned, rejected, or approved at the last stage): tell the
    submitter and the unit leader, with the opinion. Keyed on the sign-off."""
    kind = _DECISION_KINDS[str(signoff.decision)]
    return emit(
        kind,
        dedupe_key=f"{kind}:signoff:{signoff.pk}",
        recipients=_submitter_and_leader(nomination),
        payload=_nomination_payload(
            nomination,
            stage_name=signoff.stage_name,
            opinion=signoff.opinion,
            org=signoff.org.name,
            signer=signoff.signer_label,
        ),  # fmt: skip
    )


def nomination_final(nomination: Nomination) -> bool:
    """The nomination became final after 公示: tell the submitter and the unit leader (once)."""
    return emit(
        Kind.NOMINATION_FINAL,
        dedupe_key=f"{Kind.NOMINATION_FINAL}:nomination:{nomination.pk}",
        recipients=_submitter_and_leader(nomination),
        payload=_nomination_payload(nomination),
    )


def nomination_revoked(nomination: Nomination, *, reason: str) -> bool:
    """The nomination was revoked (撤销): tell the submitter and the unit leader, with the reason."""
    return emit(
        Kind.NOMINATION_REVOKED,
        dedupe_key=f"{Kind.NOMINATION_REVOKED}:nomination:{nomination.pk}",
        recipients=_submitter_and_leader(nomination),
        payload=_nomination_payload(nomination, reason=reason),
    )


def nomination_not_selected(nomination: Nomination) -> bool:
    """The awards were confirmed and the nomination received none: tell the submitter and the
    unit leader (once)."""
    return emit(
        Kind.NOMINATION_NOT_SELECTED,
        dedupe_key=f"{Kind.NOMINATION_NOT_SELECTED}:nomination:{nomination.pk}",
        recipients=_submitter_and_leader(nomination),
        payload=_nomination_payload(nomination),
    )


def decision_recorded(nomination: Nomination, signoff: SignOff) -> bool:
    """After a decision: the next stage's task arrived, or the chain ended (returned, rejected, approved)."""
    if nomination.status == "in_review" and nomination.task_id is not None:
        return task_arrived(nomination)
    return nomination_decided(nomination, signoff)


# --- 公示 and objections (wired by the publicity issue) ---------------------------------------


def publicity_started(
    campaign: Campaign, *, units: Sequence[Organization], starts_at: datetime, ends_at: datetime
) -> bool:
    """公示 of the campaign started: tell the submitters and leaders of the units in it."""
    unit_ids = sorted({u.pk for u in units})
    return emit(
        Kind.PUBLICITY_STARTED,
        dedupe_key=f"{Kind.PUBLICITY_STARTED}:campaign:{campaign.pk}:{starts_at.isoformat()}",
        recipients=_recipients(
            roles=[(Role.SUBMITTER, u) for u in unit_ids] + [(Role.UNIT_LEADER, u) for u in unit_ids]
        ),
        payload={
            "campaign": campaign.pk,
            "campaign_title": campaign.title,
            "starts_at": _local(starts_at),
            "ends_at": _local(ends_at),
            "link": links.publicity(campaign.pk),
        },
    )


def publicity_window_ended(campaign: Campaign, *, round_id: int, ends_at: datetime, open_objections: int) -> bool:
    """A 公示 window ended (noticed once by beat): tell the host's committee, which decides and finalises."""
    return emit(
        Kind.PUBLICITY_WINDOW_ENDED,
        dedupe_key=f"{Kind.PUBLICITY_WINDOW_ENDED}:round:{round_id}",
        recipients=_recipients(roles=[(Role.COMMITTEE, campaign.host_org_id)]),
        payload={
            "campaign": campaign.pk,
            "campaign_title": campaign.title,
            "ends_at": _local(ends_at),
            "open_objections": open_objections,
            "link": links.publicity(campaign.pk),
        },
    )


def objection_filed(nomination: Nomination, *, objection_id: int, committee: Organization, receipt: str = "") -> bool:
    """An objection came in during 公示: tell the committee (the holders of ``committee`` there)."""
    return emit(
        Kind.OBJECTION_FILED,
        dedupe_key=f"{Kind.OBJECTION_FILED}:objection:{objection_id}",
        recipients=_recipients(roles=[(Role.COMMITTEE, committee.pk)]),
        payload=_nomination_payload(
            nomination, objection=objection_id, receipt=receipt, link=links.objection(objection_id)
        ),
    )


def objection_assigned(nomination: Nomination, *, objection_id: int, investigator_id: int) -> bool:
    """The committee named an investigator of an objection: tell the investigator (once per
    objection and investigator; the objector's identity is never in it)."""
    return emit(
        Kind.OBJECTION_ASSIGNED,
        dedupe_key=f"{Kind.OBJECTION_ASSIGNED}:objection:{objection_id}:{investigator_id}",
        recipients=_recipients(users=[investigator_id]),
        payload=_nomination_payload(nomination, objection=objection_id, link=links.objection(objection_id)),
    )


def objection_against_unit(nomination: Nomination, *, objection_id: int) -> bool:
    """An objection was filed against a nomination: tell its unit (submitters and leader) that one
    came in and is being checked; never who filed it nor what it says."""
    unit = nomination.unit_id
    return emit(
        Kind.OBJECTION_AGAINST_UNIT,
        dedupe_key=f"{Kind.OBJECTION_AGAINST_UNIT}:objection:{objection_id}",
        recipients=_recipients(roles=[(Role.SUBMITTER, unit), (Role.UNIT_LEADER, unit)]),
        payload=_nomination_payload(nomination),
    )


def objection_decided(
    *, objection_id: int, nomination_title: str, outcome: str, finding: str, contact: Contact, receipt: str = ""
) -> bool:
    """An objection was decided: tell the objector by the phone / email given on the objection.

    ``outcome`` is "upheld" or "dismissed". The objector has no account, so the contact is
    used whatever the preferences; there is no in-app notification.
    """
    return emit(
        Kind.OBJECTION_DECIDED,
        dedupe_key=f"{Kind.OBJECTION_DECIDED}:objection:{objection_id}",
        recipients=_recipients(contacts=[contact]),
        payload={
            "objection": objection_id,
            "title": nomination_title,
            "outcome": outcome,
            "finding": finding,
            "name": contact.name,
            "receipt": receipt,
            "link": links.public_objection(receipt) if receipt else "",
        },
    )


# --- timers (fired by beat through notifications/reminders.py) and 催办 --------------------------


def task_overdue(nomination: Nomination) -> bool:
    """The open task passed its stage's time limit: tell who must act (once per task)."""
    return _task_notice(Kind.TASK_OVERDUE, nomination, deadline=_local(nomination.stage_deadline))


def stage_deadline_reminder(nomination: Nomination, *, days: int) -> bool:
    """The open task's time limit is ``days`` days away: remind who must act (once per task and N)."""
    return _task_notice(
        Kind.STAGE_DEADLINE_REMINDER,
        nomination,
        key=f":{days}d",
        days=days,
        deadline=_local(nomination.stage_deadline),
    )


def submission_deadline_reminder(campaign: Campaign, *, days: int, user_ids: Iterable[int]) -> bool:
    """The campaign's submission deadline is ``days`` days away: remind the given submitters (once per N)."""
    return emit(
        Kind.SUBMISSION_DEADLINE_REMINDER,
        dedupe_key=f"{Kind.SUBMISSION_DEADLINE_REMINDER}:campaign:{campaign.pk}:{days}d",
        recipients=_recipients(users=user_ids),
        payload={
            "campaign": campaign.pk,
            "campaign_title": campaign.title,
            "days": days,
            "deadline": _local(campaign.submission_deadline),
            "link": links.campaign(campaign.pk),
        },
    )


def task_urged(nomination: Nomination, *, actor: User, note: str, on: date) -> bool:
    """A higher level urged the open task (催办): tell who must act. One per task, actor and day."""
    return _task_notice(Kind.TASK_URGED, nomination, key=f":by:{actor.pk}:{on.isoformat()}", by=actor.label, note=note)


# --- accounts -----------------------------------------------------------------------------------


def password_reset_code(*, user: User, code: str, expires_at: datetime, code_id: int) -> bool:
    """A system administrator asked for a password reset: send the one-time code to the account's
    own phone and e-mail (contacts, whatever the preferences; no in-app copy, which the session
    being reset could read). Keyed on the code record."""
    return emit(
        Kind.PASSWORD_RESET_CODE,
        dedupe_key=f"{Kind.PASSWORD_RESET_CODE}:code:{code_id}",
        recipients=_recipients(contacts=[Contact(name=user.display_name, phone=user.phone, email=user.email)]),
        payload={
            "code": code,
            "username": user.username,
            "expires_at": _local(expires_at),
            "link": links.password_reset(),
        },
    )


def on_password_reset_code_issued(
    sender: Any, *, user: User, code: str, expires_at: datetime, code_id: int, **kwargs: Any
) -> None:
    """Receiver of ``accounts.signals.password_reset_code_issued`` (connected in NotificationsConfig.ready)."""
    password_reset_code(user=user, code=code, expires_at=expires_at, code_id=code_id)


# --- judging (评审) -----------------------------------------------------------------------------


def _round_payload(campaign: Campaign, round_key: str, **extra: Any) -> dict[str, Any]:
    return {
        "campaign": campaign.pk,
        "campaign_title": campaign.title,
        "round": round_key,
        "link": links.judging(),
        **extra,
    }


def judge_assigned(campaign: Campaign, *, judge_id: int, round_key: str, count: int) -> bool:
    """A judge was given entries to score in a round (once per judge and round)."""
    return emit(
        Kind.JUDGE_ASSIGNED,
        dedupe_key=f"{Kind.JUDGE_ASSIGNED}:campaign:{campaign.pk}:{round_key}:{judge_id}",
        recipients=_recipients(users=[judge_id]),
        payload=_round_payload(campaign, round_key, count=count),
    )


def judges_urged(campaign: Campaign, *, judge_id: int, round_key: str, actor: User) -> bool:
    """催评: the committee reminds a judge with open assignments (once per judge, round and day)."""
    day = timezone.localdate().isoformat()
    return emit(
        Kind.JUDGES_URGED,
        dedupe_key=f"{Kind.JUDGES_URGED}:campaign:{campaign.pk}:{round_key}:{judge_id}:{day}",
        recipients=_recipients(users=[judge_id]),
        payload=_round_payload(campaign, round_key, by=actor.label),
    )


def judging_round_closed(campaign: Campaign, *, round_key: str, round_id: int) -> bool:
    """A round was closed: tell the host's committee (its results are ready)."""
    return emit(
        Kind.JUDGING_ROUND_CLOSED,
        dedupe_key=f"{Kind.JUDGING_ROUND_CLOSED}:round:{round_id}",
        recipients=_recipients(roles=[(Role.COMMITTEE, campaign.host_org_id)]),
        payload=_round_payload(campaign, round_key),
    )


def judging_deadline_reminder(current: Round, *, days: int, judge_ids: Iterable[int]) -> bool:
    """A round's scoring deadline is ``days`` days away: remind its judges with open sheets (once per N)."""
    return emit(
        Kind.JUDGING_DEADLINE_REMINDER,
        dedupe_key=f"{Kind.JUDGING_DEADLINE_REMINDER}:round:{current.pk}:{days}d",
        recipients=_recipients(users=judge_ids),
        payload=_round_payload(current.campaign, current.key, days=days, deadline=_local(current.deadline)),
    )


# --- public likes (网络点赞) --------------------------------------------------------------------


def vote_code(*, code_id: int, phone: str, code: str, minutes: int) -> bool:
    """The SMS code of a public vote, to the phone that asked for it (no account, no in-app notice)."""
    return emit(
        Kind.VOTE_CODE,
        dedupe_key=f"{Kind.VOTE_CODE}:code:{code_id}",
        recipients=_recipients(contacts=[Contact(phone=phone)]),
        payload={"code": code, "minutes": minutes, "link": ""},
    )


# --- entrant lists and minimums (issue 17) ------------------------------------------------------


def entrant_place_passed(
    campaign: Campaign, *, entry_id: int, unit_id: int, kind: str, declined_unit: str, rank: int
) -> bool:
    """A listed unit declined its place and the next reserve in rank got it (顺延 [002]): tell the
    reserve's submitters and leader (once per entry)."""
    return emit(
        Kind.ENTRANT_PLACE_PASSED,
        dedupe_key=f"{Kind.ENTRANT_PLACE_PASSED}:entry:{entry_id}",
        recipients=_recipients(roles=[(Role.SUBMITTER, unit_id), (Role.UNIT_LEADER, unit_id)]),
        payload={"campaign": campaign.pk, "campaign_title": campaign.title, "kind": kind,
                 "declined_unit": declined_unit, "rank": rank, "link": links.campaign(campaign.pk)},
    )  # fmt: skip


def intake_below_minimum(campaign: Campaign, *, townships: list[str], units: list[str], closed_at: datetime) -> bool:
    """Intake closed with townships or units below the campaign's minimum: tell the host's committee
    (once per closing)."""
    return emit(
        Kind.INTAKE_BELOW_MINIMUM,
        dedupe_key=f"{Kind.INTAKE_BELOW_MINIMUM}:campaign:{campaign.pk}:{closed_at.isoformat()}",
        recipients=_recipients(roles=[(Role.COMMITTEE, campaign.host_org_id)]),
        payload={"campaign": campaign.pk, "campaign_title": campaign.title, "townships": "、".join(townships),
                 "units": "、".join(units), "link": links.campaign(campaign.pk)},
    )  # fmt: skip


# --- revision after selection (修改完善, issue 17) ---------------------------------------------------


def revision_window_opened(nomination: Nomination, *, window_id: int, ends_at: datetime, note: str) -> bool:
    """The committee opened a revision window for a chosen nomination: tell its unit (once per window)."""
    return emit(
        Kind.REVISION_WINDOW_OPENED,
        dedupe_key=f"{Kind.REVISION_WINDOW_OPENED}:{window_id}:{nomination.pk}",
        recipients=_recipients(
            users=[nomination.submitted_by_id or nomination.created_by_id],
            roles=[(Role.SUBMITTER, nomination.unit_id), (Role.UNIT_LEADER, nomination.unit_id)],
        ),
        payload=_nomination_payload(nomination, window=window_id, ends_at=_local(ends_at), note=note),
    )


# --- batches (a batch approval writes its messages in one insert) --------------------------------

_QUEUE: ContextVar[list[tuple[str, str, dict[str, Any], dict[str, Any]]] | None] = ContextVar(
    "sealflow_outbox_queue", default=None
)


@contextmanager
def one_insert() -> Iterator[None]:
    """Inside, the event functions queue their messages; on leaving, one ``INSERT ... ON CONFLICT
    DO NOTHING`` writes them all, in order: the same rows as one ``emit`` each."""
    assert connection.in_atomic_block, "outbox messages are written inside the action's transaction"
    queue: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    token = _QUEUE.set(queue)
    try:
        yield
    finally:
        _QUEUE.reset(token)
    if not queue:
        return
    table = OutboxMessage._meta.db_table
    now = timezone.now()
    rows = ", ".join(["(%s, %s, %s::jsonb, %s::jsonb, %s, 0, '')"] * len(queue))
    params: list[Any] = []
    for kind, key, recipients, payload in queue:
        params += [kind, key, json.dumps(recipients, ensure_ascii=False),
                   json.dumps(payload, ensure_ascii=False, default=str), now]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, dedupe_key, recipients, payload, created_at, attempts, last_error) "  # noqa: S608
            f"VALUES {rows} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            params,
        )
        created = bool(cursor.fetchall())
    if created:
        nudge_after_commit()


def tasks_closed(task_ids: list[int]) -> int:
    """``task_closed`` for many tasks in one update (a batch approval)."""
    assert connection.in_atomic_block, "called inside the decision's transaction"
    return Notification.objects.filter(
        kind__in=Kind.TASK_NOTICES, read_at__isnull=True, message__payload__task__in=task_ids
    ).update(read_at=timezone.now())


def signer_added(
    nomination: Nomination,
    *,
    user_id: int | None,
    actor: User,
    placement: str,
    reason: str,
    post: tuple[str, int] | None = None,
) -> bool:
    """加签: ``user_id`` (or the holders of ``post``, a role at an organisation) was added to the
    open task, before or after its signer (once per task and person or post)."""
    assert nomination.task_id is not None
    who = f"{user_id}" if post is None else f"post:{post[0]}:{post[1]}"
    return emit(
        Kind.SIGNER_ADDED,
        dedupe_key=f"{Kind.SIGNER_ADDED}:task:{nomination.task_id}:{who}",
        recipients=_recipients(users=[user_id]) if post is None else _recipients(roles=[post]),
        payload=_nomination_payload(
            nomination, by=actor.label, stage=nomination.stage, before=placement == "before", reason=reason,
            task=nomination.task_id, link=links.task(nomination.task_id),
        ),
    )  # fmt: skip
