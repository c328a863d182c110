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


GROUPS_FORM = {
    "fields": [
        {
            "key": "group",
            "label": "参赛组别",
            "type": "choice",
            "required": True,
            "options": ["受理中心组", "区运管团队组"],
        },
        {"key": "name", "label": "集体名称", "type": "text", "required": True, "max_length": 100},
    ]
}


@pytest.mark.usefixtures("seal_key_file")
def test_a_quota_over_one_answer_leaves_the_other_answer_its_own_places(tree, submitter):
    """[002]: 浦东's 受理中心组 places are full, its 区运管团队 still takes its own place."""
    from accounts.roles import Role
    from approvals.actions import sign_off
    from tests.factories import user_with_role
    from workflows.exceptions import QuotaExceeded

    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district")
    campaign = make_campaign(tree.committee, kinds=["collective"], forms={"collective": GROUPS_FORM}, eligibility={})
    for group, max_ in (("受理中心组", 1), ("区运管团队组", 1)):
        Quota.objects.create(
            campaign=campaign, org=tree.district, kind="collective", field="group", value=group, max=max_
        )

    def through_district(title, group):
        nomination = create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="collective", title=title,
            form={"group": group, "name": title},
        )  # fmt: skip
        nomination = submit_nomination(nomination.pk, actor=submitter)
        assert nomination.task_id is not None
        sign_off(nomination.task_id, actor=leader, decision="approve", opinion="")
        nomination.refresh_from_db()
        assert nomination.task_id is not None
        return sign_off(nomination.task_id, actor=district, decision="approve", opinion="同意")

    through_district("陆家嘴中心", "受理中心组")
    with pytest.raises(QuotaExceeded, match="受理中心组"):
        through_district("花木中心", "受理中心组")
    through_district("浦东新区运管团队", "区运管团队组")

    usage = {u.kind_label: (u.max, u.used, u.remaining) for u in quota_usage(campaign)}
    assert usage == {"集体（受理中心组）": (1, 1, 0), "集体（区运管团队组）": (1, 1, 0)}


def test_a_quota_over_an_answer_names_a_choice_of_the_kinds_form(tree, client_for):
    from tests.campaigns import campaign_admin

    body = {
        "title": "名额测试", "host_org": tree.committee.pk, "kinds": ["collective"],
        "forms": {"collective": GROUPS_FORM}, "submission_deadline": "2030-08-09",
        "stages": [{"key": "district_review", "name": "区民政局意见", "role": "district_reviewer", "seal": True}],
        "quotas": [
            {"org": tree.district.pk, "max": 6, "kind": "collective", "field": "group", "value": "受理中心组"},
            {"org": tree.district.pk, "max": 1, "kind": "collective", "field": "group", "value": "街道组"},
            {"org": tree.district.pk, "max": 1, "kind": "collective", "field": "name", "value": "x"},
            {"org": tree.district.pk, "max": 1, "field": "group", "value": "受理中心组"},
        ],
    }  # fmt: skip

    client = client_for(campaign_admin(tree.committee))
    response = client.post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["quotas[1].field", "quotas[2].field", "quotas[3].field"]
    del body["quotas"][1:]
    created = client.post("/api/v1/campaigns", body, format="json")
    assert created.status_code == 201, created.content
    assert [(q["field"], q["value"], q["max"]) for q in created.json()["quotas"]] == [("group", "受理中心组", 6)]


@pytest.mark.parametrize(
    "form", [["not", "a", "form"], {"fields": 5}, {"fields": [{"key": "group", "type": "choice", "options": 3}]}]
)
def test_a_quota_over_an_answer_of_a_broken_form_is_a_400_not_a_500(tree, client_for, form):
    from tests.campaigns import campaign_admin

    body = {
        "title": "名额测试", "host_org": tree.committee.pk, "kinds": ["collective"], "forms": {"collective": form},
        "submission_deadline": "2030-08-09",
        "stages": [{"key": "district_review", "name": "区民政局意见", "role": "district_reviewer", "seal": True}],
        "quotas": [{"org": tree.district.pk, "max": 6, "kind": "collective", "field": "group", "value": "受理中心组"}],
    }  # fmt: skip

    response = client_for(campaign_admin(tree.committee)).post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 400
    assert "quotas[0].field" in response.json()["errors"]
