"""A local SMS gateway for the tests: a real HTTP server in a thread that records what it gets.

Like a real gateway it treats a repeated ``Idempotency-Key`` as the same message: ``accepted``
counts each key once, ``requests`` counts every POST.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Gateway:
    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway.lock:
                    gateway.requests.append(
                        {
                            "body": body,
                            "key": self.headers.get("Idempotency-Key"),
                            "auth": self.headers.get("Authorization"),
                        }
                    )
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(r["key"] for r in self.requests)
