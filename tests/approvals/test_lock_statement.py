"""The approval's hot reads, compiled once (``sign_offs._Compiled``), read what their ORM queries read."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from accounts.roles import Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.actions.sign_offs import _lock_with_facts, _locking, _stages, _task_with_process
from approvals.models import Nomination
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

_RELATED = ("campaign", "unit", "district", "stage_org")
_FACTS = ("decider_holds_role", "decider_authored", "previous_signer", "previous_principal", "previous_to_stage")


@pytest.fixture
def at_district(tree, submitter):
    """A nomination past its unit's stage, waiting at the district's sealing stage."""
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    nomination = create_nomination(
        actor=submitter, campaign=make_campaign(tree.committee), unit=tree.unit, kind="case", title="助老服务案例",
        form=valid_case_form(),
    )  # fmt: skip
    nomination = submit_nomination(nomination.pk, actor=submitter)
    assert nomination.task_id is not None
    sign_off(nomination.task_id, actor=leader, decision="approve", opinion="同意")
    nomination.refresh_from_db()
    return nomination, leader


def _seen(nomination: Nomination | None) -> dict[str, object]:
    assert nomination is not None
    fields = {f.attname: getattr(nomination, f.attname) for f in Nomination._meta.concrete_fields}
    related = {name: getattr(nomination, name).pk for name in _RELATED}
    related["host"] = nomination.campaign.host_org.pk
    cached = {name: name in nomination._state.fields_cache for name in _RELATED}
    return {"fields": fields, "related": related, "cached": cached, **{k: getattr(nomination, k) for k in _FACTS}}


@pytest.mark.parametrize("who", ["district", "leader", "submitter", "other_district"])
def test_the_compiled_lock_reads_what_the_orm_query_reads(at_district, tree, submitter, who):
    nomination, leader = at_district
    people = {
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district"),
        "other_district": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="other"),
        "leader": leader,
        "submitter": submitter,
    }
    decider = people[who]
    with transaction.atomic():
        expected = _seen(_locking(decider).filter(task_id=nomination.task_id).first())
        with CaptureQueriesContext(connection) as queries:
            compiled = _seen(_lock_with_facts(nomination.task_id, decider))
    assert compiled == expected
    assert len(queries) == 1
    assert "FOR UPDATE OF" in queries[0]["sql"]
    # The facts differ by decider: the statement is not stuck with the first decider's values.
    assert expected["decider_holds_role"] is (who == "district")
    assert expected["decider_authored"] is (who == "submitter")
    assert expected["previous_signer"] == leader.pk


def test_a_task_that_is_no_ones_open_task_finds_nothing(at_district, tree):
    nomination, leader = at_district
    with transaction.atomic():
        assert _lock_with_facts(nomination.task_id + 10_000, leader) is None


def test_the_compiled_stage_list_is_the_campaigns_stages_in_order(at_district):
    nomination, _leader = at_district
    expected = list(nomination.campaign.stages.order_by("position"))
    with CaptureQueriesContext(connection) as queries:
        stages = _stages(nomination)
    assert [(s.pk, s.key, s.position, s.role, s.seal, s.holders) for s in stages] == [
        (s.pk, s.key, s.position, s.role, s.seal, s.holders) for s in expected
    ]
    assert len(stages) >= 2
    assert len(queries) == 1
    assert all(s.campaign is nomination.campaign for s in stages)  # cached, as the related manager does


def test_the_compiled_task_read_is_the_task_with_its_process(at_district):
    nomination, _leader = at_district
    expected = Task.objects.select_related("process").get(pk=nomination.task_id)
    with CaptureQueriesContext(connection) as queries:
        task = _task_with_process(nomination.task_id)
    assert len(queries) == 1
    assert (task.pk, task.status, task.flow_task, task.process_id) == (
        expected.pk, expected.status, expected.flow_task, expected.process_id,
    )  # fmt: skip
    assert task.process.data == expected.process.data
    assert task.process.data["nomination"] == nomination.pk
    with pytest.raises(Task.DoesNotExist):
        _task_with_process(nomination.task_id + 10_000)
