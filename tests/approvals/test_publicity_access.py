"""Who sees an objection and who sees the objector; investigators by per-object grant; rate
limits shared by two processes; the window-end timer fires once across worker restarts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import permissions
from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.models import Objection, PublicityRound
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene, local, objection_body

people = publicity_helpers.people
scene = publicity_helpers.scene
generous_objection_limits = publicity_helpers.generous_objection_limits
calendar_seeded = publicity_helpers.calendar_seeded

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = ("赵异议", "13900001111")


def _objection(client_for, people: People, scene: Scene) -> Objection:
    response = client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    assert response.status_code == 200, response.json()
    return objection_actions.file_objection(
        scene.first.pk,
        objector=objection_actions.ObjectorInput(kind="person", name=IDENTITY[0], phone=IDENTITY[1]),
        content="该案例的服务对象数量与实际不符，请核实。",
    )


def _identity_reads(objection: Objection) -> int:
    return AuditEvent.objects.filter(
        object_type="approvals.objection", object_id=str(objection.pk), action="objection.identity_read"
    ).count()


@pytest.mark.django_db
def test_only_the_committee_reads_the_identity_and_each_read_is_audited(client_for, people, scene) -> None:
    objection = _objection(client_for, people, scene)
    url = f"/api/v1/objections/{objection.pk}/identity"
    committee = client_for(people.committee)
    first = committee.get(url)
    assert first.status_code == 200
    assert (first.json()["name"], first.json()["phone"]) == IDENTITY
    committee.get(url)
    assert _identity_reads(objection) == 2
    event = AuditEvent.objects.filter(action="objection.identity_read").last()
    assert event is not None
    assert event.actor_id == people.committee.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "sees_objection"),
    [
        ("submitter", True),  # the nominee's unit: content, not identity
        ("unit_leader", True),
        ("campaign_admin", False),
        ("judge", False),
        ("district_reviewer", False),
        ("other_district_reviewer", False),
        ("other_committee", False),
        ("auditor", False),
    ],
)
def test_no_other_role_sees_the_identity(client_for, people, scene, who, sees_objection) -> None:
    objection = _objection(client_for, people, scene)
    api = client_for(getattr(people, who))
    identity = api.get(f"/api/v1/objections/{objection.pk}/identity")
    assert identity.status_code in (403, 404)
    detail = api.get(f"/api/v1/objections/{objection.pk}")
    listing = api.get("/api/v1/objections")
    assert listing.status_code == 200
    if sees_objection:
        assert detail.status_code == 200
        assert detail.json()["content"].startswith("该案例")
        assert [o["id"] for o in listing.json()["results"]] == [objection.pk]
    else:
        assert detail.status_code == 404
        assert listing.json()["results"] == []
    for text in (detail.content.decode(), listing.content.decode(), identity.content.decode()):
        assert IDENTITY[0] not in text
        assert IDENTITY[1] not in text
    assert _identity_reads(objection) == 0


@pytest.mark.django_db
def test_the_audit_trail_and_the_receipt_never_hold_the_identity(client_for, people, scene) -> None:
    objection = _objection(client_for, people, scene)
    trail = client_for(people.auditor).get("/api/v1/audit", {"object": f"approvals.objection:{objection.pk}"})
    assert trail.status_code == 200
    for event in AuditEvent.objects.filter(object_type="approvals.objection"):
        assert IDENTITY[0] not in str(event.data)
        assert IDENTITY[1] not in str(event.data)
    receipt = APIClient().get(f"/api/v1/public/objections/{objection.receipt}").content.decode()
    assert IDENTITY[0] not in receipt
    assert IDENTITY[1] not in receipt


@pytest.mark.django_db
def test_investigator_is_a_per_object_grant(client_for, people, scene) -> None:
    objection = _objection(client_for, people, scene)
    committee = client_for(people.committee)
    investigator = people.district_reviewer
    # Before the grant the district reviewer sees nothing of it.
    assert client_for(investigator).get(f"/api/v1/objections/{objection.pk}").status_code == 404
    response = committee.post(
        f"/api/v1/objections/{objection.pk}/assign", {"investigator": investigator.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "investigating"
    assert permissions.has_object_permission(investigator, objection_actions.INVESTIGATE, objection)
    api = client_for(investigator)
    detail = api.get(f"/api/v1/objections/{objection.pk}")
    assert detail.status_code == 200
    assert IDENTITY[0] not in detail.content.decode()
    assert (
        api.post(
            f"/api/v1/objections/{objection.pk}/findings", {"text": "走访核实了服务台账。"}, format="json"
        ).status_code
        == 201
    )
    assert api.get(f"/api/v1/objections/{objection.pk}/identity").status_code == 403
    decide = api.post(
        f"/api/v1/objections/{objection.pk}/decide", {"outcome": "upheld", "finding": "x"}, format="json"
    )
    assert decide.status_code == 403
    # Another objection of the same campaign stays invisible to the investigator.
    second = objection_actions.file_objection(
        scene.other.pk, objector=objection_actions.ObjectorInput(kind="person", name="钱某", phone="13900002222"),
        content="另一件异议的内容，请核实。",
    )  # fmt: skip
    assert api.get(f"/api/v1/objections/{second.pk}").status_code == 404
    # Reassigned: the grant moves.
    committee.post(f"/api/v1/objections/{objection.pk}/assign", {"investigator": people.judge.pk}, format="json")
    assert not permissions.has_object_permission(investigator, objection_actions.INVESTIGATE, objection)
    assert api.get(f"/api/v1/objections/{objection.pk}").status_code == 404
    assert (
        client_for(people.judge).get(f"/api/v1/objections/{objection.pk}").json()["findings"][0]["text"]
        == "走访核实了服务台账。"
    )
    # Someone outside the campaign cannot be made investigator.
    bad = committee.post(
        f"/api/v1/objections/{objection.pk}/assign", {"investigator": people.other_district_reviewer.pk}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_investigator"


# --- rate limits shared by two processes -------------------------------------------------------

_OTHER_PROCESS = """
import django, sys
django.setup()
from approvals.actions.objections import check_objection_rate
from config.errors import RateLimited
ip, phone, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
refused = 0
for _ in range(n):
    try:
        check_objection_rate(ip, phone)
    except RateLimited:
        refused += 1
