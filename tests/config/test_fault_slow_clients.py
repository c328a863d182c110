"""Slow clients (slowloris) against the real gunicorn, started with the launcher's own command line.

Three times more connections than the server has threads trickle their headers a byte at a
time; a normal request is still answered at once, and the server closes the slow connections
once their head has taken longer than SEALFLOW_HEAD_TIMEOUT. With gunicorn's sync (or plain
gthread) worker the normal request waits until a slow client gives up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.launcher import gunicorn_command
from config.netutil import free_port

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS, THREADS = 2, 2
SLOW_CLIENTS = 3 * WORKERS * THREADS
HEAD_TIMEOUT = 4.0


def healthz(port: int, timeout: float) -> int:
    """200, or 0 without an answer in time. /healthz answers 503 when its database is not there
    (with DATABASE_URL, CI's (b) run, the settings name a database only the test runner's copy of
    exists for): still an answer from a worker thread, which is what this test is about."""
    status = _healthz(port, timeout)
    return 200 if status in (200, 503) else status


def _healthz(port: int, timeout: float) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:  # an answer all the same (503: no database)
        return int(exc.code)
    except OSError:
        return 0


class Trickler(threading.Thread):
    """Sends a request line, then a header a byte every ``pause`` seconds, never the blank line."""

    def __init__(self, port: int, stop: threading.Event, pause: float = 0.3) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.pause = port, stop, pause
        self.closed_after: float | None = None

    def run(self) -> None:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for byte in b"X-Slow: " + b"a" * 1000:
                if self.stop.is_set():
                    return
                try:
                    sock.sendall(bytes([byte]))
                    sock.setblocking(False)
                    with contextlib.suppress(BlockingIOError):
                        if sock.recv(1024) == b"":  # the server closed it
                            raise ConnectionResetError
                    sock.setblocking(True)
                except OSError:
                    self.closed_after = time.monotonic() - started
                    return
                time.sleep(self.pause)


def trickled_post(port: int) -> bytes:
    """A JSON POST sent in 8 pieces over about a second; the answer's first bytes."""
    body = b'{"username": "nobody", "password": "' + b"x" * 3000 + b'"}'
    head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    request = head.encode() + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        step = len(request) // 8 + 1
        for start in range(0, len(request), step):
            sock.sendall(request[start : start + step])
            time.sleep(0.15)
        return sock.recv(64)


def test_slow_clients_hold_no_worker_and_are_closed(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "SEALFLOW_HEAD_TIMEOUT": str(HEAD_TIMEOUT)}
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - the launcher's own command line
        gunicorn_command(f"127.0.0.1:{port}", WORKERS, THREADS),
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stop = threading.Event()
    tricklers = [Trickler(port, stop) for _ in range(SLOW_CLIENTS)]
    try:
        deadline = time.monotonic() + 60
        while healthz(port, 2) != 200:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)

        for _ in range(4 * WORKERS * THREADS):  # every worker and thread past its first request (imports, connection)
            assert healthz(port, 10) == 200
        for trickler in tricklers:
            trickler.start()
        time.sleep(1.5)  # every slow client has sent part of its head
        assert all(t.closed_after is None for t in tricklers)
        waits = []
        for _ in range(5):
            started = time.monotonic()
            assert healthz(port, 10) == 200
            waits.append(time.monotonic() - started)
            assert waits[-1] < 3.0, f"a normal request waited {waits[-1]:.1f} s behind the slow clients"
            time.sleep(0.2)
        print(f"normal requests among {SLOW_CLIENTS} slow clients: the slowest took {max(waits) * 1000:.0f} ms")  # noqa: T201

        for trickler in tricklers:
            trickler.join(HEAD_TIMEOUT + 8)
        closed = [t.closed_after for t in tricklers]
        assert all(c is not None for c in closed), f"slow clients still connected: {closed}"
        assert max(c for c in closed if c is not None) < HEAD_TIMEOUT + 4
        assert server.poll() is None
        assert healthz(port, 5) == 200
        # A request that is slow but within the limits (head and a small body in pieces) is served.
        assert trickled_post(port).startswith(b"HTTP/1.1 400 ")
    finally:
        stop.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
        log.close()


@pytest.mark.parametrize(
    ("held", "needed"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n", None),  # the head is not complete
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 38 + 5),  # a small body is waited for too
        (b"POST / HTTP/1.1\r\ncontent-length: 2000000\r\n\r\n", 44),  # a large one is the thread's
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 60),  # waits for 100
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 47),
    ],
)
def test_what_the_worker_waits_for_before_a_thread_takes_the_request(held: bytes, needed: int | None) -> None:
    from config.gunicorn_worker import _needed

    assert _needed(held) == needed
