"""GET /api/v1/notifications, mark read, unread count, preferences, 催办."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import AuditEvent
from notifications import events
from notifications.delivery import drain_outbox
from notifications.models import Notification, OutboxMessage, Preference

pytestmark = pytest.mark.django_db


def notify(nomination, times=1):
    for i in range(times):
        with transaction.atomic():
            events.emit(
                events.Kind.TASK_ARRIVED, dedupe_key=f"test:{nomination.pk}:{i}",
                recipients={"roles": [["unit_leader", nomination.unit_id]]},
                payload=events._nomination_payload(nomination, link=f"/tasks/{i}/"),
            )  # fmt: skip
    drain_outbox()


def test_the_list_holds_only_the_callers_notifications_newest_first(submitted, people, client_for):
    notify(submitted, times=3)

    response = client_for(people["leader"]).get("/api/v1/notifications")
    other = client_for(people["district"]).get("/api/v1/notifications")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["link"] for r in results] == ["/tasks/2/", "/tasks/1/", "/tasks/0/"]
    assert set(results[0]) == {"id", "kind", "title", "body", "created_at", "read_at", "link"}
    assert results[0]["kind"] == "task_arrived"
    assert results[0]["read_at"] is None
    assert other.json()["results"] == []


def test_the_list_pages_with_a_cursor(submitted, people, client_for):
    notify(submitted, times=3)
    client = client_for(people["leader"])

    first = client.get("/api/v1/notifications?limit=2").json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert [r["link"] for r in second["results"]] == ["/tasks/0/"]


def test_mark_read_and_unread_count(submitted, people, client_for):
    notify(submitted, times=2)
    client = client_for(people["leader"])
    newest = client.get("/api/v1/notifications").json()["results"][0]

    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    response = client.post(f"/api/v1/notifications/{newest['id']}/read")
    again = client.post(f"/api/v1/notifications/{newest['id']}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert again.json()["read_at"] == response.json()["read_at"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert [r["link"] for r in client.get("/api/v1/notifications?unread=1").json()["results"]] == ["/tasks/0/"]
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


def test_someone_elses_notification_is_404_and_stays_unread(submitted, people, client_for):
    notify(submitted)
    notification = Notification.objects.get()

    response = client_for(people["district"]).post(f"/api/v1/notifications/{notification.pk}/read")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notifications_need_a_token(api):
    assert api.get("/api/v1/notifications").status_code == 401


def test_preferences_default_and_change_is_audited(people, client_for):
    user = people["district"]
    client = client_for(user)

    assert client.get("/api/v1/notifications/preferences").json() == {
        "in_app": True, "email_enabled": True, "sms_enabled": False, "has_email": True, "has_phone": True,
    }  # fmt: skip
    response = client.patch("/api/v1/notifications/preferences", {"sms_enabled": True}, format="json")

    assert response.status_code == 200
    assert response.json()["sms_enabled"] is True
    assert Preference.objects.get(user=user).sms_enabled is True
    event = AuditEvent.objects.get(action="notification.preferences_changed")
    assert event.actor_id == user.pk
    assert event.data == {"old": {"email": True, "sms": False}, "new": {"email": True, "sms": True}}


def test_email_cannot_be_turned_on_without_an_address(people, client_for):
    response = client_for(people["district2"]).patch(
        "/api/v1/notifications/preferences", {"email_enabled": True}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "no_email"
    assert not AuditEvent.objects.filter(action="notification.preferences_changed").exists()


def test_unknown_preference_fields_are_refused(people, client_for):
    response = client_for(people["leader"]).patch(
        "/api/v1/notifications/preferences", {"in_app": False}, format="json"
    )

    assert response.status_code == 400


# --- 催办 ------------------------------------------------------------------------------------------


def test_a_higher_level_urges_the_open_task_once_a_day(submitted, people, client_for):
    # the open stage is 单位意见 at the unit; the district bureau is above it
    client = client_for(people["district"])

    response = client.post(f"/api/v1/nominations/{submitted.pk}/urge", {"note": "请今天办理"}, format="json")
    again = client.post(f"/api/v1/nominations/{submitted.pk}/urge", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"nomination": submitted.pk, "task": submitted.task_id, "stage": "unit_opinion"}
    assert again.status_code == 409
    assert again.json()["code"] == "already_urged"
    event = AuditEvent.objects.get(action="task.urged")
    assert event.actor_id == people["district"].pk
    assert event.data["note"] == "请今天办理"
    drain_outbox()
    notification = Notification.objects.get()
    assert notification.user == people["leader"]
    assert notification.kind == "task_urged"
    assert "留言：请今天办理" in notification.body


def test_the_stage_holder_and_an_unrelated_district_cannot_urge(submitted, people, client_for):
    own = client_for(people["leader"]).post(f"/api/v1/nominations/{submitted.pk}/urge", {}, format="json")
    other = client_for(people["other_district"]).post(f"/api/v1/nominations/{submitted.pk}/urge", {}, format="json")

    assert own.status_code == 403
    assert other.status_code == 404
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(action="task.urged").exists()


def test_the_committee_of_the_host_may_urge(submitted, people, client_for):
    response = client_for(people["committee"]).post(f"/api/v1/nominations/{submitted.pk}/urge", {}, format="json")

    assert response.status_code == 200, response.content
    assert OutboxMessage.objects.get().kind == "task_urged"
