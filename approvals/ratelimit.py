"""Fixed-window rate limits shared by every worker process, counted in Django's Redis cache.

``cache.add`` then ``cache.incr`` are single Redis commands (SET NX, INCR), so concurrent
processes never lose a count (notes/performance-reliability.md: a per-process or database
cache would undercount). The identifier is hashed: phone numbers do not sit in Redis in clear.

The counts use the strict ``ratelimit`` cache (config/settings/base.py), not the fail-soft
default: while Redis is unreachable ``hit`` raises ``RateLimitUnavailable`` (HTTP 503,
``rate_limit_unavailable``), so the public endpoints refuse instead of accepting without limit,
and count again as soon as Redis answers.
"""

from __future__ import annotations

import hashlib
import time

import redis.exceptions
from django.core.cache import caches

from config.errors import RateLimitUnavailable


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``ident`` in ``scope``; True when it is beyond ``limit`` in this window.

    Raises ``RateLimitUnavailable`` when Redis cannot be reached.
    """
    try:
        return _hit(scope, ident, limit=limit, window_seconds=window_seconds)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise RateLimitUnavailable() from exc


def _hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    cache = caches["ratelimit"]
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
