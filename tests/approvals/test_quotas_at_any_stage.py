"""Quotas at any stage (issue 17): a quota names the stage whose approval takes a place; the stage
must be in the chain; the approval there is refused with quota_exceeded when the quota is full;
the usage says where each quota binds."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.models import SignOff
from approvals.quotas import quota_usage
from tests.campaigns import campaign_admin, make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.exceptions import QuotaExceeded
from workflows.models import Quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def _through(nomination, *deciders):
    """Approve the nomination at its next stages, one decider per stage; the last sign-off."""
    signoff = None
    for decider in deciders:
        nomination.refresh_from_db()
        assert nomination.task_id is not None
        signoff = sign_off(nomination.task_id, actor=decider, decision="approve", opinion="同意")
    return signoff


def test_a_quota_named_at_the_committee_stage_binds_there_not_at_the_district(tree, submitter, district_reviewer):
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    committee = user_with_role(Role.COMMITTEE, tree.committee, username="cmt")
    campaign = make_campaign(tree.committee)
    Quota.objects.create(campaign=campaign, org=tree.district, max=1, stage="committee_review")
    first, second = (
        submit_nomination(
            create_nomination(
                actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=f"案例{i}",
                form=valid_case_form(),
            ).pk,
            actor=submitter,
        )
        for i in range(2)
    )  # fmt: skip
    # both pass the district: the quota does not bind there
    _through(first, leader, district_reviewer, committee)
    _through(second, leader, district_reviewer)

    second.refresh_from_db()
    assert second.task_id is not None
    with pytest.raises(QuotaExceeded, match="浦东新区民政局的名额已用完（共 1 个）"):
        sign_off(second.task_id, actor=committee, decision="approve", opinion="同意")

    assert not SignOff.objects.filter(nomination=second, stage="committee_review").exists()
    [usage] = quota_usage(campaign)
    assert (usage.used, usage.remaining, usage.stage, usage.stage_name) == (1, 0, "committee_review", "组委会意见")


def test_a_quota_naming_no_stage_still_binds_at_the_district_sealing_stage(tree):
    campaign = make_campaign(tree.committee)
    Quota.objects.create(campaign=campaign, org=tree.district, max=3)

    [usage] = quota_usage(campaign)

    assert (usage.stage, usage.stage_name) == ("", "区民政局意见")


def test_a_quota_must_name_a_stage_of_the_chain(tree, client_for):
    body = {
        "title": "名额测试", "host_org": tree.committee.pk, "forms": {"case": {"fields": []}},
        "submission_deadline": "2030-08-09",
        "stages": [{"key": "district_review", "name": "区民政局意见", "role": "district_reviewer", "seal": True},
                   {"key": "city_review", "name": "市民政局意见", "role": "city_reviewer", "seal": True}],
        "quotas": [{"org": tree.district.pk, "max": 2, "stage": "province_review"}],
    }  # fmt: skip
    client = client_for(campaign_admin(tree.committee))

    refused = client.post("/api/v1/campaigns", body, format="json")

    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["quotas[0].stage"]
    body["quotas"][0]["stage"] = "city_review"
    created = client.post("/api/v1/campaigns", body, format="json")
    assert created.status_code == 201, created.content
    [quota] = created.json()["quotas"]
    assert (quota["stage"], quota["stage_name"], quota["remaining"]) == ("city_review", "市民政局意见", 2)
