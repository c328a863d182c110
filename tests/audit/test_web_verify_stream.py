"""The auditor's chain check streamed for the progress display (static/sealflow/app.js reads it)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client

from audit import audit_events
from audit import web as audit_pages
from audit.models import AuditEvent
from audit.trail import record_event
from tests.audit.test_trail import triggers_disabled

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def stream(client: Client) -> list[dict]:
    page = client.get("/audit/")
    token = page.cookies["csrftoken"].value
    assert 'data-verify-stream="/audit/verify/stream"' in page.content.decode()
    response = client.post("/audit/verify/stream", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return [json.loads(line) for line in body.splitlines()]


def test_the_stream_reports_progress_and_the_verdict_and_is_audited_once(auditor, monkeypatch):
    monkeypatch.setattr(audit_pages, "STREAM_EVERY", 2)
    for i in range(5):
        with transaction.atomic():
            record_event(audit_events.AUDIT_VERIFIED, actor=auditor, target=("test.thing", str(i)), data={})
    lines = stream(login(auditor))
    before = AuditEvent.objects.count() - 1  # all but the run's own audit.verified
    assert before >= 5
    assert lines[0] == {"phase": "start", "total": before}
    progress = [line for line in lines if line["phase"] == "progress"]
    assert [p["events"] for p in progress] == list(range(2, before + 1, 2))
    assert all(set(p) == {"phase", "events", "total", "chains", "problems"} for p in progress)
    assert all(p["total"] == before and p["problems"] == 0 for p in progress)
    done = lines[-1]
    assert done["phase"] == "done"
    assert done["valid"] is True
    assert done["events"] == before
    chains = AuditEvent.objects.exclude(object_type="audit.trail").values("object_type", "object_id").distinct()
    assert done["chains"] == chains.count()
    assert done["problems"] == 0
    verified = AuditEvent.objects.filter(action=audit_events.AUDIT_VERIFIED, object_type="audit.trail")
    assert verified.count() == 1
    assert verified.get().actor_id == auditor.pk
    assert verified.get().data == {"valid": True, "events": before, "problems": 0}


def test_a_changed_event_streams_as_a_problem_and_the_verdict_is_bad(auditor):
    with transaction.atomic():
        event = record_event(audit_events.AUDIT_VERIFIED, actor=auditor, target=("test.thing", "1"), data={})
    with triggers_disabled():  # what a database superuser could do
        AuditEvent.objects.filter(pk=event.pk).update(data={"forged": True})
    lines = stream(login(auditor))
    problems = [line for line in lines if line["phase"] == "problem"]
    assert [(p["kind"], p["object"], p["event_id"]) for p in problems] == [("hash_mismatch", "test.thing:1", event.pk)]
    assert lines[-1]["phase"] == "done"
    assert lines[-1]["valid"] is False
    assert lines[-1]["problems"] == 1
    audited = AuditEvent.objects.get(action=audit_events.AUDIT_VERIFIED, object_type="audit.trail")
    assert audited.data["valid"] is False


def test_only_auditors_run_the_stream_and_nothing_is_verified_for_others(submitter, client):
    response = login(submitter).post("/audit/verify/stream")
    assert response.status_code == 403  # CSRF first: no token, refused before the view
    client.force_login(submitter)
    response = client.post("/audit/verify/stream")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=audit_events.AUDIT_VERIFIED).exists()
    assert AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED, actor_id=submitter.pk).exists()
    assert Client().post("/audit/verify/stream").status_code == 302  # anonymous: to the login page
    assert not AuditEvent.objects.filter(action=audit_events.AUDIT_VERIFIED).exists()


def test_the_stream_needs_a_post(auditor):
    client = Client()
    client.force_login(auditor)
    assert client.get("/audit/verify/stream").status_code == 405
    assert not AuditEvent.objects.filter(action=audit_events.AUDIT_VERIFIED).exists()
