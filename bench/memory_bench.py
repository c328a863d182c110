"""A web worker's memory under a long mixed load (issue 19: RSS after 10,000 requests ≤ 1.2 × after 100).

One gunicorn worker, started with the launcher's own command line (``config.launcher.gunicorn_command``:
the buffering threaded worker), serves the benchmark database; four client
threads send a fixed mix: the public 公示 page and its API, the committee's campaign, nomination list
and detail API reads, the org list, the sign-in page, a 404, and one sign-in (Argon2id, a token row
and an audit event written) in every 20 requests. The worker's resident set is read (psutil) after
the first 100 requests, once warm, and after all of them; a leak (a cache without a bound, a
per-request list kept) shows as growth.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable

import psutil

from accounts.models import User
from bench import http_bench, publicity_bench
from bench.timing import row

PASSWORD = "Bench-Pass-2026"  # noqa: S105
CLIENTS = 4


def _call(port: int, method: str, path: str, *, token: str | None = None, body: bytes | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _worker_rss(master_pid: int) -> int:
    (worker,) = psutil.Process(master_pid).children()
    return int(worker.memory_info().rss)


def worker_memory(*, requests: int = 10_000, warm: int = 100) -> dict[str, dict[str, object]]:
    campaign = publicity_bench._campaign()
    chair = User.objects.get(username="publicity_committee")
    chair.set_password(PASSWORD)
    chair.save()
    nomination_ids = list(campaign.nominations.values_list("pk", flat=True))
    login = json.dumps({"username": chair.username, "password": PASSWORD}).encode()

    with http_bench.gunicorn_server(workers=1, as_launcher=True) as (port, master):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/v1/auth/token", body=login, headers={"Content-Type": "application/json"})
        token = json.loads(conn.getresponse().read())["token"]
        mix: list[Callable[[int], int]] = [
            lambda i: _call(port, "GET", f"/publicity/{campaign.pk}"),
            lambda i: _call(port, "GET", f"/api/v1/public/campaigns/{campaign.pk}/publicity"),
            lambda i: _call(port, "GET", f"/api/v1/campaigns/{campaign.pk}", token=token),
            lambda i: _call(port, "GET", f"/api/v1/nominations?campaign={campaign.pk}&limit=20", token=token),
            lambda i: _call(
                port, "GET", f"/api/v1/nominations/{nomination_ids[i % len(nomination_ids)]}", token=token
            ),
            lambda i: _call(port, "GET", "/api/v1/orgs?limit=50", token=token),
            lambda i: _call(port, "GET", "/login/"),
            lambda i: _call(port, "GET", f"/no-such-page-{i}"),
        ]
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def run(count: int, offset: int) -> None:
            def client(start: int) -> None:
                for i in range(start, count, CLIENTS):
                    n = offset + i
                    if n % 20 == 19:
                        status = _call(port, "POST", "/api/v1/auth/token", body=login)
                    else:
                        status = mix[n % len(mix)](n)
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1

            threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        run(warm, 0)
        after_warm = _worker_rss(master)
        run(requests - warm, warm)
        after_all = _worker_rss(master)
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 404)}
    if unexpected:
        raise RuntimeError(f"unexpected statuses in the mix: {unexpected}")
    ratio = after_all / after_warm
    mib = 1024 * 1024
    return {
        f"web worker RSS after {requests:,} mixed requests / after {warm}": row(
            ratio,
            "≤ 1.2",
            ratio <= 1.2,
            f"{after_all / mib:.1f} MiB vs {after_warm / mib:.1f} MiB (1 launcher worker, {CLIENTS} clients; "
            f"statuses {dict(sorted(statuses.items()))})",
        ),  # fmt: skip
    }
