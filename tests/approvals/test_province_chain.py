"""A province (省) above its cities: county → city → province signed end to end, scoped like the others."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.actions import create_organization, grant_role
from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination, Seal, SignOff
from config.errors import InvalidInput
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role
from workflows.models import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@dataclass
class Province:
    province: Organization
    committee: Organization
    city: Organization
    county: Organization
    unit: Organization
    other_province: Organization
    other_city: Organization


@pytest.fixture
def shandong(db) -> Province:
    """[004]: 山东省民政厅 → 济宁市民政局 → 泗水县民政局 → 泗水县儿童福利指导中心; and 浙江 beside it."""
    province = OrganizationFactory.create(name="山东省民政厅", code="P-SD", kind=OrgKind.PROVINCE)
    committee = OrganizationFactory.create(
        name="创新案例评审组", code="P-SD-CMT", kind=OrgKind.COMMITTEE, parent=province
    )
    city = OrganizationFactory.create(name="济宁市民政局", code="P-SD-JN", kind=OrgKind.CITY, parent=province)
    county = OrganizationFactory.create(name="泗水县民政局", code="P-SD-SS", kind=OrgKind.DISTRICT, parent=city)
    unit = OrganizationFactory.create(
        name="泗水县儿童福利指导中心", code="P-SD-SS-U", kind=OrgKind.UNIT, parent=county
    )
    other = OrganizationFactory.create(name="浙江省民政厅", code="P-ZJ", kind=OrgKind.PROVINCE)
    other_city = OrganizationFactory.create(name="杭州市民政局", code="P-ZJ-HZ", kind=OrgKind.CITY, parent=other)
    return Province(province, committee, city, county, unit, other, other_city)


CHAIN = [
    ("county_review", "县民政局推荐", Role.DISTRICT_REVIEWER),
    ("city_review", "市民政局推荐", Role.CITY_REVIEWER),
    ("province_review", "省民政厅审核", Role.PROVINCE_REVIEWER),
]


@pytest.fixture
def submitted(shandong) -> Nomination:
    campaign = make_campaign(shandong.committee)
    campaign.stages.all().delete()
    for i, (key, name, role) in enumerate(CHAIN):
        where = {Role.DISTRICT_REVIEWER: "district", Role.CITY_REVIEWER: "city"}.get(role, "province")
        Stage.objects.create(campaign=campaign, position=i, key=key, name=name, role=role, signer_org=where, seal=True)
    submitter = user_with_role(Role.SUBMITTER, shandong.unit, username="sishui_sub")
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=shandong.unit, kind="case", title="呵护农村孤困儿童成长",
        form=valid_case_form(),
    )  # fmt: skip
    return submit_nomination(nomination.pk, actor=submitter)


def decide(client_for, user: User, nomination: Nomination, decision: str = "approve"):
    nomination.refresh_from_db()
    return client_for(user).post(
        f"/api/v1/tasks/{nomination.task_id}/{decision}", {"opinion": "同意推荐"}, format="json"
    )


def test_county_city_province_sign_and_seal_in_turn(shandong, submitted, client_for):
    signers = {
        "county_review": user_with_role(Role.DISTRICT_REVIEWER, shandong.county, username="sishui"),
        "city_review": user_with_role(Role.CITY_REVIEWER, shandong.city, username="jining"),
        "province_review": user_with_role(Role.PROVINCE_REVIEWER, shandong.province, username="shandong"),
    }
    for key, _name, _role in CHAIN:
        submitted.refresh_from_db()
        assert submitted.stage == key
        inbox = client_for(signers[key]).get("/api/v1/tasks").json()["results"]
        assert [t["nomination"] for t in inbox] == [submitted.pk]
        response = decide(client_for, signers[key], submitted)
        assert response.status_code == 200, response.content

    submitted.refresh_from_db()
    assert submitted.status == "approved"
    signoffs = SignOff.objects.filter(nomination=submitted).order_by("id")
    assert [(s.stage, s.org_id) for s in signoffs] == [
        ("county_review", shandong.county.pk),
        ("city_review", shandong.city.pk),
        ("province_review", shandong.province.pk),
    ]
    seals = Seal.objects.filter(nomination=submitted).select_related("key").order_by("sequence")
    assert [s.key.org_id for s in seals] == [shandong.county.pk, shandong.city.pk, shandong.province.pk]
    verified = client_for(signers["province_review"]).get(f"/api/v1/nominations/{submitted.pk}/verify").json()
    assert verified == {"valid": True, "problems": []}


def test_a_province_reviewer_of_another_province_is_refused(shandong, submitted, client_for):
    for key, role, org in (("county_review", Role.DISTRICT_REVIEWER, shandong.county),
                           ("city_review", Role.CITY_REVIEWER, shandong.city)):  # fmt: skip
        assert decide(client_for, user_with_role(role, org, username=f"u_{key}"), submitted).status_code == 200
    zhejiang = user_with_role(Role.PROVINCE_REVIEWER, shandong.other_province, username="zhejiang")
    # Nor does a city reviewer below the province decide the province's stage.
    jining = user_with_role(Role.CITY_REVIEWER, shandong.city, username="jining2")

    assert client_for(zhejiang).get("/api/v1/tasks").json()["results"] == []
    assert decide(client_for, zhejiang, submitted).status_code == 404
    assert decide(client_for, jining, submitted).status_code == 403
    submitted.refresh_from_db()
    assert (submitted.status, submitted.stage) == ("in_review", "province_review")
    assert not SignOff.objects.filter(nomination=submitted, stage="province_review").exists()


def test_the_province_reviewer_sees_the_nominations_below_it_only(shandong, submitted, client_for):
    shandong_reviewer = user_with_role(Role.PROVINCE_REVIEWER, shandong.province, username="sd")
    zhejiang = user_with_role(Role.PROVINCE_REVIEWER, shandong.other_province, username="zj")

    assert client_for(shandong_reviewer).get(f"/api/v1/nominations/{submitted.pk}").status_code == 200
    assert client_for(zhejiang).get(f"/api/v1/nominations/{submitted.pk}").status_code == 404


def test_the_tree_takes_a_province_above_cities(security_admin):
    province = create_organization(
        actor=security_admin, name="山东省民政厅", code="SD", kind=OrgKind.PROVINCE, parent=None
    )
    city = create_organization(
        actor=security_admin, name="济宁市民政局", code="JN", kind=OrgKind.CITY, parent=province
    )
    county = create_organization(
        actor=security_admin, name="泗水县民政局", code="SS", kind=OrgKind.DISTRICT, parent=city
    )

    assert (county.depth, county.path) == (2, f"/{province.pk}/{city.pk}/{county.pk}/")
    with pytest.raises(InvalidInput) as refused:
        create_organization(actor=security_admin, name="某省", code="X", kind=OrgKind.PROVINCE, parent=city)
    assert refused.value.code == "invalid_parent"


def test_the_province_reviewer_role_is_granted_at_a_province_only(shandong, security_admin):
    user = user_with_role(Role.SUBMITTER, shandong.unit, username="someone")

    grant = grant_role(actor=security_admin, user_id=user.pk, role=Role.PROVINCE_REVIEWER, org=shandong.province)
    assert grant.org_id == shandong.province.pk
    with pytest.raises(InvalidInput):
        grant_role(actor=security_admin, user_id=user.pk, role=Role.PROVINCE_REVIEWER, org=shandong.city)
