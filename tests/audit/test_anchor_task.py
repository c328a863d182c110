"""The audit anchor runs as a Celery task in a real worker, through the real broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from accounts import audit_events
from audit.models import AuditAnchor
from audit.tasks import anchor_audit_task
from audit.trail import record_event

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process():
    """A real ``celery worker`` on the test database and the configured broker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SEALFLOW_DB_NAME": connection.settings_dict["NAME"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-l", "WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", "celery"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_anchors_the_chain_heads(celery_worker_process):
    with transaction.atomic():
        event = record_event(audit_events.ORG_UPDATED, actor=None, target=("test.thing", "1"))
    # Let the event age past the settle time; the worker anchors only settled events.
    time.sleep(6)

    anchor_audit_task.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not AuditAnchor.objects.exists():
        assert celery_worker_process.poll() is None, celery_worker_process.stdout.read().decode()
        time.sleep(0.5)
    anchor = AuditAnchor.objects.get()
    assert anchor.last_event_id == event.pk
    assert list(anchor.heads.values_list("object_id", "seq", "hash")) == [("1", 1, event.hash)]
