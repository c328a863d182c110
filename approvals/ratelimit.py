"""Fixed-window rate limits shared by every worker process, counted in Django's Redis cache.

``cache.add`` then ``cache.incr`` are single Redis commands (SET NX, INCR), so concurrent
processes never lose a count (notes/performance-reliability.md: a per-process or database
cache would undercount). The identifier is hashed: phone numbers do not sit in Redis in clear.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``ident`` in ``scope``; True when it is beyond ``limit`` in this window."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    bucket = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{digest}:{bucket}"
    cache.add(key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds + 5)
        count = 1
    return count > limit


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/h" → (10, 3600); units s, m, h, d."""
    count, _slash, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit.strip()[:1] or "h"]
    return int(count), seconds
