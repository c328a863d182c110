"""Events write outbox rows in the caller's transaction; the drain turns them into notifications once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from notifications import events
from notifications.delivery import drain_outbox, expand_batch
from notifications.models import Delivery, Notification, OutboxMessage, Preference

pytestmark = pytest.mark.django_db


def raise_task_arrived(nomination):
    with transaction.atomic():
        return events.task_arrived(nomination)


def test_task_arrived_reaches_the_holders_of_the_stage_role_at_its_organisation(submitted, people, submitter):
    # the first stage is 单位意见: the unit's leader
    raise_task_arrived(submitted)

    drain_outbox()

    assert list(Notification.objects.values_list("user__username", "kind", "link")) == [
        ("leader", "task_arrived", f"/tasks/{submitted.task_id}/")
    ]
    notification = Notification.objects.get()
    assert notification.title == "【待办】“助老服务案例”等待您审批"
    assert "陆家嘴中心申报的“助老服务案例”（测试评选活动）已到达您所在环节" in notification.body
    assert OutboxMessage.objects.get().processed_at is not None


def test_a_subtree_role_above_the_stage_organisation_is_reached_and_a_sibling_is_not(submitted, people, tree):
    submitted.stage_role, submitted.stage_org = "district_reviewer", tree.township
    raise_task_arrived(submitted)

    drain_outbox()

    assert set(Notification.objects.values_list("user__username", flat=True)) == {"district", "district2"}


def test_an_assigned_task_reaches_only_its_assignee(submitted, people, tree):
    submitted.stage_role, submitted.stage_org, submitted.assignee = (
        "district_reviewer",
        tree.district,
        people["district2"],
    )
    raise_task_arrived(submitted)

    drain_outbox()

    assert list(Notification.objects.values_list("user__username", flat=True)) == ["district2"]


def test_the_same_event_raised_twice_makes_one_message_and_one_notification(submitted, people):
    assert raise_task_arrived(submitted) is True
    assert raise_task_arrived(submitted) is False

    drain_outbox()
    with transaction.atomic():
        events.task_arrived(submitted)
    drain_outbox()

    assert OutboxMessage.objects.count() == 1
    assert Notification.objects.count() == 1


def test_a_rolled_back_action_leaves_no_message(submitted):
    @transaction.atomic
    def failing_action():
        events.task_arrived(submitted)
        raise RuntimeError("the action failed after the event")

    with pytest.raises(RuntimeError):
        failing_action()

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_events_refuse_to_run_outside_a_transaction(submitted):
    with pytest.raises(AssertionError, match="inside the action's transaction"):
        events.task_arrived(submitted)


def test_draining_again_after_a_crash_redoes_nothing(submitted, people):
    raise_task_arrived(submitted)
    drain_outbox()
    # a worker that crashed after committing would find the message processed; force a redo
    OutboxMessage.objects.update(processed_at=None)

    assert expand_batch() == 1

    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1  # the leader's email, once


def test_email_goes_to_users_with_an_address_and_sms_only_to_those_who_turned_it_on(submitted, people, tree):
    submitted.stage_role, submitted.stage_org = "district_reviewer", tree.district
    Preference.objects.create(user=people["district"], email_enabled=True, sms_enabled=True)
    raise_task_arrived(submitted)

    drain_outbox()

    assert sorted(Delivery.objects.values_list("channel", "address", "status")) == [
        ("email", "d@example.cn", "sent"),
        ("sms", "13900000001", "sent"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["d@example.cn"]
    assert mail.outbox[0].subject == "【待办】“助老服务案例”等待您审批"
    assert f"http://127.0.0.1:8000/tasks/{submitted.task_id}/" in mail.outbox[0].body
    # district2 has no email and SMS is off by default: in-app only
    assert Notification.objects.filter(user=people["district2"]).count() == 1


def test_email_turned_off_sends_none(submitted, people):
    Preference.objects.create(user=people["leader"], email_enabled=False)
    raise_task_arrived(submitted)

    drain_outbox()

    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_resent_email_keeps_its_message_id(submitted, people):
    raise_task_arrived(submitted)
    drain_outbox()
    Delivery.objects.update(status="pending")

    drain_outbox()

    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]


def test_objection_decided_reaches_the_objector_by_the_contacts_given(submitted):
    with transaction.atomic():
        events.objection_decided(
            objection_id=7, nomination_title=submitted.title, outcome="upheld", finding="材料不实",
            contact=events.Contact(name="王五", phone="13700000000", email="w@example.cn"), receipt="R-7",
        )  # fmt: skip

    drain_outbox()

    assert not Notification.objects.exists()
    assert sorted(Delivery.objects.values_list("channel", "address")) == [
        ("email", "w@example.cn"),
        ("sms", "13700000000"),
    ]
    assert "异议成立，该申报已撤销" in mail.outbox[0].body
    assert "处理意见：材料不实" in mail.outbox[0].body


def test_publicity_started_reaches_submitters_and_leaders_of_the_units(submitted, people, submitter, tree):
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        events.publicity_started(submitted.campaign, units=[tree.unit, tree.other_unit], starts_at=now, ends_at=now)

    drain_outbox()

    assert set(Notification.objects.values_list("user__username", flat=True)) == {"leader", submitter.username}


def test_a_message_whose_template_breaks_is_set_aside_and_the_others_go_through(submitted, people):
    with transaction.atomic():
        events.task_arrived(submitted)
        OutboxMessage.objects.create(kind="task_arrived", dedupe_key="broken", payload={}, recipients={"users": [1]})
    OutboxMessage.objects.filter(dedupe_key="broken").update(kind="no_such_template")

    drain_outbox()

    broken = OutboxMessage.objects.get(dedupe_key="broken")
    assert broken.processed_at is None
    assert "TemplateDoesNotExist" in broken.last_error
    assert Notification.objects.count() == 1
    for _ in range(4):
        expand_batch()
    broken.refresh_from_db()
    assert broken.attempts == 5
    assert broken.processed_at is not None


def test_a_deadline_in_a_message_is_written_as_officials_write_it(submitted, people):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    submitted.stage_deadline = datetime(2026, 12, 13, 17, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    raise_task_arrived(submitted)
    drain_outbox()

    body = Notification.objects.get().body
    assert "办理时限：2026年12月13日17时5分" in body
    assert "2026-12-13" not in body
