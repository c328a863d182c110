"""One benchmark runner: ``.venv/bin/python -m bench`` prints ratios measured side by side in one run.

Absolute numbers on these 2-core machines move ±20–35 % between runs
(notes/performance-reliability.md), so every target is a ratio of two things measured
in the same run on the same server. Figures are recorded in bench/README.md.

It works on a database of its own (``sealflow_bench``, dropped and recreated) on the
configured PostgreSQL (the embedded one by default), never on the product's data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

BENCH_DB = "sealflow_bench"
# In the order they run; `--only NAME` picks some.
BENCHMARKS = (
    "grants", "subtree", "submit", "import", "http", "publicity", "approve_queries", "approve_http", "inbox",
    "hot_cold", "outbox", "logins", "judging_close", "judging_save", "voting", "audit_verify", "worker_memory",
    "casebook", "approve_batch", "pages",
)  # fmt: skip
RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these benchmarks (repeatable): {', '.join(BENCHMARKS)}",
    )
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    wanted = set(args.only or BENCHMARKS)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["SEALFLOW_DB_NAME"] = BENCH_DB
    os.environ["SEALFLOW_BENCH_VIEWS"] = "1"
    RESULTS.mkdir(exist_ok=True)
    # The benchmark's seals use a key of their own, never the product's.
    os.environ.setdefault("SEALFLOW_SEAL_KEY_FILE", str(RESULTS / "seal-master.key"))
    from config import embedded

    embedded.bootstrap_env()
    from bench import setup_db

    setup_db.recreate_database(BENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench import (
        accounts_bench,
        audit_bench,
        batch_bench,
        casebook_bench,
        http_bench,
        import_bench,
        intake_bench,
        judging_bench,
        logins,
        memory_bench,
        outbox_bench,
        pages_bench,
        publicity_bench,
        signoff_bench,
    )
    from bench import voting as voting_bench

    quick = args.quick
    runs: dict[str, Callable[[], dict[str, dict[str, object]]]] = {
        "grants": lambda: accounts_bench.grant_queries(large=1_000 if quick else 10_000),
        "subtree": lambda: accounts_bench.subtree_depth(total=10_000 if quick else 100_000),
        "submit": lambda: intake_bench.submit_queries(large=1_000 if quick else 10_000),
        "import": lambda: import_bench.import_scaling(small=100, large=1_000 if quick else 10_000),
        "http": lambda: http_bench.http_ratios(requests=200 if quick else 1_000),
        "publicity": lambda: publicity_bench.public_page_ratios(requests=400 if quick else 2_000),
        "approve_queries": signoff_bench.approve_queries,
        "approve_http": lambda: signoff_bench.approve_full_stack_vs_raw_sql(requests=200 if quick else 500),
        "inbox": lambda: (
            signoff_bench.inbox_scale(national=10_000, events=300_000) if quick else signoff_bench.inbox_scale()
        ),
        "hot_cold": lambda: signoff_bench.hot_vs_cold(seconds=3 if quick else 10, cold=10_000 if quick else 100_000),
        "outbox": lambda: outbox_bench.drain_vs_approvals(seconds=3 if quick else 10),
        "logins": lambda: logins.login_ratios(logins=5 if quick else 20),
        "judging_close": lambda: judging_bench.close_scaling(small=100, large=1_000 if quick else 10_000),
        "judging_save": lambda: judging_bench.score_save(nth=1_000, saves=50 if quick else 200),
        "voting": lambda: voting_bench.vote_ratios(per_client=4 if quick else 20),
        "audit_verify": lambda: audit_bench.verify_at_scale(total=100_000 if quick else 5_000_000),
        "worker_memory": lambda: memory_bench.worker_memory(requests=1_000 if quick else 10_000),
        "casebook": lambda: (
            casebook_bench.casebook_scaling(small=5, large=50, repeat=1)
            if quick
            else casebook_bench.casebook_scaling(small=20, large=200)
        ),
        "approve_batch": lambda: batch_bench.approve_batch_vs_raw_sql(batches=2 if quick else 5),
        "pages": lambda: pages_bench.page_budget(repeat=2 if quick else 5),
    }
    assert list(runs) == list(BENCHMARKS)
    results: dict[str, dict[str, object]] = {}
    for name, run in runs.items():
        if name in wanted:
            results.update(run())

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print()
    print(f"{'benchmark':<58} {'ratio':>8}  {'target':<14} {'pass':<5} detail")
    failed = 0
    for name, row in results.items():
        ok = bool(row["pass"])
        failed += 0 if ok else 1
        print(f"{name:<58} {row['ratio']:>8.3f}  {row['target']!s:<14} {'yes' if ok else 'NO':<5} {row['detail']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
