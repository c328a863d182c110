"""A batch approval (set-based writes) leaves the same records as the same approvals made one by one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.roles import Role
from approvals.actions import create_nomination, sign_off, sign_off_batch, submit_nomination
from approvals.exceptions import SelfApprovalForbidden
from approvals.models import Nomination, NominationAuthor, Seal, SignOff
from approvals.seal_keys import ensure_key
from approvals.seals import verify_nomination
from audit.models import AuditEvent
from audit.verification import verify_audit
from notifications.delivery import expand_batch
from notifications.models import Notification, OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.models import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

# What differs between two equal decisions of two nominations: their ids, times, hashes and links.
_VOLATILE = {"signoff", "seal", "seal_hash", "nomination", "task", "link", "deadline"}


def _chain_of_four(tree: Any) -> Any:
    """unit (no seal) → district (seal, the quota stage: decided one by one) → committee twice (seals)."""
    campaign = make_campaign(tree.committee)
    Stage.objects.filter(campaign=campaign, key="committee_review").update(key="committee_first", name="组委会初审")
    Stage.objects.create(campaign=campaign, position=3, key="committee_final", name="组委会终审",
                         role=Role.COMMITTEE, signer_org="host", seal=True)  # fmt: skip
    return campaign


def _submitted(campaign: Any, tree: Any, submitter: Any, n: int) -> list[Nomination]:
    made = []
    for _i in range(n):
        draft = create_nomination(
            actor=submitter,
            campaign=campaign,
            unit=tree.unit,
            kind="case",
            title="社区助老案例",
            form=valid_case_form(),
        )
        made.append(submit_nomination(draft.pk, actor=submitter))
    return made


def _tasks(nominations: list[Nomination]) -> list[int]:
    tasks = [n.task_id for n in nominations if n.task_id is not None]
    assert len(tasks) == len(nominations)
    return tasks


def _strip(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _VOLATILE}


def _records(nomination: Nomination) -> dict[str, Any]:
    """Everything a decision leaves about one nomination, without ids and times."""
    nomination.refresh_from_db()
    signoffs = [
        (s.round, s.stage, s.stage_name, s.role, s.decision, s.opinion, s.to_stage, s.signer_id, s.signer_label,
         s.org_id, s.content_hash == nomination.content_hash, s.seal is not None, s.delegation_id, s.on_behalf_of_id)
        for s in SignOff.objects.filter(nomination=nomination).select_related("seal").order_by("id")
    ]  # fmt: skip
    seals = [
        (s.stage, s.sequence, s.key_id, s.algorithm, s.signoff_id)
        for s in Seal.objects.filter(nomination=nomination).order_by("sequence")
    ]
    audit = [
        (e.seq, e.action, e.actor_id, _strip(e.data))
        for e in AuditEvent.objects.filter(object_type="approvals.nomination", object_id=str(nomination.pk)).order_by(
            "seq"
        )
    ]
    outbox = [
        (m.kind, m.recipients, _strip(m.payload))
        for m in OutboxMessage.objects.filter(payload__nomination=nomination.pk).order_by("id")
    ]
    notices = [
        (n.kind, n.user_id, n.read_at is not None)
        for n in Notification.objects.filter(message__payload__nomination=nomination.pk).order_by("id")
    ]
    tasks = [
        (t.flow_task.name, t.status, t.owner_id)
        for t in Task.objects.filter(process_id=nomination.process_id).order_by("id")
    ]
    state = (nomination.status, nomination.stage, nomination.stage_role, nomination.stage_org_id,
             nomination.assignee_id, nomination.version, nomination.round,
             nomination.stage_deadline is None)  # fmt: skip
    return {"signoffs": signoffs, "seals": seals, "audit": audit, "outbox": outbox, "notices": notices,
            "tasks": tasks, "state": state}  # fmt: skip


def test_a_batch_leaves_the_same_records_as_the_same_approvals_one_by_one(tree, submitter):
    campaign = _chain_of_four(tree)
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district")
    first = user_with_role(Role.COMMITTEE, tree.committee, username="cmt_first")
    final = user_with_role(Role.COMMITTEE, tree.committee, username="cmt_final")
    n = 4
    batched = _submitted(campaign, tree, submitter, n)
    singles = _submitted(campaign, tree, submitter, n)

    for signer in (leader, district, first, final):
        expand_batch()  # the task notices exist as notifications, so closing them is compared too
        for nomination in [*batched, *singles]:
            nomination.refresh_from_db()
        signoffs = sign_off_batch(_tasks(batched), actor=signer, opinion=" 同意 ")
        assert [s.nomination_id for s in signoffs] == [b.pk for b in batched]
        for single in singles:
            sign_off(_tasks([single])[0], actor=signer, decision="approve", opinion=" 同意 ")
    expand_batch()

    for batch_one, single in zip(batched, singles, strict=True):
        got, expected = _records(batch_one), _records(single)
        assert got == expected
        assert got["state"][0] == Nomination.Status.APPROVED
        assert len(got["seals"]) == 3
        assert len(got["signoffs"]) == 4
        assert verify_nomination(batch_one) == []
    assert verify_audit().valid


def test_a_batch_takes_one_statement_per_set_not_per_row_outside_viewflow(tree, submitter):
    """Apart from viewflow's own per-task writes, a batch's statements do not grow with its size."""
    campaign = _chain_of_four(tree)
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district")
    first = user_with_role(Role.COMMITTEE, tree.committee, username="cmt_first")
    with transaction.atomic():
        ensure_key(tree.committee)  # made before, so that neither measured batch makes it
    ours, viewflow = {}, {}
    for size in (2, 6):
        nominations = _submitted(campaign, tree, submitter, size)
        sign_off_batch(_tasks(nominations), actor=leader, opinion="同意")
        for n in nominations:
            n.refresh_from_db()
        sign_off_batch(_tasks(nominations), actor=district, opinion="同意")
        for n in nominations:
            n.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            sign_off_batch(_tasks(nominations), actor=first, opinion="同意")  # seals, next stage
        statements = [q["sql"] for q in queries.captured_queries]
        viewflow[size] = sum(1 for sql in statements if '"viewflow_' in sql)
        ours[size] = sum(1 for sql in statements if '"viewflow_' not in sql and "SAVEPOINT" not in sql)
    # The lock, the stage list, the tasks, the seal keys and heads, the seals, the sign-offs, the
    # nominations, the audit chains and the outbox: the same statements for 2 tasks as for 6.
    assert ours[2] == ours[6], ours
    assert ours[6] <= 14, ours
    # viewflow moves each task on its own: the process data, its lock, three task updates, two task
    # inserts and their two links.
    assert viewflow[6] - viewflow[2] == 4 * 9, viewflow


def test_a_refusal_in_a_batch_is_the_one_a_single_approval_gives_and_writes_nothing(tree, submitter):
    campaign = _chain_of_four(tree)
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    nominations = _submitted(campaign, tree, submitter, 3)
    # The unit leader wrote the last one (an edit is authorship): 403 self_approval_forbidden for it.
    NominationAuthor.objects.create(
        nomination=nominations[2], user=leader, kind=NominationAuthor.Kind.EDITED, first_at=timezone.now()
    )

    with pytest.raises(SelfApprovalForbidden) as refused:
        sign_off_batch(_tasks(nominations), actor=leader, opinion="同意")
    assert str(nominations[2].task_id) in str(refused.value.detail)
    assert not SignOff.objects.exists()
    assert not AuditEvent.objects.filter(action="nomination.signed_off").exists()
