"""HTTP benchmarks against a real gunicorn serving the benchmark database.

Each endpoint is compared with a bare Django view served by the same gunicorn in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from accounts.models import Grant, User
from accounts.roles import Role
from bench.timing import row
from config.netutil import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Pass-2026"  # noqa: S105
CONCURRENCY = 4


def _request(port: int, method: str, path: str, body: bytes | None = None, token: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _rate(n: int, call: Callable[[], int], expect: int) -> float:
    """Requests per second for ``n`` calls spread over CONCURRENCY client threads."""
    call()
    errors: list[int] = []
    per_thread = n // CONCURRENCY

    def worker() -> None:
        for _ in range(per_thread):
            status = call()
            if status != expect:
                errors.append(status)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"unexpected statuses {sorted(set(errors))}")
    return per_thread * CONCURRENCY / elapsed


@contextmanager
def gunicorn(workers: int = 2) -> Iterator[int]:
    """A gunicorn serving the benchmark database on a free port, ready; stopped on exit."""
    with gunicorn_server(workers) as (port, _master):
        yield port


@contextmanager
def gunicorn_server(workers: int = 2, *, as_launcher: bool = False) -> Iterator[tuple[int, int]]:
    """``gunicorn()`` that also gives its master's pid (its workers are the master's children).

    ``as_launcher``: the launcher's own command line (``config.launcher.gunicorn_command``, the
    buffering threaded worker, access log discarded) instead of plain sync workers."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")}
    if as_launcher:
        from config.launcher import gunicorn_command

        command = gunicorn_command(f"127.0.0.1:{port}", workers)
    else:
        command = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application", "--bind",
                   f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL if as_launcher else None)
    try:
        for _ in range(150):
            try:
                if _request(port, "GET", "/bench/hello") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer within 30 s")
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=20)


def http_ratios(*, requests: int) -> dict[str, dict[str, object]]:
    user = User.objects.create(username="bench_http")
    user.set_password(PASSWORD)
    user.save()
    Grant.objects.create(user=user, role=Role.SECURITY_ADMIN, org=None)

    with gunicorn(workers=2) as port:
        login_body = json.dumps({"username": "bench_http", "password": PASSWORD}).encode()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/api/v1/auth/token", body=login_body, headers={"Content-Type": "application/json"})
        token = json.loads(conn.getresponse().read())["token"]

        hello = _rate(requests, lambda: _request(port, "GET", "/bench/hello"), 200)
        orgs = _rate(requests, lambda: _request(port, "GET", "/api/v1/orgs?limit=50", token=token), 200)
        # Password hashing (PBKDF2, Django's production default) dominates a login; fewer samples.
        login = _rate(max(CONCURRENCY * 5, requests // 20),
                      lambda: _request(port, "POST", "/api/v1/auth/token", body=login_body), 200)  # fmt: skip
    return {
        "GET /api/v1/orgs page / bare Django view": row(
            orgs / hello,
            ">= 0.05",
            orgs / hello >= 0.05,
            f"{orgs:.0f} vs {hello:.0f} req/s (2 workers, c={CONCURRENCY})",
        ),
        "POST /api/v1/auth/token / bare Django view": row(
            login / hello, "report", True, f"{login:.1f} vs {hello:.0f} req/s: PBKDF2 cost, by design"
        ),
    }
