"""The setup pages for judging rounds, award tiers and floors, supplements and entrant lists
(portal/setup_judging.py): a valid save changes the definition through the audited action, a
refused one names the input in Chinese and saves nothing, and a campaign out of draft is read-only."""

from __future__ import annotations

import html
import re

import pytest

from audit.models import AuditEvent
from tests.portal.test_campaign_setup import _client, _create_from_seed, _editor_post
from workflows.models import Campaign, EntrantList

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree):
    from tests.campaigns import campaign_admin

    return campaign_admin(tree.committee)


def _updates(campaign: Campaign) -> list[list[str]]:
    events = AuditEvent.objects.filter(action="campaign.updated", object_id=str(campaign.pk)).order_by("id")
    return [e.data["changed"] for e in events]


def test_the_round_editor_shows_a_seed_round_and_saves_a_changed_rubric(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    page = client.get(f"/campaign-setup/{campaign.pk}/rounds").content.decode()
    assert "服务过程 20 process" in page
    assert "权重合计 100%" in page

    data = _editor_post(campaign, "rounds", "r", **{
        "r-0-name": "现场路演（决赛）",
        "r-0-criteria": "服务过程 40 process\n服务效果 60\n",
        "r-0-step": "0.5",
        "r-0-trim": "on",
        "r-0-tiebreak": "服务效果",
    })  # fmt: skip
    saved = client.post(f"/campaign-setup/{campaign.pk}/rounds", {**data, "op": "save"})

    assert saved.status_code == 302, saved.content.decode()
    campaign.refresh_from_db()
    only, *others = campaign.rounds
    # [000]'s 网络点赞 round is kept as it was, its own prize list (tiers) included
    assert [(r["method"], bool(r.get("tiers"))) for r in others] == [("vote", True)]
    assert only["name"] == "现场路演（决赛）"
    assert only["criteria"] == [{"key": "process", "name": "服务过程", "max": 40},
                                {"key": "c1", "name": "服务效果", "max": 60}]  # fmt: skip
    assert (only["step"], only["trim"], only["tiebreak"]) == (0.5, True, "c1")
    assert (only["order"], only["publish_every"]) == ("lottery", 5)  # kept as they were
    assert _updates(campaign) == [["rounds"]]
    overview = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert "服务过程 40、服务效果 60（满分 100，步长 0.5）" in overview


def test_a_refused_round_is_shown_in_chinese_next_to_its_input_and_nothing_is_saved(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    before = campaign.rounds
    data = _editor_post(campaign, "rounds", "r", **{"r-0-weight": "60", "r-0-step": "3"})

    refused = client.post(f"/campaign-setup/{campaign.pk}/rounds", {**data, "op": "save"})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "第 1 行：满分必须是分值步长的整数倍" in page
    assert "类别“案例”各轮权重之和必须为100（现为60）" in page  # the kind by its name, not “case”
    assert 'value="60"' in page  # what was typed is kept
    campaign.refresh_from_db()
    assert campaign.rounds == before
    assert _updates(campaign) == []


def test_an_unreadable_criterion_line_is_named_and_a_round_can_be_added(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    added = client.post(
        f"/campaign-setup/{campaign.pk}/rounds", {**_editor_post(campaign, "rounds", "r"), "op": "r:add"}
    )
    assert added.status_code == 200
    assert 'id="r-row-1"' in added.content.decode()

    data = _editor_post(campaign, "rounds", "r", **{"r-0-criteria": "服务过程\n服务效果 三十"})
    refused = client.post(f"/campaign-setup/{campaign.pk}/rounds", {**data, "op": "save"})

    page = refused.content.decode()
    assert "第 1 行：请写成“名称 满分 标识”" in page
    assert "第 2 行：满分“三十”不是数字" in page
    assert _updates(campaign) == []


def test_the_tier_editor_saves_levels_and_a_floor_and_names_a_bad_count(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="002")
    page = client.get(f"/campaign-setup/{campaign.pk}/tiers").content.decode()
    assert "个人：一等奖 5 名、二等奖 15 名、三等奖 35 名，共 55 名" in page
    assert "“集体”的获奖者中，至少 80% 的“参赛组别”为“受理中心组”" in page

    data = _editor_post(campaign, "tiers", "t", **{"t-0-count": "3", "t-0-prize": "5000"})
    data |= {k: v for k, v in _editor_post(campaign, "tiers", "g").items() if k.startswith("g-")}
    data["g-1-min_share"] = "75"
    saved = client.post(f"/campaign-setup/{campaign.pk}/tiers", {**data, "op": "save"})

    assert saved.status_code == 302, saved.content.decode()
    campaign.refresh_from_db()
    assert campaign.tiers["collective"][0] == {"key": "first", "name": "一等奖", "count": 3, "prize": 5000}
    assert campaign.tier_floors[1]["min_share"] == 0.75
    assert _updates(campaign) == [["tier_floors", "tiers"]]

    bad = {**data, "t-4-count": "0", "g-0-min_share": "120"}
    refused = client.post(f"/campaign-setup/{campaign.pk}/tiers", {**bad, "op": "save"})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert 'id="t-4-count-err">名额必须是正整数' in page
    assert 'id="g-0-min_share-err">请填写大于 0、不超过 100 的百分比' in page
    campaign.refresh_from_db()
    assert campaign.tiers["individual"][1]["count"] == 15
    assert len(_updates(campaign)) == 1


def test_the_supplement_editor_saves_and_refuses_a_bad_key(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="003")
    assert client.get(f"/campaign-setup/{campaign.pk}/supplements").status_code == 200

    data = _editor_post(campaign, "supplements", "m", **{"m-0-max_length": "3000", "m-0-deadline": "2027-12-30"})
    saved = client.post(f"/campaign-setup/{campaign.pk}/supplements", {**data, "op": "save"})
    assert saved.status_code == 302, saved.content.decode()
    campaign.refresh_from_db()
    assert campaign.supplements[0] | {} == {"key": "summary", "label": "项目（案例）总结材料", "type": "long_text",
                                          "max_length": 3000, "deadline": "2027-12-30"}  # fmt: skip
    assert _updates(campaign) == [["supplements"]]
    overview = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert "“项目（案例）总结材料”：长文本，不超过 3000 字，2027年12月30日前补交" in overview

    refused = client.post(f"/campaign-setup/{campaign.pk}/supplements", {**data, "m-0-key": "Summary", "op": "save"})
    assert refused.status_code == 200
    assert 'id="m-0-key-err">标识须以小写字母开头' in refused.content.decode()
    campaign.refresh_from_db()
    assert campaign.supplements[0]["key"] == "summary"


def test_the_entrant_list_form_matches_unit_names_and_saves_through_the_audited_action(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="003")
    url = f"/campaign-setup/{campaign.pk}/entrants/case"

    unknown = client.post(url, {"places": "1", "field": "", "value": "", "units": "陆家嘴中心\n不存在的中心"})
    assert unknown.status_code == 200
    assert "第 2 行：没有名为“不存在的中心”的申报单位" in unknown.content.decode()
    assert not EntrantList.objects.filter(campaign=campaign).exists()

    too_many = client.post(url, {"places": "3", "field": "", "value": "", "units": "1. 陆家嘴中心\n2. 南京东路中心"})
    assert "参赛名额须在 1 和名单单位数（2）之间" in too_many.content.decode()

    saved = client.post(url, {"places": "1", "field": "", "value": "", "units": "1. 陆家嘴中心\n2. T-NJDC"})
    assert saved.status_code == 302
    entrant_list = EntrantList.objects.get(campaign=campaign, kind="case")
    assert entrant_list.places == 1
    assert [e.unit for e in entrant_list.entries.order_by("rank")] == [tree.unit, tree.other_unit]
    assert AuditEvent.objects.filter(action="entrant_list.set").count() == 1
    page = client.get(url).content.decode()
    assert "陆家嘴中心\n南京东路中心</textarea>" in page
    assert "前 1 个持有参赛名额，其余 1 个为候补" in page
    assert (
        "“案例”：名单 2 个单位，前 1 个持有名额，其余候补"
        in client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    )


def test_the_new_editors_are_read_only_once_intake_opens(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="003")
    assert client.post(f"/campaign-setup/{campaign.pk}/status", {"transition": "open"}).status_code == 302

    overview = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert "已按通知公布评审办法和奖项名额" in overview
    for part in ("rounds", "tiers", "supplements", "entrants/case"):
        assert f"/campaign-setup/{campaign.pk}/{part}" not in overview
        response = client.post(f"/campaign-setup/{campaign.pk}/{part}", {"op": "save", "units": "陆家嘴中心"})
        assert response.status_code == 302
        assert response["Location"] == f"/campaign-setup/{campaign.pk}/"
    assert _updates(campaign) == []
    assert not EntrantList.objects.filter(campaign=campaign).exists()


def test_dropping_a_kind_in_the_basics_drops_its_rounds_tiers_and_floors(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="002")
    page = client.get(f"/campaign-setup/{campaign.pk}/basics").content.decode()
    inputs = re.findall(r'name="(\w+)" type="[^"]+"[^>]*? value="([^"]*)"', page)
    data = {name: html.unescape(value) for name, value in inputs}

    response = client.post(f"/campaign-setup/{campaign.pk}/basics", {**data, "kinds": ["collective"]})

    assert response.status_code == 302, response.content.decode()
    campaign.refresh_from_db()
    assert [r["key"] for r in campaign.rounds] == ["service_data", "collective_presentation"]
    assert list(campaign.tiers) == ["collective"]
    assert [f["kind"] for f in campaign.tier_floors] == ["collective"]
    assert {"rounds", "tiers", "tier_floors"} <= set(_updates(campaign)[0])
