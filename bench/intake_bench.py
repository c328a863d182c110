"""Queries per submission must not grow with the campaign's size (≤ 25, same at 10 and 10,000)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination
from bench.orgs import make_org
from bench.timing import row, split_queries
from workflows.models import Campaign, Stage

FORM = {"fields": [{"key": "summary", "label": "简介", "type": "long_text", "required": True, "max_length": 500}]}


def _org(name: str, kind: OrgKind, parent: Organization | None) -> Organization:
    return make_org(name, kind, parent, prefix="I")


def _queries_for_one_submit(submitter: User, campaign: Campaign, unit: Organization) -> tuple[int, int]:
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=unit, kind="case", title="案例", form={"summary": "社区服务"}
    )
    with CaptureQueriesContext(connection) as ctx:
        submit_nomination(draft.pk, actor=submitter)
    queries, control = split_queries(ctx.captured_queries)
    return len(queries), control


def submit_queries(*, large: int) -> dict[str, dict[str, object]]:
    city = _org("city", OrgKind.CITY, None)
    committee = _org("committee", OrgKind.COMMITTEE, city)
    district = _org("district", OrgKind.DISTRICT, city)
    township = _org("township", OrgKind.TOWNSHIP, district)
    unit = _org("unit", OrgKind.UNIT, township)
    submitter = User.objects.create(username="intake_submitter")
    Grant.objects.create(user=submitter, role=Role.SUBMITTER, org=unit)
    now = timezone.now()
    campaign = Campaign.objects.create(
        title="bench", year=now.year, host_org=committee, kinds=["case"], forms={"case": FORM},
        opens_at=now - timedelta(days=1), submission_deadline=now + timedelta(days=1),
        status=Campaign.Status.OPEN, per_unit_max=large * 2, total_max=large * 2,
    )  # fmt: skip
    Stage.objects.create(
        campaign=campaign, position=0, key="review", name="审核", role=Role.DISTRICT_REVIEWER, signer_org="district"
    )

    def fill(n: int) -> None:
        Nomination.objects.bulk_create(
            Nomination(campaign=campaign, unit=unit, district=district, kind="case", title=f"n{i}",
                       form={"summary": "x"}, status=Nomination.Status.IN_REVIEW, stage="review",
                       created_by=submitter, submitted_by=submitter, submitted_at=now)
            for i in range(n)
        )  # fmt: skip

    fill(10)
    at_small, control_small = _queries_for_one_submit(submitter, campaign, unit)
    fill(large - 10)
    at_large, control_large = _queries_for_one_submit(submitter, campaign, unit)
    passed = at_small == at_large and at_large <= 25
    return {
        f"queries per submit_nomination (10 vs {large} nominations)": row(
            at_large / at_small,
            "== 1.0, <= 25",
            passed,
            f"{at_small} vs {at_large} queries (plus {control_small} vs {control_large} BEGIN/COMMIT/SAVEPOINT "
            "statements, not counted, as for sign_off)",
        )
    }
