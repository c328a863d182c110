"""The mixed-load test: ``.venv/bin/python -m bench.load [--users 200] [--time 180] [--quick]``.

1. Starts the product as ``python3 bin/sealflow run`` does (``python -m config.launcher run``: embedded
   PostgreSQL and Redis, migrations, demo data, gunicorn, Celery worker and beat) on a temporary data
   folder and a free port, unless ``--data-dir`` names one to keep.
2. ``prepare.py`` reads the demo campaigns and units and adds one campaign in 公示 for the public users.
3. Locust runs headless (``locustfile.py``) for a fixed time at a fixed user count, its stats in CSV.
4. Afterwards: every 2xx write Locust recorded is looked up in the database and the outbox is compared
   with the notifications (``checks.py``), then ``manage.py verify_audit`` and ``manage.py verify_seals``.

Prints per endpoint the requests, failures, p50/p95/p99 (Locust's stats), then the checks, and writes
the whole report as JSON (``--report``). Exit 1 on any server error (5xx or no answer), lost write, lost
or doubled notification, or a failed verification.

The load comes from one address, so the public objection limit per address is raised for the run
(``SEALFLOW_OBJECTION_RATE_PER_ADDRESS``); the limit per phone stays (every objection uses a new number).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.netutil import free_port, url_status

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
START_TIMEOUT = 300
SERVER_ENV = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SEALFLOW_PG_HOST", "SEALFLOW_REDIS_SOCKET",
    "DJANGO_SETTINGS_MODULE", "SEALFLOW_SKIP_LINT",
)  # fmt: skip
PAGE_P95_TARGET_MS = 1000


class Product:
    """The launcher on a data folder and port, as the README's run command starts it."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir, self.port, self.log = data_dir, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
        env.update(SEALFLOW_DATA_DIR=str(self.data_dir), PYTHONUNBUFFERED="1")
        return env

    def start(self) -> None:
        env = self._env()
        env.update(
            PORT=str(self.port), SEALFLOW_BIND="127.0.0.1", SEALFLOW_START_TIMEOUT=str(START_TIMEOUT),
            SEALFLOW_OBJECTION_RATE_PER_ADDRESS="1000000/h",
        )  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.launcher", "run"], cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the launcher exited ({self.process.returncode}); see {self.log}")
            up = url_status(f"{self.url}/healthz") == 200
            if up and "sealflow is running" in self.log.read_text(errors="replace"):
                return
            time.sleep(1)
        raise RuntimeError(f"the product did not come up within {START_TIMEOUT} s; see {self.log}")

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        record = json.loads((self.data_dir / "run" / "launcher.json").read_text())
        env = self._env()
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local", **{str(k): str(v) for k, v in record["servers"].items()}
        )
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )

    def shell(self, code: str) -> Any:
        done = self.manage("shell", "-c", code)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py shell failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Locust's ``<prefix>_stats.csv``: one row per endpoint, then the aggregate."""
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append({
                "type": r["Type"], "name": r["Name"], "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]), "p50": _number(r["50%"]), "p95": _number(r["95%"]),
                "p99": _number(r["99%"]), "rps": round(_number(r["Requests/s"]), 2),
            })  # fmt: skip
    return rows


