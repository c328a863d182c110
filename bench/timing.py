"""Small timing helpers: best-of-N medians, so that one slow sample does not decide a ratio."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], *, repeat: int = 7, number: int = 20) -> float:
    """Median over ``repeat`` rounds of the mean time of ``number`` calls."""
    fn()  # warm caches and connections
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def row(ratio: float, target: str, passed: bool, detail: str) -> dict[str, object]:
    return {"ratio": ratio, "target": target, "pass": passed, "detail": detail}


# Statements that only delimit transactions: not counted as queries (they plan and read nothing).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def split_queries(captured: list[dict[str, str]]) -> tuple[list[str], int]:
    """The SQL of the captured queries, less transaction control; and how many of those there were."""
    queries = [q["sql"] for q in captured if not q["sql"].startswith(TRANSACTION_CONTROL)]
    return queries, len(captured) - len(queries)
