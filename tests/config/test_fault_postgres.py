"""PostgreSQL killed (-9) in the middle of submissions and sealed approvals, with real processes.

The launcher runs on a fresh data folder; a submitter creates and submits nominations while a
unit leader and a district reviewer (whose stage seals) approve what reaches their inboxes. The
test kills the embedded postmaster with SIGKILL mid-stream. The launcher starts it again by
itself (PostgreSQL replays its log), and afterwards:

- every request that was answered 2xx is in the database (each submission, each sign-off);
- nothing is half-applied: every sign-off of the sealing stage has its seal, every seal its
  ``seal.created`` audit event (``verify_seals``), and the audit chain verifies (``verify_audit``);
- requests during the outage were refused with 503, never 500, and the app answers again
  without any manual step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

from accounts.demo import DEMO_PASSWORD
from config import embedded
from tests.config.test_launcher import (
    BASE_DIR,
    SERVER_ENV,
    Run,
    api,
    clean_up,
    embedded_server_pids,
    folder_outside_pytest_tmp,
    free_port,
    get,
    launch,
    wait_until,
)

pytestmark = pytest.mark.slow

SETUP = """
from accounts.models import Organization
from tests.campaigns import make_campaign
campaign = make_campaign(Organization.objects.get(code="SH-YWTB"), title="数据库故障测试评选")
print(campaign.pk, Organization.objects.get(code="SH-PD-LJZ-C").pk)
"""


def manage(run: Run, *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` on the launcher's data folder and servers."""
    servers = run.run_record()["servers"]
    assert isinstance(servers, dict)
    env = {key: value for key, value in os.environ.items() if key not in SERVER_ENV}
    env.update(
        SEALFLOW_DATA_DIR=str(run.data_dir),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        **{str(k): str(v) for k, v in servers.items()},
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def token(run: Run, username: str) -> str:
    status, body = api(run, "POST", "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD})
    assert status == 200, body
    assert isinstance(body, dict)
    return str(body["token"])


class Traffic:
    """Submissions and approvals in threads; what was answered 2xx, and every status seen."""

    def __init__(self, run: Run, campaign: int, unit: int) -> None:
        from tests.campaigns import valid_case_form

        self.run, self.campaign, self.unit, self.form = run, campaign, unit, valid_case_form()
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.submitted: list[int] = []
        self.lost_answers: list[int] = []  # submitted, but the 2xx never reached the client
        self.approved: dict[str, list[int]] = {"ljz_leader": [], "pudong_reviewer": []}
        self.lock = threading.Lock()
        self.tokens = {name: token(run, name) for name in ("ljz_submitter", "ljz_leader", "pudong_reviewer")}
        self.threads = [threading.Thread(target=self.submit_loop)] + [
            threading.Thread(target=self.approve_loop, args=(name,)) for name in self.approved
        ]

    def call(self, who: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
        status, data = api(self.run, method, path, body, self.tokens[who])
        with self.lock:
            self.statuses[status] += 1
        if not 200 <= status < 300:
            time.sleep(0.2)
        return status, data

    def submit_loop(self) -> None:
        drafts: list[int] = []
        n = 0
        while not self.stop.is_set():
            if not drafts:
                n += 1
                body = {"campaign": self.campaign, "unit": self.unit, "kind": "case", "title": f"故障测试案例{n}",
                        "form": self.form}  # fmt: skip
                status, data = self.call("ljz_submitter", "POST", "/api/v1/nominations", body)
                if status == 201:
                    drafts.append(int(data["id"]))
                continue
            status, _data = self.call("ljz_submitter", "POST", f"/api/v1/nominations/{drafts[0]}/submit", {})
            if status == 200:
                self.submitted.append(drafts.pop(0))
            elif status == 409 and self.answer_was_lost(drafts[0]):
                # The outage's ambiguous commit: an earlier attempt committed, then the database died
                # before its answer was written (a 503). A real client re-reads, as this one does.
                self.lost_answers.append(drafts.pop(0))

    def answer_was_lost(self, pk: int) -> bool:
        status, data = self.call("ljz_submitter", "GET", f"/api/v1/nominations/{pk}")
        return status == 200 and data["status"] != "draft"

    def approve_loop(self, who: str) -> None:
        while not self.stop.is_set():
            status, data = self.call(who, "GET", f"/api/v1/tasks?campaign={self.campaign}")
            if status != 200 or not data["results"]:
                time.sleep(0.1)
                continue
            for task in data["results"]:
                status, _ = self.call(who, "POST", f"/api/v1/tasks/{task['id']}/approve", {"opinion": "同意推荐。"})
                if status == 200:
                    self.approved[who].append(int(task["id"]))

    def progress(self) -> tuple[int, int, int]:
        return len(self.submitted), len(self.approved["ljz_leader"]), len(self.approved["pudong_reviewer"])


def test_postgres_killed_mid_approvals_keeps_every_2xx_and_half_of_nothing() -> None:
    with folder_outside_pytest_tmp() as folder:
        data_dir = folder / "data"
        run = launch(data_dir, free_port(), folder / "run.log")
        try:
            run.wait_up()
            killed_and_checked(run, data_dir)
            run.process.send_signal(signal.SIGTERM)
            assert run.process.wait(60) == 0, run.tail()
        finally:
            clean_up(data_dir, [run])


def killed_and_checked(run: Run, data_dir: Path) -> None:
    made = manage(run, "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    campaign, unit = (int(v) for v in made.stdout.strip().splitlines()[-1].split())
    traffic = Traffic(run, campaign, unit)
    for thread in traffic.threads:
        thread.start()
    try:
        assert wait_until(lambda: min(traffic.progress()) >= 2, 90), f"{traffic.progress()} {traffic.statuses}"
        before = traffic.progress()
        killed = time.monotonic()
        os.kill(embedded_server_pids(data_dir)["embedded PostgreSQL"], signal.SIGKILL)
        assert wait_until(lambda: "started the embedded PostgreSQL again" in run.output(), 60), run.tail()
        assert wait_until(lambda: any(a > b for a, b in zip(traffic.progress(), before, strict=True)), 60)
        back = time.monotonic() - killed
        assert wait_until(
            lambda: all(after > b + 1 for after, b in zip(traffic.progress(), before, strict=True)), 90
        ), f"no progress after the restart: {before} -> {traffic.progress()}, {traffic.statuses}\n{run.tail()}"
    finally:
        traffic.stop.set()
        for thread in traffic.threads:
            thread.join(30)

    print(f"first 2xx {back:.1f} s after the kill; submitted, approved (leader, reviewer): {traffic.progress()}; "  # noqa: T201
          f"statuses {dict(traffic.statuses)}")  # fmt: skip
    assert get(f"{run.url}/healthz") == 200
    assert traffic.statuses[500] == 0, f"500 during the outage: {traffic.statuses}\n{run.tail()}"
    # A 409 only where a submission committed but its answer was lost to the kill (re-read above);
    # one per such nomination at most, after the 503 that lost it.
    assert set(traffic.statuses) <= {200, 201, 409, 503}, traffic.statuses
    assert traffic.statuses[409] == len(traffic.lost_answers), traffic.statuses
    assert traffic.statuses[503] > 0, f"no request met the outage: {traffic.statuses}"

    servers = run.run_record()["servers"]
    assert isinstance(servers, dict)
    db = {"host": servers[embedded.PG_HOST_ENV], "user": "postgres", "dbname": embedded.DB_NAME}
    with psycopg.connect(**db) as conn:
        submitted = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM approvals_nomination "
                "WHERE id = ANY(%s) AND status <> 'draft' AND submitted_at IS NOT NULL",
                [traffic.submitted + traffic.lost_answers],
            )
        }
        signoffs = dict(
            conn.execute(
                "SELECT task_id, seal_id FROM approvals_signoff WHERE task_id = ANY(%s)",
                [traffic.approved["ljz_leader"] + traffic.approved["pudong_reviewer"]],
            ).fetchall()
        )
        unsealed = conn.execute(
            "SELECT count(*) FROM approvals_signoff s JOIN approvals_nomination n ON n.id = s.nomination_id "
            "WHERE n.campaign_id = %s AND s.stage = 'district_review' AND s.seal_id IS NULL",
            [campaign],
        ).fetchone()
        seals = conn.execute(
            "SELECT count(*) FROM approvals_seal s JOIN approvals_nomination n ON n.id = s.nomination_id "
            "WHERE n.campaign_id = %s",
            [campaign],
        ).fetchone()
    assert submitted == set(traffic.submitted + traffic.lost_answers), "a submission answered 2xx is missing"
    assert set(signoffs) == set(traffic.approved["ljz_leader"] + traffic.approved["pudong_reviewer"]), (
        "an approval answered 2xx is missing"
    )
    assert all(signoffs[t] is not None for t in traffic.approved["pudong_reviewer"]), "a sealed stage without seal"
    assert unsealed == (0,)
    assert seals is not None
    assert seals[0] >= len(traffic.approved["pudong_reviewer"])

    sealed = manage(run, "verify_seals")
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert sealed.stdout.strip().endswith("valid"), sealed.stdout
    audited = manage(run, "verify_audit", "--quiet")
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert audited.stdout.strip().endswith("valid"), audited.stdout
