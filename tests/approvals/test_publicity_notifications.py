"""公示 events become outbox messages in the action's own transaction (approvals/publicity_events.py)."""

from __future__ import annotations

import pytest
import time_machine

from accounts.roles import Role
from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from config.errors import SealflowError
from notifications.models import OutboxMessage
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import local

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
generous_objection_limits = publicity_helpers.generous_objection_limits
calendar_seeded = publicity_helpers.calendar_seeded


def _messages(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("id"))


def test_the_whole_publicity_path_tells_the_right_people(tree, people, scene) -> None:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        publicity_actions.start_publicity(
            scene.campaign.pk,
            actor=people.committee,
            starts_at=local(2026, 3, 2, 9, 0),
            ends_at=local(2026, 3, 6),
            short_reason="测试",
        )
        objection = objection_actions.file_objection(
            scene.first.pk,
            objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
            content="该案例的服务对象数量与实际不符，请核实。",
        )
    # 公示 started: the submitters and leaders of both units on the list.
    (started,) = _messages("publicity_started")
    assert sorted(started.recipients["roles"]) == sorted(
        [[Role.SUBMITTER, u] for u in (tree.unit.pk, tree.other_unit.pk)]
        + [[Role.UNIT_LEADER, u] for u in (tree.unit.pk, tree.other_unit.pk)]
    )
    # The committee hears of the objection, never who filed it.
    (filed,) = _messages("objection_filed")
    assert filed.recipients == {"roles": [[Role.COMMITTEE, tree.committee.pk]]}
    assert "赵异议" not in str(filed.payload)
    assert "13900001111" not in str(filed.payload)

    with time_machine.travel(local(2026, 3, 7, 0, 0, 1), tick=False):
        assert len(publicity_actions.notice_ended_windows()) == 1
        objection_actions.decide_objection(
            objection.pk, actor=people.committee, outcome="upheld", finding="经核实属实。"
        )
        publicity_actions.finalize_campaign(scene.campaign.pk, actor=people.committee)

    (ended,) = _messages("publicity_window_ended")
    assert ended.recipients == {"roles": [[Role.COMMITTEE, tree.committee.pk]]}
    assert ended.payload["open_objections"] == 1
    # The objector is answered by the contact they gave, with their receipt.
    (decided,) = _messages("objection_decided")
    assert decided.recipients == {"contacts": [{"name": "赵异议", "phone": "13900001111", "email": ""}]}
    assert (decided.payload["outcome"], decided.payload["receipt"]) == ("upheld", objection.receipt)
    # The upheld objection revoked the first; the other two became final.
    assert [m.payload["nomination"] for m in _messages("nomination_revoked")] == [scene.first.pk]
    assert sorted(m.payload["nomination"] for m in _messages("nomination_final")) == sorted(
        [scene.second.pk, scene.other.pk]
    )


def test_a_refused_action_leaves_no_message(people, scene) -> None:
    # No 公示 yet: the nomination is not open to objections (404) and nothing waits in the outbox.
    with pytest.raises(SealflowError) as refused:
        objection_actions.file_objection(
            scene.first.pk,
            objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
            content="该案例的服务对象数量与实际不符，请核实。",
        )
    assert refused.value.code == "not_found"
    assert not OutboxMessage.objects.exists()