def read_failures(prefix: Path) -> list[dict[str, Any]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [
            {"method": r["Method"], "name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]


SERVER_FAULT = re.compile(r"\b5\d\d\b|ConnectionError|ConnectionRefused|RemoteDisconnected|ConnectionReset|Timeout")


def server_errors(failures: list[dict[str, Any]]) -> int:
    """Failures that are the server's fault: a 5xx, or no answer at all (refused, reset, timed out)."""
    return sum(f["occurrences"] for f in failures if SERVER_FAULT.search(f["error"]))


def run_locust(url: str, users: int, seconds: int, spawn_rate: float, folder: Path, context: dict[str, Any]) -> Path:
    (folder / "context.json").write_text(json.dumps(context, ensure_ascii=False))
    prefix = folder / "locust"
    env = {
        **os.environ,
        "SEALFLOW_LOAD_CONTEXT": str(folder / "context.json"),
        "SEALFLOW_LOAD_WRITES": str(folder / "writes.jsonl"),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", url,
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s", "--stop-timeout", "30",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (folder / "locust.log").open("ab") as out:
        subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    return prefix


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return lines[-1] if lines else ""


def print_report(report: dict[str, Any]) -> None:
    print(f"\n{report['users']} users for {report['seconds']} s against {report['url']}")
    print(f"load average of the machine at the start: {report['load_average']}")
    print(f"{'endpoint':<64} {'reqs':>7} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7}")
    for r in report["stats"]:
        name = f"{r['type']} {r['name']}".strip()
        figures = f"{r['p50']:>7.0f} {r['p95']:>7.0f} {r['p99']:>7.0f} {r['rps']:>7}"
        print(f"{name[:64]:<64} {r['requests']:>7} {r['failures']:>5} {figures}")
    print("(milliseconds; Locust's percentiles)")
    for f in report["failures"]:
        print(f"  failure: {f['method']} {f['name']}: {f['error']} × {f['occurrences']}")
    print(f"\nserver errors: {report['server_errors']}")
    print(f"worst page p95: {report['worst_page_p95']} ms ({'<' if report['pages_under_1s'] else '≥'} 1 s)")
    checks = report["checks"]
    for kind, w in checks["writes"].items():
        print(f"2xx writes {kind}: {w['recorded']} recorded, {len(w['missing'])} missing")
    n = checks["notifications"]
    print(f"notifications: {n['outbox_messages']} outbox messages, {n['notifications']} notifications, "
          f"{n['not_drained']} not drained, {n['lost']} lost, {n['doubled']} doubled")  # fmt: skip
    print(f"verify_audit: {checks['verify_audit']}")
    print(f"verify_seals: {checks['verify_seals']}")
    print(f"logs, Locust's CSV and the writes checked: {report['folder']}")
    print(
        f"\n{'PASS' if report['ok'] else 'FAIL'}: {', '.join(report['problems']) or 'no server error, no lost write'}"
    )


def load_test(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="sealflow-load-"))
    data_dir = Path(args.data_dir).resolve() if args.data_dir else work / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    product = Product(data_dir, args.port or free_port(), work / "launcher.log")
    try:
        product.start()
        context = product.shell("from bench.load.prepare import main; main()")
        started = datetime.now(UTC).isoformat()
        load_average = " ".join(f"{x:.1f}" for x in os.getloadavg())
        prefix = run_locust(product.url, args.users, args.time, args.spawn_rate, work, context)
        stats = read_stats(prefix)
        failures = read_failures(prefix)
        checks = product.shell(
            f"from bench.load.checks import main; main({str(work / 'writes.jsonl')!r}, {started!r})"
        )
        audit = product.manage("verify_audit", "--quiet")
        seals = product.manage("verify_seals")
        checks["verify_audit"] = _last_line(audit)
        checks["verify_seals"] = _last_line(seals)
        checks["verify_audit_ok"] = audit.returncode == 0
        checks["verify_seals_ok"] = seals.returncode == 0
    finally:
        product.stop()
        if not args.keep and not args.data_dir:
            shutil.rmtree(work / "data", ignore_errors=True)
    pages = [r for r in stats if r["name"].startswith("page ") and r["requests"]]
    worst = max((r["p95"] for r in pages), default=0.0)
    problems = []
    errors = server_errors(failures)
    if errors:
        problems.append(f"{errors} server errors")
    lost = sum(len(w["missing"]) for w in checks["writes"].values())
    if lost:
        problems.append(f"{lost} lost writes")
    n = checks["notifications"]
    if n["lost"] or n["doubled"] or n["not_drained"]:
        problems.append(f"notifications: {n['lost']} lost, {n['doubled']} doubled, {n['not_drained']} not drained")
    if not checks["verify_audit_ok"]:
        problems.append("verify_audit failed")
    if not checks["verify_seals_ok"]:
        problems.append("verify_seals failed")
    if not any(r["requests"] for r in stats):
        problems.append("no request was made")
    return {
        "url": product.url, "users": args.users, "seconds": args.time, "load_average": load_average,
        "folder": str(work), "stats": stats, "failures": failures, "server_errors": errors,
        "worst_page_p95": worst, "pages_under_1s": worst < PAGE_P95_TARGET_MS, "checks": checks,
        "problems": problems, "ok": not problems,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users (default 200)")
    parser.add_argument("--time", type=int, default=180, help="seconds of load (default 180)")
    parser.add_argument("--spawn-rate", type=float, default=0, help="users started per second (default: all in 20 s)")
    parser.add_argument("--quick", action="store_true", help="20 users for 30 s")
    parser.add_argument("--port", type=int, default=0, help="port of the product (default: a free one)")
    parser.add_argument("--data-dir", default="", help="data folder to use and keep (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--report", default="", help="write the report as JSON to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.time = 20, 30
    if not args.spawn_rate:
        args.spawn_rate = max(1.0, args.users / 20)
    report = load_test(args)
    print_report(report)
    if args.report:
        Path(args.report).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1
