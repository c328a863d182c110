"""What the sign-off actions raise: a new task for its holders; return / reject / approval for the unit."""

from __future__ import annotations

import pytest

from notifications.delivery import drain_outbox
from notifications.models import Notification, OutboxMessage
from tests.notifications.conftest import submit

pytestmark = pytest.mark.django_db


def decide(client_for, user, nomination, decision="approve", opinion="同意推荐"):
    nomination.refresh_from_db()
    return client_for(user).post(f"/api/v1/tasks/{nomination.task_id}/{decision}", {"opinion": opinion}, format="json")


def received():
    drain_outbox()
    return sorted(Notification.objects.values_list("user__username", "kind"))


def test_submission_tells_the_first_stage(tree, submitter, people):
    nomination = submit(tree, submitter)

    assert received() == [("leader", "task_arrived")]
    assert OutboxMessage.objects.get().dedupe_key == f"task_arrived:task:{nomination.task_id}"


def test_each_approval_tells_the_next_stage_and_the_last_tells_the_unit(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)
    for who in ("leader", "district", "committee"):
        assert decide(client_for, people[who], nomination).status_code == 200

    assert received() == sorted(
        [
            ("leader", "task_arrived"),
            ("district", "task_arrived"),
            ("district2", "task_arrived"),
            ("committee", "task_arrived"),
            ("leader", "nomination_approved"),
            (submitter.username, "nomination_approved"),
        ]
    )


def test_a_return_tells_the_submitter_and_the_leader_why(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)
    decide(client_for, people["leader"], nomination)
    drain_outbox()
    Notification.objects.all().delete()

    response = decide(client_for, people["district"], nomination, "return", "请补充服务数据")

    assert response.status_code == 200
    assert received() == sorted([("leader", "nomination_returned"), (submitter.username, "nomination_returned")])
    assert "退回意见：请补充服务数据" in Notification.objects.filter(user=submitter).get().body


def test_a_rejection_tells_the_unit(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)

    decide(client_for, people["leader"], nomination, "reject", "不符合条件")

    assert ("leader", "nomination_rejected") in received()
    assert Notification.objects.filter(user=submitter, kind="nomination_rejected").count() == 1


def test_a_retried_decision_makes_one_notification(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)
    first = decide(client_for, people["leader"], nomination)
    task_id = nomination.task_id

    # the client did not see the answer and sends the same request again
    retry = client_for(people["leader"]).post(
        f"/api/v1/tasks/{task_id}/approve", {"opinion": "同意推荐"}, format="json"
    )

    assert first.status_code == 200
    assert retry.status_code == 409
    assert received() == sorted(
        [("leader", "task_arrived"), ("district", "task_arrived"), ("district2", "task_arrived")]
    )


def test_a_failed_decision_notifies_nobody(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)
    OutboxMessage.objects.all().delete()

    response = decide(client_for, people["leader"], nomination, "return", "")  # an opinion is required

    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


def test_a_transfer_tells_the_new_assignee_each_time(tree, submitter, people, client_for):
    nomination = submit(tree, submitter)
    assert decide(client_for, people["leader"], nomination).status_code == 200  # now at the district
    nomination.refresh_from_db()
    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()

    def transfer(by, to):
        return client_for(people[by]).post(
            f"/api/v1/tasks/{nomination.task_id}/transfer",
            {"to_user": people[to].pk, "reason": "工作调整"},
            format="json",
        )

    assert transfer("district", "district2").status_code == 200
    assert received() == [("district2", "task_transferred")]
    notice = Notification.objects.get()
    assert notice.title == "【转交】“助老服务案例”已转交给您办理"
    assert "转交给您" in notice.body
    assert notice.link == f"/tasks/{nomination.task_id}/"

    assert transfer("district2", "district").status_code == 200  # handed back: told again
    assert transfer("district", "other_district").status_code == 400  # refused: nobody is told
    assert received() == [("district", "task_transferred"), ("district2", "task_transferred")]
