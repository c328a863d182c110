"""What the Locust users need to know, read from the demo data (run inside Django, on the launcher's database).

``manage.py shell -c "from bench.load.prepare import main; main()"`` prints one JSON object: the demo
campaigns and units the users work in, and one campaign in 公示 for the public users. The demo data has
no campaign in 公示 (its five campaigns are open for applications), so one is made here as the
publicity benchmark makes it (60 approved nominations under organisations of their own, then
``start_publicity``, the action the committee's button calls): a fixture for the public, on the load
test's own temporary data folder only.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts import permissions
from accounts.models import Grant, User
from accounts.roles import OrgKind, Role
from approvals.actions.publicity import start_publicity
from approvals.models import Nomination
from bench.orgs import make_org
from workflows.models import Campaign
from workflows.seed_forms import SEED_SAMPLES

PUBLIC_NOMINATIONS = 60


def _campaign(word: str) -> Campaign:
    return Campaign.objects.get(title__contains=word)


def _unit(username: str, campaign: Campaign) -> int:
    from workflows import selectors as campaign_selectors

    user = User.objects.get(username=username)
    units = [u for u in permissions.units_nominating_by(user) if campaign_selectors.accepts_unit(campaign, u)]
    return int(units[0].pk)


def _publicity_campaign() -> tuple[int, list[int]]:
    existing = Campaign.objects.filter(title="负载测试公示活动").first()
    if existing is not None:
        return existing.pk, list(existing.nominations.values_list("pk", flat=True))
    city = make_org("city", OrgKind.CITY, None, prefix="load")
    committee = make_org("committee", OrgKind.COMMITTEE, city, prefix="load")
    district = make_org("district", OrgKind.DISTRICT, city, prefix="load")
    township = make_org("township", OrgKind.TOWNSHIP, district, prefix="load")
    units = [make_org(f"unit{i}", OrgKind.UNIT, township, prefix="load") for i in range(10)]
    chair = User.objects.create(username="load_publicity_committee")
    Grant.objects.create(user=chair, role=Role.COMMITTEE, org=committee)
    now = timezone.now()
    form = {"fields": [{"key": "summary", "label": "案例简介", "type": "long_text", "max_length": 1000}]}
    campaign = Campaign.objects.create(
        title="负载测试公示活动", year=now.year, host_org=committee, kinds=["case"], forms={"case": form},
        opens_at=now - timedelta(days=30), submission_deadline=now - timedelta(days=10),
        status=Campaign.Status.REVIEWING,
    )  # fmt: skip
    Nomination.objects.bulk_create(
        Nomination(campaign=campaign, unit=units[i % len(units)], district=district, kind="case",
                   title=f"负载测试案例{i}", form={"summary": "社区志愿服务案例简介。" * 20},
                   status=Nomination.Status.APPROVED, created_by=chair, submitted_by=chair, submitted_at=now)
        for i in range(PUBLIC_NOMINATIONS)
    )  # fmt: skip
    start_publicity(campaign.pk, actor=chair, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=5))
    return campaign.pk, list(campaign.nominations.values_list("pk", flat=True))


def context() -> dict[str, Any]:
    dehua, pingshan = _campaign("德化"), _campaign("坪山")
    public, public_nominations = _publicity_campaign()
    dehua_form = dict(SEED_SAMPLES["000"]["case"])
    # The sample's date is checked against "within the last 3 years" of today's submission.
    dehua_form["carried_out_on"] = (timezone.localdate() - timedelta(days=200)).isoformat()
    pingshan_form = {k: v for k, v in SEED_SAMPLES["001"]["case"].items() if k not in ("pictures", "manuscript")}
    return {
        "dehua": {"campaign": dehua.pk, "unit": _unit("dehua_submitter", dehua), "form": dehua_form},
        "pingshan": {"campaign": pingshan.pk, "unit": _unit("pingshan_submitter", pingshan), "form": pingshan_form},
        "committee_campaigns": [dehua.pk, pingshan.pk],
        "public": {"campaign": public, "nominations": public_nominations},
    }


def main() -> None:
    print(json.dumps(context(), ensure_ascii=False))
