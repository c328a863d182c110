"""会签 / 或签 through the API: the campaign's stage spec (holders, mode) and each holder's decision."""

from __future__ import annotations

import copy

import pytest

from accounts.roles import OrgKind, Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from tests.campaigns import CASE_FORM, CASE_RULES, STAGES, campaign_admin, make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role
from workflows.models import Campaign, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

HOLDERS = [
    {"role": "district_reviewer", "signer_org": "district"},
    {"role": "district_reviewer", "signer_org": "district", "department": "社工部"},
]


def body(tree, stages):
    return {
        "title": "会签评选", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "opens_at": "2024-08-01",
        "submission_deadline": "2024-09-18", "stages": stages,
    }  # fmt: skip


def cosign_stages(**district):
    stages = copy.deepcopy(STAGES)
    stages[1].update(district)
    return stages


def test_a_campaign_admin_defines_a_cosign_stage_and_reads_it_back(tree, client_for):
    admin = campaign_admin(tree.committee)
    response = client_for(admin).post(
        "/api/v1/campaigns", body(tree, cosign_stages(holders=HOLDERS, mode="all")), format="json"
    )
    assert response.status_code == 201, response.content
    stage = response.json()["stages"][1]
    assert stage["mode"] == "all"
    assert [h["department"] for h in stage["holders"]] == ["", "社工部"]
    assert Stage.objects.get(key="district_review").holders[1]["signer_org"] == "district"


@pytest.mark.parametrize(
    ("district", "field"),
    [
        ({"holders": HOLDERS}, "stages[1].mode"),
        ({"mode": "all"}, "stages[1].mode"),
        ({"holders": HOLDERS[:1], "mode": "all"}, "stages[1].holders"),
        ({"holders": [HOLDERS[0], HOLDERS[0]], "mode": "any"}, "stages[1].holders[1]"),
        ({"holders": [{"role": "city_reviewer"}, HOLDERS[0]], "mode": "any"}, "stages[1].holders[0]"),
        ({"holders": [HOLDERS[0], {"role": "auditor"}], "mode": "any"}, "stages[1].holders[1].role"),
        ({"holders": HOLDERS, "mode": "all", "seal_org": "district"}, "stages[1].seal_org"),
        ({"holders": HOLDERS, "mode": "all", "same_signer_as_previous": True}, "stages[1].same_signer_as_previous"),
    ],
)  # fmt: skip
def test_bad_holders_are_400_with_the_field_path_and_a_chinese_message(tree, client_for, district, field):
    admin = campaign_admin(tree.committee)
    response = client_for(admin).post("/api/v1/campaigns", body(tree, cosign_stages(**district)), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    matched = [m for key, messages in errors.items() if key == field or key.startswith(field) for m in messages]
    assert matched, errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(matched))
    assert not Campaign.objects.exists()


def test_each_holder_decides_through_the_task_api_and_a_second_decision_is_409(tree, submitter, client_for):
    social = OrganizationFactory.create(
        name="浦东新区社工部", code="A-PDSG", kind=OrgKind.DISTRICT, parent=tree.district
    )
    bureau = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="api_bureau")
    social_reviewer = user_with_role(Role.DISTRICT_REVIEWER, social, username="api_social")
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="api_leader")
    campaign = make_campaign(tree.committee)
    campaign.stages.filter(key="district_review").update(holders=HOLDERS, mode="all")
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="接口会签",
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    assert n.task_id is not None
    sign_off(n.task_id, actor=leader, decision="approve", opinion="同意")
    n.refresh_from_db()

    inbox = client_for(social_reviewer).get("/api/v1/tasks").json()["results"]
    assert [t["id"] for t in inbox] == [n.task_id]
    first = client_for(social_reviewer).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert first.status_code == 200, first.content
    assert (first.json()["seat"], first.json()["org_name"]) == (1, "浦东新区社工部")
    again = client_for(social_reviewer).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_signed_stage"

    second = client_for(bureau).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert second.status_code == 200, second.content
    detail = client_for(bureau).get(f"/api/v1/nominations/{n.pk}").json()
    assert [(s["stage"], s["seat"]) for s in detail["signoffs"]] == [
        ("unit_opinion", None), ("district_review", 1), ("district_review", 0)
    ]  # fmt: skip
    assert detail["stage"] == "committee_review"


def test_add_signer_through_the_api_is_201_and_its_refusals_are_400_with_codes(tree, submitter, client_for):
    chief = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="api_chief")
    expert = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="api_expert")
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="api_leader2")
    campaign = make_campaign(tree.committee)
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="接口加签",
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    assert n.task_id is not None
    sign_off(n.task_id, actor=leader, decision="approve", opinion="同意")
    n.refresh_from_db()
    url = f"/api/v1/tasks/{n.task_id}/add-signer"

    refused = client_for(chief).post(url, {"user": chief.pk, "position": "before", "reason": "自己"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_added_signer"
    bad = client_for(chief).post(url, {"user": expert.pk, "position": "middle", "reason": "x"}, format="json")
    assert bad.status_code == 400
    added = client_for(chief).post(
        url, {"user": expert.pk, "position": "before", "reason": "请专家把关"}, format="json"
    )
    assert added.status_code == 201, added.content
    assert (added.json()["kind"], added.json()["user"], added.json()["status"]) == ("before", expert.pk, "open")
    waiting = client_for(chief).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "seat_not_open_yet"
    assert [t["id"] for t in client_for(expert).get("/api/v1/tasks").json()["results"]] == [n.task_id]
