"""The mixed-load test (``python -m bench.load``) at a tiny size, so that it cannot rot (figures: bench/README.md).

It starts the product with the launcher on a temporary data folder (its own embedded PostgreSQL and Redis,
not the test database), runs Locust for a few seconds and the checks afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
SERVER_ENV = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SEALFLOW_PG_HOST", "SEALFLOW_REDIS_SOCKET")


def test_a_tiny_run_reports_every_kind_of_user_and_runs_the_checks(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV and k != "DJANGO_SETTINGS_MODULE"}
    report_file = tmp_path / "report.json"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.load", "--users", "6", "--time", "12", "--spawn-rate", "6",
         "--report", str(report_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert report_file.exists(), done.stdout + done.stderr
    report = json.loads(report_file.read_text())

    names = {row["name"] for row in report["stats"]}
    # One row per endpoint and the aggregate, with percentiles.
    assert "Aggregated" in names
    assert any(n.startswith("page ") for n in names), names
    assert any(n.startswith("public ") for n in names), names
    assert sum(row["requests"] for row in report["stats"] if row["name"] != "Aggregated") > 0
    assert all(row["p95"] >= row["p50"] for row in report["stats"] if row["requests"])
    # The checks ran: writes were recorded and looked up, the outbox was compared, both verifications ran.
    writes = report["checks"]["writes"]
    assert set(writes) == {"nomination_created", "autosave", "attachment", "submitted", "approved", "objection"}
    assert sum(w["recorded"] for w in writes.values()) > 0, writes
    assert "outbox_messages" in report["checks"]["notifications"]
    assert report["checks"]["verify_audit_ok"], report["checks"]["verify_audit"]
    assert report["checks"]["verify_seals_ok"], report["checks"]["verify_seals"]
    assert report["server_errors"] == 0, report["failures"]
    assert report["ok"], report["problems"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "p95" in done.stdout
    shutil.rmtree(report["folder"], ignore_errors=True)  # the logs and the writes file; kept when a check fails
