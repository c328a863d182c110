"""Used / remaining places per organisation quota, in one query."""

from __future__ import annotations

import pytest

from approvals.actions import create_nomination, submit_nomination
from approvals.quotas import quota_usage
from tests.campaigns import add_quota, make_campaign, valid_case_form
from workflows.models import Quota

pytestmark = pytest.mark.django_db


def test_without_a_district_seal_usage_counts_submitted_nominations(tree, submitter, django_assert_num_queries):
    campaign = make_campaign(tree.committee)
    campaign.stages.update(seal=False)  # no district sealing stage: a submitted nomination uses a place
    add_quota(campaign, tree.district, 14)
    add_quota(campaign, tree.other_district, 4)
    Quota.objects.create(campaign=campaign, org=tree.district, kind="collective", max=2)
    for i in range(3):
        nomination = create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=f"案例{i}", form=valid_case_form()
        )
        if i < 2:
            submit_nomination(nomination.pk, actor=submitter)

    with django_assert_num_queries(1):
        usage = quota_usage(campaign)

    rows = {(u.org.pk, u.kind): (u.max, u.used, u.remaining) for u in usage}
    assert rows == {
        (tree.district.pk, ""): (14, 2, 12),
        (tree.other_district.pk, ""): (4, 0, 4),
        (tree.district.pk, "collective"): (2, 0, 2),
    }
