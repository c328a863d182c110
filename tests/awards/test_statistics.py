"""The committee's statistics: every figure equals a direct count of the rows (nominations by district,
township, kind and status; standing awards by tier and per district against the quotas; a province
campaign's awards by city with 并列 ranks); only the host's committee reads them (page, Excel, API);
the Excel file holds the same numbers; the page draws its charts as inline SVG."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from openpyxl import load_workbook

from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals.models import Nomination
from awards import statistics
from awards.models import Award
from tests.campaigns import add_quota, make_campaign, valid_case_form
from tests.conftest import Tree
from tests.factories import OrganizationFactory, user_with_role
from workflows.models import Campaign

pytestmark = pytest.mark.django_db

S = Nomination.Status
TIERS = {
    "collective": [{"key": "first", "name": "一等奖", "count": 2, "prize": 2000},
                   {"key": "second", "name": "二等奖", "count": 3, "prize": 1000}],
    "individual": [{"key": "first", "name": "一等奖", "count": 1}],
}  # fmt: skip


def _nomination(campaign: Campaign, unit: Organization, district: Organization | None, kind: str, status: str,
                creator: User) -> Nomination:  # fmt: skip
    return Nomination.objects.create(
        campaign=campaign, unit=unit, district=district, kind=kind, title=f"{unit.name}{kind}{status}",
        form=valid_case_form(), status=status, created_by=creator,
    )  # fmt: skip


def _award(nomination: Nomination, tier: str, status: str, rank: int) -> Award:
    name = {"first": "一等奖", "second": "二等奖"}[tier]
    prize = {("collective", "first"): 2000, ("collective", "second"): 1000}.get((nomination.kind, tier))
    return Award.objects.create(
        campaign=nomination.campaign, nomination=nomination, kind=nomination.kind, tier=tier, tier_name=name,
        rank=rank, score=Decimal(90 - rank), prize=prize, status=status,
    )  # fmt: skip


def _scene(tree: Tree) -> tuple[Campaign, User, dict[str, Organization]]:
    """Nominations in two districts, three townships and a unit under no township, of three kinds and
    many statuses; awards confirmed, declined, revoked and proposed; a quota on each district."""
    campaign = make_campaign(
        tree.committee, status=Campaign.Status.REVIEWING, kinds=["case", "collective", "individual"], tiers=TIERS
    )
    # no district sealing stage: a quota place is held by every nomination holding a place
    campaign.stages.filter(key="district_review").update(seal=False)
    committee = user_with_role(Role.COMMITTEE, tree.committee)
    huamu = OrganizationFactory.create(name="花木街道", code="T-HM", kind=OrgKind.TOWNSHIP, parent=tree.district)
    huamu_unit = OrganizationFactory.create(name="花木中心", code="T-HMC", kind=OrgKind.UNIT, parent=huamu)
    direct = OrganizationFactory.create(name="黄浦区社会组织服务中心", code="T-HPS", kind=OrgKind.UNIT,
                                        parent=tree.other_district)  # fmt: skip
    pd, hp = tree.district, tree.other_district
    plan = [
        (tree.unit, pd, "case", S.IN_REVIEW), (tree.unit, pd, "case", S.APPROVED),
        (tree.unit, pd, "collective", S.FINAL), (tree.unit, pd, "collective", S.FINAL),
        (tree.unit, pd, "individual", S.NOT_SELECTED), (tree.unit, pd, "case", S.DRAFT),
        (huamu_unit, pd, "collective", S.FINAL), (huamu_unit, pd, "individual", S.FINAL),
        (huamu_unit, pd, "case", S.RETURNED), (huamu_unit, pd, "case", S.REJECTED),
        (tree.other_unit, hp, "collective", S.FINAL), (tree.other_unit, hp, "collective", S.REVOKED),
        (tree.other_unit, hp, "case", S.WITHDRAWN), (tree.other_unit, hp, "case", S.DRAFT),
        (direct, hp, "collective", S.FINAL), (direct, hp, "individual", S.IN_PUBLICITY),
    ]  # fmt: skip
    made = [_nomination(campaign, unit, district, kind, status, committee) for unit, district, kind, status in plan]
    _award(made[2], "first", Award.Status.CONFIRMED, 1)
    _award(made[3], "second", Award.Status.CONFIRMED, 3)
    _award(made[6], "first", Award.Status.CONFIRMED, 2)
    _award(made[7], "first", Award.Status.CONFIRMED, 1)
    _award(made[10], "second", Award.Status.CONFIRMED, 4)
    _award(made[11], "second", Award.Status.REVOKED, 5)
    _award(made[14], "second", Award.Status.DECLINED, 6)
    _award(made[15], "first", Award.Status.PROPOSED, 2)
    add_quota(campaign, pd, 6)
    add_quota(campaign, hp, 3)
    return campaign, committee, {"huamu": huamu, "direct": direct}


def _submitted(campaign: Campaign) -> Any:
    return Nomination.objects.filter(campaign=campaign).exclude(status=S.DRAFT)


def _standing(campaign: Campaign) -> Any:
    return Award.objects.filter(campaign=campaign, status=Award.Status.CONFIRMED)


def test_every_figure_equals_a_direct_count(tree, django_assert_max_num_queries):
    campaign, _committee, orgs = _scene(tree)

    with django_assert_max_num_queries(9):
        figures = statistics.campaign_statistics(campaign)

    nominations, awards = _submitted(campaign), _standing(campaign)
    assert (figures["nominations"], figures["awards"]) == (14, 5)
    assert figures["nominations"] == nominations.count()
    assert figures["awards"] == awards.count()
    for row in figures["by_status"]:
        assert row["nominations"] == nominations.filter(status=row["status"]).count() > 0
    assert {r["status"] for r in figures["by_status"]} == set(nominations.values_list("status", flat=True))
    assert S.DRAFT not in {r["status"] for r in figures["by_status"]}
    for row in figures["by_kind"]:
        assert row["nominations"] == nominations.filter(kind=row["kind"]).count()
        assert row["awards"] == awards.filter(kind=row["kind"]).count()
    assert [(r["kind"], r["nominations"], r["awards"]) for r in figures["by_kind"]] == [
        ("case", 5, 0), ("collective", 6, 4), ("individual", 3, 1),
    ]  # fmt: skip

    by_district = {r["id"]: r for r in figures["by_district"]}
    assert set(by_district) == {tree.district.pk, tree.other_district.pk}
    for pk, row in by_district.items():
        assert row["nominations"] == nominations.filter(district_id=pk).count()
        assert row["awards"] == awards.filter(nomination__district_id=pk).count()
    assert (by_district[tree.district.pk]["nominations"], by_district[tree.district.pk]["awards"]) == (9, 4)
    assert figures["by_district"][0]["id"] == tree.district.pk  # largest first

    townships = {r["id"]: r for r in figures["by_township"]}
    assert set(townships) == {tree.township.pk, orgs["huamu"].pk, tree.other_township.pk, None}
    for township in (tree.township, orgs["huamu"], tree.other_township):
        assert townships[township.pk]["name"] == township.name
        assert (
            townships[township.pk]["nominations"] == nominations.filter(unit__path__startswith=township.path).count()
        )
    assert townships[None]["nominations"] == nominations.filter(unit=orgs["direct"]).count() == 2
    assert sum(r["nominations"] for r in figures["by_township"]) == nominations.count()

    tiers = {(r["kind"], r["tier"]): r for r in figures["awards_by_tier"]}
    assert list(tiers) == [("collective", "first"), ("collective", "second"), ("individual", "first")]
    for (kind, tier), row in tiers.items():
        standing = awards.filter(kind=kind, tier=tier)
        assert row["awards"] == standing.count()
        assert Decimal(row["prize_total"]) == sum((a.prize or 0 for a in standing), Decimal(0))
    assert (tiers[("collective", "first")]["awards"], tiers[("collective", "first")]["planned"]) == (2, 2)
    assert tiers[("collective", "second")]["prize_total"] == "2000.00"

    columns = [(t["kind"], t["tier"]) for t in figures["tiers"]]
    quota_of = {tree.district.pk: 6, tree.other_district.pk: 3}
    for row in figures["awards_by_district"]:
        for (kind, tier), n in zip(columns, row["tiers"], strict=True):
            assert n == awards.filter(nomination__district_id=row["id"], kind=kind, tier=tier).count()
        assert row["awards"] == awards.filter(nomination__district_id=row["id"]).count()
        district = Organization.objects.get(pk=row["id"])
        holding = Nomination.objects.filter(
            campaign=campaign, unit__path__startswith=district.path, status__in=Nomination.HOLDS_PLACE
        )
        assert (row["quota"], row["quota_used"]) == (quota_of[row["id"]], holding.count())
    assert figures["by_city"] is None  # a city's campaign: no count by city


def _province(db: None) -> tuple[Campaign, User, dict[str, Organization]]:
    """A province campaign [004]: cities below the province, awards 青岛 3, 济宁 2, 烟台 2, none in 潍坊."""
    province = OrganizationFactory.create(name="山东省民政厅", code="P-SD", kind=OrgKind.PROVINCE)
    host = OrganizationFactory.create(name="创新案例评审组", code="P-CMT", kind=OrgKind.COMMITTEE, parent=province)
    cities: dict[str, Organization] = {}
    units: dict[str, Organization] = {}
    for code, name in (("JN", "济宁市民政局"), ("QD", "青岛市民政局"), ("YT", "烟台市民政局"), ("WF", "潍坊市民政局")):
        city = cities[code] = OrganizationFactory.create(
            name=name, code=f"P-{code}", kind=OrgKind.CITY, parent=province
        )
        county = OrganizationFactory.create(name=f"{name}某县", code=f"P-{code}-X", kind=OrgKind.DISTRICT, parent=city)
        units[code] = OrganizationFactory.create(name=f"{name}案例单位", code=f"P-{code}-U", kind=OrgKind.UNIT,
                                                 parent=county)  # fmt: skip
    county = OrganizationFactory.create(name="省直", code="P-ZS", kind=OrgKind.DISTRICT, parent=province)
    units["ZS"] = OrganizationFactory.create(name="省直单位", code="P-ZS-U", kind=OrgKind.UNIT, parent=county)
    levels = [{"key": "first", "name": "一等奖", "count": 26}, {"key": "second", "name": "二等奖", "count": 8}]
    campaign = make_campaign(host, status=Campaign.Status.REVIEWING, tiers={"case": levels})
    committee = user_with_role(Role.COMMITTEE, host)
    rank = 0
    for code, entered, won in (("JN", 4, 2), ("QD", 5, 3), ("YT", 2, 2), ("WF", 3, 0), ("ZS", 1, 1)):
        for i in range(entered):
            n = _nomination(campaign, units[code], units[code].parent, "case", S.FINAL, committee)
            if i < won:
                rank += 1
                _award(n, "first" if i == 0 else "second", Award.Status.CONFIRMED, rank)
    return campaign, committee, cities


def test_a_province_campaign_counts_by_city_with_tied_ranks(db):
    campaign, _committee, cities = _province(db)

    figures = statistics.campaign_statistics(campaign)

    rows = {r["id"]: r for r in figures["by_city"]}
    awards = _standing(campaign)
    for code, city in cities.items():
        assert rows[city.pk]["name"] == city.name, code
        assert rows[city.pk]["nominations"] == _submitted(campaign).filter(unit__path__startswith=city.path).count()
        assert rows[city.pk]["awards"] == awards.filter(nomination__unit__path__startswith=city.path).count()
    ranks = {city.name: (rows[city.pk]["rank"], rows[city.pk]["rank_text"]) for city in cities.values()}
    assert ranks == {
        "青岛市民政局": (1, "第1"), "济宁市民政局": (2, "并列第2"), "烟台市民政局": (2, "并列第2"),
        "潍坊市民政局": (None, "—"),
    }  # fmt: skip
    outside = rows[None]  # the province's own units belong to no city
    assert (outside["nominations"], outside["awards"], outside["rank"]) == (1, 1, None)
    assert [r["name"] for r in figures["by_city"]][0] == "青岛市民政局"


def test_only_the_hosts_committee_reads_the_statistics(tree, client_for):
    campaign, committee, _orgs = _scene(tree)
    admin = user_with_role(Role.CAMPAIGN_ADMIN, tree.committee)
    submitter = user_with_role(Role.SUBMITTER, tree.unit)
    reviewer = user_with_role(Role.CITY_REVIEWER, tree.city)
    other_host = OrganizationFactory.create(name="另一组委会", code="T-CMT2", kind=OrgKind.COMMITTEE, parent=tree.city)
    stranger = user_with_role(Role.COMMITTEE, other_host)
    api = f"/api/v1/campaigns/{campaign.pk}/statistics"
    pages = [f"/campaigns/{campaign.pk}/statistics", f"/campaigns/{campaign.pk}/statistics.xlsx"]

    assert client_for(committee).get(api).status_code == 200
    refused = client_for(admin).get(api)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    for user in (submitter, reviewer, stranger):
        assert client_for(user).get(api).status_code in (403, 404), user
    assert Client().get(api).status_code == 401
    for path in pages:
        assert Client().get(path).status_code == 302  # to the sign-in page
        for user in (admin, submitter, reviewer, stranger):
            browser = Client()
            browser.force_login(user)
            assert browser.get(path).status_code == 404, (path, user)
        browser = Client()
        browser.force_login(committee)
        assert browser.get(path).status_code == 200


def test_the_api_the_page_and_the_excel_file_carry_the_same_figures(tree, client_for):
    campaign, committee, _orgs = _scene(tree)
    figures = statistics.campaign_statistics(campaign)

    data = client_for(committee).get(f"/api/v1/campaigns/{campaign.pk}/statistics").json()
    assert data == figures

    browser = Client()
    browser.force_login(committee)
    page = browser.get(f"/campaigns/{campaign.pk}/statistics").content.decode()
    assert page.count("<svg") == 6
    assert page.count('role="img"') == 6
    assert page.count("<title id=") == 6
    assert "浦东新区民政局：9项" in page  # the chart's description reads every value
    assert "浦东新区民政局：4个（名额 6）" in page
    assert "http://" not in page.split("<main", 1)[1].replace("http://www.w3.org/2000/svg", "")
    dashboard = browser.get(f"/campaigns/{campaign.pk}/dashboard").content.decode()
    assert f"/campaigns/{campaign.pk}/statistics" in dashboard
    assert f"/api/v1/campaigns/{campaign.pk}/certificates.zip" in dashboard

    response = browser.get(f"/campaigns/{campaign.pk}/statistics.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按区县统计", "按乡镇（街道）统计", "按类别统计", "按状态统计", "按奖项等次统计",
                                   "各区县获奖与名额"]  # fmt: skip
    sheet = {name: list(workbook[name].iter_rows(min_row=3, values_only=True)) for name in workbook.sheetnames}
    assert workbook["按区县统计"]["A1"].value == campaign.title
    assert sheet["按区县统计"] == [(r["name"], r["nominations"], r["awards"]) for r in figures["by_district"]]
    assert ("花木街道", 4) in sheet["按乡镇（街道）统计"]
    assert sheet["按类别统计"] == [("案例", 5, 0), ("集体", 6, 4), ("个人", 3, 1)]
    assert ("集体", "一等奖", 2, 2, 4000) in sheet["按奖项等次统计"]
    pudong = next(r for r in sheet["各区县获奖与名额"] if r[0] == tree.district.name)
    assert pudong == (tree.district.name, 4, 6, 7, 2, 1, 1)


def test_hostile_org_names_stay_data_in_the_page_and_the_excel_file(tree):
    campaign, committee, orgs = _scene(tree)
    Organization.objects.filter(pk=orgs["huamu"].pk).update(name='=HYPERLINK("http://evil.example/","x")')
    Organization.objects.filter(Q(pk=tree.township.pk)).update(name="<script>alert(1)</script>")
    browser = Client()
    browser.force_login(committee)

    page = browser.get(f"/campaigns/{campaign.pk}/statistics").content.decode()
    workbook = load_workbook(io.BytesIO(browser.get(f"/campaigns/{campaign.pk}/statistics.xlsx").content))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    cells = [c for row in workbook["按乡镇（街道）统计"].iter_rows() for c in row]
    formula = next(c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert formula.data_type == "s"


def test_a_province_campaigns_page_and_excel_file_show_the_count_by_city(db):
    campaign, committee, _cities = _province(db)
    browser = Client()
    browser.force_login(committee)

    page = browser.get(f"/campaigns/{campaign.pk}/statistics").content.decode()
    workbook = load_workbook(io.BytesIO(browser.get(f"/campaigns/{campaign.pk}/statistics.xlsx").content))

    assert page.count('role="img"') == 7
    assert "各市获奖数" in page
    assert "青岛市民政局：3个" in page
    assert "并列第2" in page
    rows = list(workbook["按市统计"].iter_rows(min_row=3, values_only=True))
    assert rows[:3] == [
        ("青岛市民政局", 5, 3, "第1"),
        ("济宁市民政局", 4, 2, "并列第2"),
        ("烟台市民政局", 2, 2, "并列第2"),
    ]