print(refused)
"""


def _other_process(ip: str, phone: str, n: int) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SEALFLOW_OBJECTION_RATE_PER_ADDRESS": "3/h",
        "SEALFLOW_OBJECTION_RATE_PER_PHONE": "2/d",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _OTHER_PROCESS, ip, phone, str(n)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.django_db
def test_rate_limit_per_address_is_shared_across_processes(client_for, people, scene, settings) -> None:
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "3/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "100000/d"
    client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    ip = _ip()
    # Another process (another gunicorn worker) uses up the address's three attempts.
    assert _other_process(ip, "", 3) == 0
    response = APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/public/objections", objection_body(scene.first, phone=_phone()), format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert not Objection.objects.exists()
    # Another address is not affected.
    other = APIClient(REMOTE_ADDR=_ip()).post(
        "/api/v1/public/objections", objection_body(scene.first, phone=_phone()), format="json"
    )
    assert other.status_code == 201


@pytest.mark.slow
@pytest.mark.django_db
def test_rate_limit_per_phone_is_shared_across_processes(client_for, people, scene, settings) -> None:
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "2/d"
    client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    phone = _phone()
    assert _other_process(_ip(), phone, 1) == 0
    first = APIClient(REMOTE_ADDR=_ip()).post(
        "/api/v1/public/objections", objection_body(scene.first, phone=phone), format="json"
    )
    assert first.status_code == 201
    # The third attempt with this phone, from a third address, counted with the other process's.
    third = APIClient(REMOTE_ADDR=_ip()).post(
        "/api/v1/public/objections", objection_body(scene.first, phone=phone), format="json"
    )
    assert third.status_code == 429
    assert _other_process(_ip(), phone, 1) == 1


def _ip() -> str:
    """A fresh address: counts live in Redis for the window, across test runs."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def _phone() -> str:
    return "139" + "".join(str(secrets.randbelow(10)) for _ in range(8))


# --- the window-end timer --------------------------------------------------------------------


def _ended_round(scene: Scene, people: People, *, number: int, ended_ago: timedelta) -> PublicityRound:
    now = timezone.now()
    return PublicityRound.objects.create(
        campaign=scene.campaign, number=number, title=f"第{number}轮", starts_at=now - timedelta(days=5),
        ends_at=now - ended_ago, started_by=people.committee,
    )  # fmt: skip


def _window_ended_events(publicity_round: PublicityRound) -> int:
    return sum(
        1
        for data in AuditEvent.objects.filter(action="publicity.window_ended").values_list("data", flat=True)
        if data.get("round") == publicity_round.pk
    )


@pytest.mark.django_db
def test_window_end_is_noticed_once_and_not_before_its_last_second(people, scene) -> None:
    publicity_round = PublicityRound.objects.create(
        campaign=scene.campaign, number=1, title="第1轮", starts_at=local(2026, 3, 2, 9),
        ends_at=local(2026, 3, 6, 23, 59, 59), started_by=people.committee,
    )  # fmt: skip
    with time_machine.travel(local(2026, 3, 6, 23, 59, 59), tick=False):
        assert publicity_actions.notice_ended_windows() == []
    with time_machine.travel(local(2026, 3, 7, 0, 0, 0), tick=False):
        assert publicity_actions.notice_ended_windows() == [publicity_round.pk]
        assert publicity_actions.notice_ended_windows() == []
    # The committee is told once (an outbox row written with the notice).
    assert OutboxMessage.objects.filter(kind="publicity_window_ended").count() == 1
    assert _window_ended_events(publicity_round) == 1


@pytest.fixture
def worker_factory():
    """Start real ``celery worker`` processes on the test database; all are stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "SEALFLOW_DB_NAME": connection.settings_dict["NAME"]}  # fmt: skip
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-l", "WARNING",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", "celery"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def _wait_for(condition, worker: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
        time.sleep(0.3)
    raise AssertionError("the worker did not get there in time")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_timer_fires_once_across_worker_restarts(people, scene, worker_factory) -> None:
    from approvals.tasks import notice_ended_publicity_task

    first_round = _ended_round(scene, people, number=1, ended_ago=timedelta(minutes=5))
    worker = worker_factory()
    notice_ended_publicity_task.delay()
    _wait_for(lambda: _window_ended_events(first_round) == 1, worker)
    # Beat's next tick is queued, the worker stops and a new one starts (as after a restart);
    # beat's tick again after the restart. Only a new ended window is noticed.
    notice_ended_publicity_task.delay()
    worker.terminate()
    worker.wait(timeout=30)
    second_round = _ended_round(scene, people, number=2, ended_ago=timedelta(seconds=5))
    worker = worker_factory()
    notice_ended_publicity_task.delay()
    _wait_for(lambda: _window_ended_events(second_round) == 1, worker)
    notice_ended_publicity_task.delay()
    time.sleep(2)
    assert _window_ended_events(first_round) == 1
    assert _window_ended_events(second_round) == 1
    first_round.refresh_from_db()
    assert first_round.window_end_noticed_at is not None
