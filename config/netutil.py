"""Two small network helpers shared by the launcher, the benchmarks and the tests that start servers.

- ``free_port``: a TCP port of 127.0.0.1 that nothing listens on now (the kernel picks it).
- ``url_status``: the HTTP status a GET of a URL answers (4xx/5xx included), 0 when nothing answers;
  never through a proxy from the environment (our own loopback address is asked directly).
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def url_status(url: str, timeout: float = 10) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0
