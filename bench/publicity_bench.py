"""The public 公示 page under load: cached (Redis) vs built on every request vs a bare Django view.

One gunicorn (2 workers) serves all three in the same run (notes/performance-reliability.md
goals G5, G6). The campaign has 60 nominations on its list, with summaries of realistic length.
"""

from __future__ import annotations

import http.client
from datetime import timedelta

from django.utils import timezone

from accounts.models import Grant, User
from accounts.roles import OrgKind, Role
from approvals.actions.publicity import start_publicity
from approvals.models import Nomination
from bench import http_bench
from bench.orgs import make_org
from bench.timing import row
from workflows.models import Campaign

NOMINATIONS = 60
SUMMARY = (
    "社区助老服务案例：为辖区独居老人提供上门助餐、助洁、助医服务，建立志愿者结对机制，联系电话 13812345678。" * 4
)


def _campaign() -> Campaign:
    city = make_org("city", OrgKind.CITY, None, prefix="pub")
    committee = make_org("committee", OrgKind.COMMITTEE, city, prefix="pub")
    district = make_org("district", OrgKind.DISTRICT, city, prefix="pub")
    township = make_org("township", OrgKind.TOWNSHIP, district, prefix="pub")
    units = [make_org(f"unit{i}", OrgKind.UNIT, township, prefix="pub") for i in range(10)]
    chair = User.objects.create(username="publicity_committee")
    Grant.objects.create(user=chair, role=Role.COMMITTEE, org=committee)
    now = timezone.now()
    form = {"fields": [{"key": "summary", "label": "案例简介", "type": "long_text", "max_length": 1000}]}
    campaign = Campaign.objects.create(
        title="公示基准活动", year=now.year, host_org=committee, kinds=["case"], forms={"case": form},
        opens_at=now - timedelta(days=30), submission_deadline=now - timedelta(days=10),
        status=Campaign.Status.REVIEWING,
    )  # fmt: skip
    Nomination.objects.bulk_create(
        Nomination(campaign=campaign, unit=units[i % len(units)], district=district, kind="case",
                   title=f"基准案例{i}", form={"summary": SUMMARY}, status=Nomination.Status.APPROVED,
                   created_by=chair, submitted_by=chair, submitted_at=now)
        for i in range(NOMINATIONS)
    )  # fmt: skip
    start_publicity(campaign.pk, actor=chair, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=5))
    return campaign


def _get(port: int, path: str) -> int:
    """A GET as a browser sends it (gzip accepted), the body read in full."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def public_page_ratios(*, requests: int) -> dict[str, dict[str, object]]:
    campaign = _campaign()
    with http_bench.gunicorn() as port:

        def hello() -> int:
            return _get(port, "/bench/hello")

        def cached() -> int:
            return _get(port, f"/publicity/{campaign.pk}")

        def api_cached() -> int:
            return _get(port, f"/api/v1/public/campaigns/{campaign.pk}/publicity")

        def uncached() -> int:
            return _get(port, f"/bench/publicity-uncached/{campaign.pk}")

        hello_rate = http_bench._rate(requests, hello, 200)
        cached_rate = http_bench._rate(requests, cached, 200)
        api_rate = http_bench._rate(requests, api_cached, 200)
        uncached_rate = http_bench._rate(max(40, requests // 4), uncached, 200)
    detail = f"(2 workers, c={http_bench.CONCURRENCY}, {NOMINATIONS} nominations)"
    return {
        "公示 page cached / same page uncached": row(
            cached_rate / uncached_rate, ">= 3", cached_rate / uncached_rate >= 3,
            f"{cached_rate:.0f} vs {uncached_rate:.0f} req/s {detail}",
        ),
        "公示 page cached / bare Django view": row(
            cached_rate / hello_rate, ">= 0.6", cached_rate / hello_rate >= 0.6,
            f"{cached_rate:.0f} vs {hello_rate:.0f} req/s {detail}",
        ),
        "GET /api/v1/public/campaigns/{id}/publicity cached / bare Django view": row(
            api_rate / hello_rate, "report", True, f"{api_rate:.0f} vs {hello_rate:.0f} req/s {detail}",
        ),
    }  # fmt: skip
