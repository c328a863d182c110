"""In-process benchmark of the Excel import: cost per row must not grow with the size of the file.

Reads and imports a file of ``small`` rows and one of ``large`` rows (the seed [000] case form,
with a two-person list and long texts) into a fresh campaign, through ``excel.read_rows`` and
``actions.import_nominations`` (one durable transaction for the whole file), and compares times.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone
from openpyxl.workbook.workbook import Workbook

from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from approvals import actions, excel
from bench.orgs import make_org
from bench.timing import row
from workflows.models import Campaign
from workflows.seed_forms import SEED_000_CASE_FORM, SEED_SAMPLES

KIND = "case"


def _org(name: str, kind: OrgKind, parent: Organization | None) -> Organization:
    return make_org(name, kind, parent, prefix="IMP")


def _setup() -> tuple[Campaign, Organization, User]:
    city = _org("city", OrgKind.CITY, None)
    committee = _org("committee", OrgKind.COMMITTEE, city)
    district = _org("district", OrgKind.DISTRICT, city)
    township = _org("township", OrgKind.TOWNSHIP, district)
    unit = _org("unit", OrgKind.UNIT, township)
    submitter = User.objects.create(username="import_bench_submitter", org=unit)
    Grant.objects.create(user=submitter, role=Role.SUBMITTER, org=unit)
    now = timezone.now()
    campaign = Campaign.objects.create(
        title="导入基准活动",
        year=now.year,
        host_org=committee,
        kinds=[KIND],
        forms={KIND: SEED_000_CASE_FORM},
        opens_at=now - timedelta(days=1),
        submission_deadline=now + timedelta(days=30),
        status=Campaign.Status.OPEN,
    )
    return campaign, unit, submitter


def _workbook(campaign: Campaign, unit: Organization, rows: int) -> bytes:
    """An import file of ``rows`` rows, written in write-only mode like a large real file."""
    columns = excel.form_columns(SEED_000_CASE_FORM)
    sample: dict[str, Any] = SEED_SAMPLES["000"][KIND]
    cells = [excel.to_cell_value(c.field, sample.get(c.key)) for c in columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(excel.DATA_SHEET)
    sheet.append(excel.column_headers(campaign, KIND))
    for i in range(rows):
        sheet.append([unit.code, f"基准案例{i}", *cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(campaign: Campaign, submitter: User, content: bytes, *, verbose: bool = False) -> float:
    def report(done: int, total: int) -> None:
        print(f"… {done}/{total} rows", file=sys.stderr)

    start = time.perf_counter()
    rows = excel.read_rows(campaign, KIND, io.BytesIO(content))
    result = actions.import_nominations(
        actor=submitter, campaign=campaign, kind=KIND, rows=rows, progress=report if verbose else None
    )
    elapsed = time.perf_counter() - start
    assert result.created == len(rows)
    return elapsed


def import_scaling(*, small: int = 100, large: int = 10_000) -> dict[str, dict[str, object]]:
    """Time to read and import ``large`` rows over ``small`` rows: linear is ``large / small``.

    The target allows 20 % on top of linear (``<= 120`` for 10,000 / 100). The small file is
    imported once to warm up, then three times (median); the large one once, with progress on stderr.
    """
    campaign, unit, submitter = _setup()
    small_file = _workbook(campaign, unit, small)
    large_file = _workbook(campaign, unit, large)
    _import(campaign, submitter, small_file)
    t_small = statistics.median(_import(campaign, submitter, small_file) for _ in range(3))
    t_large = _import(campaign, submitter, large_file, verbose=True)
    ratio = t_large / t_small
    limit = 1.2 * large / small
    return {
        f"import {large} rows / {small} rows": row(
            ratio,
            f"<= {limit:g}",
            ratio <= limit,
            f"{t_small:.2f} s vs {t_large:.1f} s ({t_small / small * 1e3:.1f} vs {t_large / large * 1e3:.1f} ms/row, "
            f"file {len(large_file) / 1024:.0f} KiB)",
        )
    }
