"""一肩挑: a campaign may let the previous stage's signer sign the next one, below the district only."""

from __future__ import annotations

import copy

import pytest

from accounts.roles import Role
from approvals import documents
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.exceptions import ConsecutiveSignOffForbidden
from approvals.models import Nomination, Seal, SignOff
from approvals.seals import verify_nomination
from tests.campaigns import CASE_FORM, CASE_RULES, campaign_admin, make_campaign, valid_case_form
from tests.factories import GrantFactory, user_with_role
from workflows.models import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

# [003]: 单位意见 (sealed) → 党组织意见 (党组织负责人签名, 单位盖章) → 区民政局 (sealed) → 组委会.
TAISHAN = [
    {"key": "unit_opinion", "name": "单位意见", "role": "unit_leader", "seal": True},
    {"key": "party_opinion", "name": "申报单位党组织意见", "role": "party_secretary", "seal": True,
     "seal_org": "unit", "same_signer_as_previous": True},
    {"key": "district_review", "name": "区民政局意见", "role": "district_reviewer", "seal": True},
    {"key": "committee_review", "name": "组委会意见", "role": "committee", "seal": False},
]  # fmt: skip


def campaign_with(tree, stages):
    campaign = make_campaign(tree.committee)
    campaign.stages.all().delete()
    for i, stage in enumerate(stages):
        from workflows.specs import signer_org_of

        Stage.objects.create(campaign=campaign, position=i, signer_org=signer_org_of(stage), **stage)
    return campaign


@pytest.fixture
def both(tree):
    """The unit's leader, who is also the secretary of its party branch (一肩挑)."""
    user = user_with_role(Role.UNIT_LEADER, tree.unit, username="both")
    GrantFactory.create(user=user, role=Role.PARTY_SECRETARY, org=tree.party)
    return user


def submitted_to(campaign, tree, submitter) -> Nomination:
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="党员义工服务", form=valid_case_form()
    )
    return submit_nomination(nomination.pk, actor=submitter)


def approve(nomination: Nomination, user) -> SignOff:
    nomination.refresh_from_db()
    assert nomination.task_id is not None
    return sign_off(nomination.task_id, actor=user, decision="approve", opinion="同意")


def test_where_configured_the_unit_leader_signs_the_party_stage_too_with_the_units_seal(tree, submitter, both):
    nomination = submitted_to(campaign_with(tree, TAISHAN), tree, submitter)

    approve(nomination, both)
    party = approve(nomination, both)

    nomination.refresh_from_db()
    assert nomination.stage == "district_review"
    assert (party.stage, party.signer_id, party.org_id) == ("party_opinion", both.pk, tree.party.pk)
    seals = list(Seal.objects.filter(nomination=nomination).select_related("key").order_by("sequence"))
    # 党组织负责人签名, 单位盖章: both seals are the unit's, the party stage's opinion names the branch.
    assert [(s.stage, s.key.org_id) for s in seals] == [
        ("unit_opinion", tree.unit.pk),
        ("party_opinion", tree.unit.pk),
    ]
    assert verify_nomination(nomination) == []
    # The printed 申报表: the party stage names its branch as the signer's, and the unit's seal.
    printed = documents.build(nomination, reveal=False, verify_url="")
    party_opinion = next(o for o in printed.opinions if o.stage == "申报单位党组织意见")
    assert (party_opinion.org, party_opinion.seal_org, party_opinion.sealed) == (tree.party.name, tree.unit.name, True)


def test_where_not_configured_the_same_person_is_refused(tree, submitter, both):
    stages = copy.deepcopy(TAISHAN)
    stages[1]["same_signer_as_previous"] = False
    nomination = submitted_to(campaign_with(tree, stages), tree, submitter)
    approve(nomination, both)

    with pytest.raises(ConsecutiveSignOffForbidden):
        approve(nomination, both)
    nomination.refresh_from_db()
    assert nomination.stage == "party_opinion"
    secretary = user_with_role(Role.PARTY_SECRETARY, tree.party, username="secretary")
    assert approve(nomination, secretary).stage == "party_opinion"


def test_the_allowance_is_for_the_configured_pair_only(tree, submitter, both):
    """The party stage may follow its unit leader; the district stage never follows its predecessor."""
    district_too = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district_too")
    GrantFactory.create(user=district_too, role=Role.PARTY_SECRETARY, org=tree.party)
    nomination = submitted_to(campaign_with(tree, TAISHAN), tree, submitter)
    approve(nomination, both)
    approve(nomination, district_too)

    with pytest.raises(ConsecutiveSignOffForbidden):
        approve(nomination, district_too)


@pytest.mark.parametrize(
    ("index", "change"),
    [
        (2, {"same_signer_as_previous": True}),  # district after party
        (3, {"same_signer_as_previous": True}),  # committee after district
        (0, {"same_signer_as_previous": True}),  # nothing before the first stage
    ],
)
def test_from_the_district_up_the_setting_is_refused(tree, client_for, index, change):
    admin = campaign_admin(tree.committee)
    stages = copy.deepcopy(TAISHAN)
    stages[index].update(change)
    body = {
        "title": "一肩挑测试", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "submission_deadline": "2030-09-18", "stages": stages,
    }  # fmt: skip

    response = client_for(admin).post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 400, response.content
    assert f"stages[{index}].same_signer_as_previous" in response.json()["errors"]


def test_the_api_takes_and_shows_the_setting_and_the_seal_org(tree, client_for):
    admin = campaign_admin(tree.committee)
    body = {
        "title": "一肩挑测试", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "submission_deadline": "2030-09-18",
        "stages": copy.deepcopy(TAISHAN),
    }  # fmt: skip

    response = client_for(admin).post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 201, response.content
    party = response.json()["stages"][1]
    assert (party["same_signer_as_previous"], party["seal_org"], party["signer_org"]) == (True, "unit", "party")
    assert response.json()["stages"][0]["same_signer_as_previous"] is False


@pytest.mark.parametrize(
    ("index", "change"),
    [
        (3, {"seal_org": "unit"}),  # a stage that does not seal
        (2, {"seal_org": "unit"}),  # the district's stage may not seal with the unit's seal
    ],
)
def test_a_seal_org_is_only_the_units_at_a_sealing_party_stage(tree, client_for, index, change):
    admin = campaign_admin(tree.committee)
    stages = copy.deepcopy(TAISHAN)
    stages[index].update(change)
    body = {
        "title": "盖章测试", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "submission_deadline": "2030-09-18", "stages": stages,
    }  # fmt: skip

    response = client_for(admin).post("/api/v1/campaigns", body, format="json")

    assert response.status_code == 400, response.content
    assert f"stages[{index}].seal_org" in response.json()["errors"]
