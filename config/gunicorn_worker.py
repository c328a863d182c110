"""gunicorn's threaded worker, made safe against slow clients (slowloris) without a proxy in front.

gunicorn's ``gthread`` worker keeps a connection that has sent nothing on its poller, but once
the first byte arrives a thread parses the request with a blocking read: a client that trickles
its headers a byte at a time holds that thread for as long as it likes, and a few such clients
hold every thread of every worker (with the sync worker, one client per worker process).

``BufferingThreadWorker`` reads what a connection has sent without blocking, keeps it, and gives
the connection back to the poller until the request head (request line and headers) is complete,
and for a body of known length up to ``BODY_BUFFER_MAX`` the body too. Only a complete request
reaches a thread, so slow clients cost a socket and a few kilobytes, not a thread. A request head
that is not complete within ``HEAD_TIMEOUT`` seconds of its first byte, or a small body that
arrives slower than ``BODY_MIN_RATE``, closes the connection; gunicorn already closes a
connection that sends nothing for ``--keep-alive`` seconds. Larger bodies (uploads) are read by
the thread, as before, but with a socket timeout of ``IDLE_TIMEOUT`` on every read and write, so
a client that stops sending or reading mid-request frees its thread.

Settings (environment): ``SEALFLOW_HEAD_TIMEOUT`` (10 s), ``SEALFLOW_IDLE_TIMEOUT`` (30 s).
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from gunicorn import http
from gunicorn.workers.gthread import _DEFER, ThreadWorker

HEAD_TIMEOUT = float(os.environ.get("SEALFLOW_HEAD_TIMEOUT", "10"))
IDLE_TIMEOUT = float(os.environ.get("SEALFLOW_IDLE_TIMEOUT", "30"))
BODY_BUFFER_MAX = 1 << 20  # bytes: forms and JSON are buffered whole; uploads go to the thread
BODY_MIN_RATE = 10 * 1024  # bytes per second that a buffered body must at least arrive at
HEAD_MAX = 64 * 1024  # beyond this the parser answers (gunicorn's own limits refuse it)
READ_CHUNK = 64 * 1024

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:", re.IGNORECASE)
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:", re.IGNORECASE)

WAIT, READY, GONE = "wait", "ready", "gone"


def _needed(held: bytes) -> int | None:
    """How many bytes the request in ``held`` needs before a thread may take it; None: not known yet."""
    end = held.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = held[: end + 2]
    if _CHUNKED.search(head) or _EXPECT.search(head):
        # A chunked body is read by the thread (bounded by IDLE_TIMEOUT); so is the body of a
        # client that waits for "100 Continue", which gunicorn sends once a thread has the request.
        return end + 4
    lengths = _CONTENT_LENGTH.findall(head)
    body = int(lengths[0]) if len(lengths) == 1 else 0  # several: the parser refuses the request
    return end + 4 + (body if body <= BODY_BUFFER_MAX else 0)


class BufferingThreadWorker(ThreadWorker):
    def handle(self, conn: Any) -> Any:
        if not conn.is_http2:
            state = self._buffer(conn)
            if state == WAIT:
                return _DEFER  # back on the poller until more arrives; no thread is held
            if state == GONE:
                return False  # closes the connection
            conn.data_ready = True  # what arrived is in the parser's buffer: no waiting on the socket
        return super().handle(conn)

    def _buffer(self, conn: Any) -> str:
        """Read what arrived without blocking; READY when the request may go to a thread.

        The bytes are kept on the connection (appended, never copied again) and handed to the
        parser at once when ready; the head's end is looked for only until it is found, so a body
        trickled in many small pieces costs little per piece.
        """
        now = time.monotonic()
        held: bytearray | None = getattr(conn, "sealflow_held", None)
        if held is None:  # a new request: a kept-alive connection may hold its first bytes already
            if conn.parser is None:  # TConn.init() keeps a parser that is already there
                conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            held = conn.sealflow_held = bytearray(conn.parser.unreader.take_buffered())
            conn.sealflow_started, conn.sealflow_needed = now, None
        closed = False
        conn.sock.setblocking(False)
        while len(held) < HEAD_MAX + BODY_BUFFER_MAX:
            try:
                data = conn.sock.recv(READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                closed = True
                break
            if not data:
                closed = True
                break
            held += data
        if closed and not held:
            return GONE
        needed = conn.sealflow_needed
        if needed is None:
            needed = conn.sealflow_needed = _needed(bytes(held[: HEAD_MAX + 4]))
        too_long = len(held) >= (HEAD_MAX if needed is None else HEAD_MAX + BODY_BUFFER_MAX)
        if closed or too_long or (needed is not None and len(held) >= needed):
            conn.sealflow_held = None  # the next request on a kept-alive connection starts afresh
            conn.parser.unreader.unread(bytes(held))
            return READY  # complete, too long or cut short: the parser answers each as usual
        allowed = HEAD_TIMEOUT + (needed / BODY_MIN_RATE if needed is not None else 0)
        if now - conn.sealflow_started > allowed:
            self.log.info("Closed a connection from %s that sent its request too slowly", conn.client)
            return GONE
        return WAIT

    def handle_request(self, req: Any, conn: Any) -> Any:
        # Every later read (a large body) and write (the response) may wait at most this long.
        conn.sock.settimeout(IDLE_TIMEOUT)
        return super().handle_request(req, conn)
