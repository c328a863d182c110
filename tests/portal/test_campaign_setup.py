"""The campaign administrator's setup pages (portal/campaign_setup.py): every save through the
audited actions, errors next to the input with what was typed kept, read-only once open."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from tests.campaigns import campaign_admin
from tests.factories import user_with_role
from workflows import actions
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree):
    return campaign_admin(tree.committee)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _deadline() -> str:
    return (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT17:00")


def _create_from_seed(client: Client, tree, seed: str = "003") -> Campaign:
    response = client.post(
        "/campaign-setup/new",
        {"source": "seed", "seed": seed, "title": "2027年党员义工案例", "host": tree.committee.pk,
         "submission_deadline": _deadline()},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(title="2027年党员义工案例")
    assert response["Location"] == f"/campaign-setup/{campaign.pk}/"
    return campaign


def _editor_post(campaign: Campaign, part: str, prefix: str, **overrides: str) -> dict[str, str]:
    """An editor's inputs as its page renders them for ``campaign`` (what a browser would post), with ``overrides``."""
    page = _client(campaign.created_by).get(f"/campaign-setup/{campaign.pk}/{part}").content.decode()
    data: dict[str, str] = {}
    rx = rf'<input id="({prefix}-[^"]+)" name="[^"]+" type="[^"]*"[^>]*value="([^"]*)"'
    for name, value in re.findall(rx, page):
        data[name] = html.unescape(value)
    for name, value in re.findall(rf'<input type="hidden" name="({prefix}-[^"]+)" value="([^"]*)"', page):
        data[name] = html.unescape(value)
    for select, body in re.findall(rf'<select id="({prefix}-[^"]+)"[^>]*>(.*?)</select>', page):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[select] = chosen.group(1) if chosen else ""
    for name, body in re.findall(rf'<textarea id="({prefix}-[^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(body)
    for name in re.findall(rf'<input type="checkbox" id="({prefix}-[^"]+)" name="[^"]+" checked', page):
        data[name] = "on"
    data.update(overrides)
    return data


def _stage_post(campaign: Campaign, **overrides: str) -> dict[str, str]:
    return _editor_post(campaign, "stages", "s", **overrides)


def test_a_campaign_admin_creates_a_draft_from_a_seed_notice(tree, admin):
    campaign = _create_from_seed(_client(admin), tree)

    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.host_org == tree.committee
    # [003]'s chain, kinds, form and rules, with the admin's organisation as host.
    assert list(campaign.stages.values_list("key", flat=True)) == ["unit_opinion", "party_opinion", "committee_review"]
    party = campaign.stages.get(key="party_opinion")
    assert (party.seal_org, party.same_signer_as_previous) == ("unit", True)
    assert campaign.kinds == ["case"]
    assert campaign.per_unit_max == 3
    assert campaign.forms["case"]["fields"]
    assert AuditEvent.objects.filter(action="campaign.created", object_id=str(campaign.pk), actor=admin).exists()


def test_a_draft_from_scratch_has_one_stage_and_a_starter_form_per_kind(tree, admin):
    response = _client(admin).post(
        "/campaign-setup/new",
        {"source": "blank", "title": "空白活动", "host": tree.committee.pk, "kinds": ["collective", "individual"],
         "submission_deadline": _deadline()},
    )  # fmt: skip

    assert response.status_code == 302
    campaign = Campaign.objects.get(title="空白活动")
    assert campaign.kinds == ["collective", "individual"]
    assert set(campaign.forms) == {"collective", "individual"}
    assert campaign.stages.count() == 1


def test_creating_without_a_deadline_keeps_what_was_typed_and_saves_nothing(tree, admin):
    response = _client(admin).post(
        "/campaign-setup/new", {"source": "seed", "seed": "000", "title": "留下的名称", "host": tree.committee.pk}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="留下的名称"' in page
    assert "请填写申报截止时间" in page
    assert not Campaign.objects.exists()


def test_the_stage_editor_moves_a_stage_and_saves_through_the_audited_action(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree)

    # 下移 the first stage: shown in the new order, not yet saved.
    moved = client.post(f"/campaign-setup/{campaign.pk}/stages", {**_stage_post(campaign), "op": "down-0"})
    assert moved.status_code == 200
    page = moved.content.decode()
    assert page.index('value="party_opinion"') < page.index('value="unit_opinion"')
    assert campaign.stages.get(key="unit_opinion").position == 0

    # Rename the last stage and give it 7 days, then save.
    data = _stage_post(campaign, **{"s-2-name": "评审委员会评审", "s-2-limit": "days", "s-2-time_limit_days": "7"})
    saved = client.post(f"/campaign-setup/{campaign.pk}/stages", {**data, "op": "save"})

    assert saved.status_code == 302
    last = campaign.stages.get(key="committee_review")
    assert (last.name, last.time_limit_days, last.position) == ("评审委员会评审", 7, 2)
    # What the editor does not show (一肩挑, the unit's seal at the party stage) is kept.
    assert campaign.stages.get(key="party_opinion").seal_org == "unit"
    event = AuditEvent.objects.filter(action="campaign.updated", object_id=str(campaign.pk)).get()
    assert event.data["changed"] == ["stages"]


def test_a_refused_stage_is_shown_next_to_its_input_with_what_was_typed(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree)
    # The first stage may not be signed "by the previous stage's signer"; the third key repeats the first.
    data = _stage_post(campaign, **{"s-0-same_signer_as_previous": "on", "s-2-key": "unit_opinion"})

    response = client.post(f"/campaign-setup/{campaign.pk}/stages", {**data, "op": "save"})

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="s-2-key-err">[^<]*环节标识“unit_opinion”重复', page)
    assert re.search(r'id="s-0-same_signer_as_previous-err">[^<]*第一个环节没有上一环节', page)
    assert list(campaign.stages.values_list("key", flat=True)) == ["unit_opinion", "party_opinion", "committee_review"]
    assert not AuditEvent.objects.filter(action="campaign.updated").exists()


def test_the_stage_editor_saves_a_cosign_stage_and_shows_its_holders_back(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree)
    data = _stage_post(
        campaign, **{"s-2-mode": "all", "s-2-holders": "组委会成员 @ 主办方 / 评审组\n市民政局审核人 @ 所在市"}
    )

    saved = client.post(f"/campaign-setup/{campaign.pk}/stages", {**data, "op": "save"})

    assert saved.status_code == 302, saved.content.decode()
    stage = campaign.stages.get(key="committee_review")
    assert stage.mode == "all"
    assert stage.holders == [
        {"role": "committee", "signer_org": "host", "department": ""},
        {"role": "committee", "signer_org": "host", "department": "评审组"},
        {"role": "city_reviewer", "signer_org": "city", "department": ""},
    ]
    assert campaign.stages.get(key="unit_opinion").holders == []
    assert AuditEvent.objects.filter(action="campaign.updated", object_id=str(campaign.pk)).exists()
    page = client.get(f"/campaign-setup/{campaign.pk}/stages").content.decode()
    assert '<option value="all" selected>会签（全部同意）</option>' in page
    assert re.search(
        r'<textarea id="s-2-holders"[^>]*>组委会成员 @ 主办方（组委会） / 评审组\n市民政局审核人 @ 所在市<', page
    )
    overview = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert (
        "会签（全部同意）：组委会成员 @ 主办方（组委会）；"
        "组委会成员 @ 主办方（组委会） / 评审组；市民政局审核人 @ 所在市" in overview
    )
    # Saved again unchanged (as a browser posts it back), the stage keeps its holders.
    again = client.post(f"/campaign-setup/{campaign.pk}/stages", {**_stage_post(campaign), "op": "save"})
    assert again.status_code == 302
    assert campaign.stages.get(key="committee_review").holders == stage.holders


def test_a_refused_cosign_stage_shows_why_next_to_the_mode_and_the_holders(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree)
    # The party stage seals with the unit's seal and may be signed by the unit's leader: not with 或签;
    # the last stage names one holder twice and one unreadable line.
    data = _stage_post(
        campaign,
        **{"s-1-mode": "any", "s-1-holders": "单位负责人 @ 申报单位",
           "s-2-mode": "all", "s-2-holders": "市民政局审核人\n市民政局审核人"},
    )  # fmt: skip

    response = client.post(f"/campaign-setup/{campaign.pk}/stages", {**data, "op": "save"})

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="s-1-seal_org-err">[^<]*不能指定盖章组织', page)
    assert re.search(r'id="s-1-same_signer_as_previous-err">[^<]*不能设置一肩挑', page)
    assert re.search(r'id="s-2-holders-err">[^<]*第 2 行：签署方重复', page)
    assert re.search(r'<textarea id="s-2-holders"[^>]*>市民政局审核人\n市民政局审核人<', page)
    assert all(s.holders == [] and s.mode == "" for s in campaign.stages.all())
    assert not AuditEvent.objects.filter(action="campaign.updated").exists()

    unreadable = _stage_post(campaign, **{"s-2-mode": "", "s-2-holders": "市民政局审核人\n主任 @ 村"})
    response = client.post(f"/campaign-setup/{campaign.pk}/stages", {**unreadable, "op": "save"})
    page = response.content.decode()
    assert re.search(r'id="s-2-holders-err">第 2 行：未知的签署角色“主任”', page)
    assert re.search(r'id="s-2-mode-err">填写了其他签署方时，请选择会签或或签', page)


def test_the_form_editor_previews_without_saving_and_saves_a_changed_field(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    fields = campaign.forms["case"]["fields"]
    page = client.get(f"/campaign-setup/{campaign.pk}/forms/case").content.decode()
    assert page.count('class="editor-row panel"') == len(fields)
    data = _editor_post(campaign, "forms/case", "f", **{"f-0-label": "微服务案例名称", "f-0-max_length": "40"})

    preview = client.post(f"/campaign-setup/{campaign.pk}/forms/case", {**data, "op": "preview"})
    assert preview.status_code == 200
    assert re.search(r'<label for="f-[a-z_]+">微服务案例名称', preview.content.decode())  # the submitter's form
    campaign.refresh_from_db()
    assert campaign.forms["case"]["fields"][0]["label"] == fields[0]["label"]

    saved = client.post(f"/campaign-setup/{campaign.pk}/forms/case", {**data, "op": "save"})
    assert saved.status_code == 302
    campaign.refresh_from_db()
    assert campaign.forms["case"]["fields"][0]["label"] == "微服务案例名称"
    assert campaign.forms["case"]["fields"][0]["max_length"] == 40
    # The rest of the form is as it was (sub-fields and attachment types travel with their row).
    assert campaign.forms["case"]["fields"][1:] == fields[1:]


def test_a_bad_field_key_is_refused_next_to_it(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="001")
    data = {"f-count": "1", "f-0-key": "案例", "f-0-label": "案例", "f-0-type": "text", "op": "save"}

    response = client.post(f"/campaign-setup/{campaign.pk}/forms/case", data)

    assert response.status_code == 200
    assert re.search(r'id="f-0-key-err">[^<]*字段标识“案例”须由小写字母开头', response.content.decode())
    campaign.refresh_from_db()
    assert len(campaign.forms["case"]["fields"]) > 1


def test_opening_makes_the_setup_read_only_and_says_why(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree)

    opened = client.post(f"/campaign-setup/{campaign.pk}/status", {"transition": "open"})
    assert opened.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN

    page = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert "活动已开始征集：以下设置不能再修改" in page
    assert "已签署的意见和印章对不上环节" in page
    assert f"/campaign-setup/{campaign.pk}/stages" not in page
    refused = client.post(f"/campaign-setup/{campaign.pk}/stages", {**_stage_post(campaign), "op": "save"})
    assert refused.status_code == 302
    assert refused["Location"] == f"/campaign-setup/{campaign.pk}/"


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.SUBMITTER])
def test_only_the_hosts_campaign_admin_reaches_the_setup_pages(tree, admin, role):
    campaign = _create_from_seed(_client(admin), tree)
    other = user_with_role(role, tree.committee if role == Role.COMMITTEE else tree.unit, username="other")

    assert _client(other).get(f"/campaign-setup/{campaign.pk}/").status_code == 404
    assert _client(other).post(f"/campaign-setup/{campaign.pk}/status", {"transition": "open"}).status_code == 404
    assert _client(other).get("/campaign-setup/new").status_code == 404


def test_update_campaign_reorders_stages_in_one_audited_step(tree, admin):
    campaign = _create_from_seed(_client(admin), tree)
    stages = actions.current_spec(campaign)["stages"]
    stages[1]["same_signer_as_previous"] = False

    actions.update_campaign(campaign.pk, actor=admin, changes={"stages": [stages[0], stages[2], stages[1]]})

    assert list(campaign.stages.values_list("key", flat=True)) == ["unit_opinion", "committee_review", "party_opinion"]
    event = AuditEvent.objects.get(action="campaign.updated", object_id=str(campaign.pk))
    assert [s["key"] for s in event.data["new"]["stages"]] == ["unit_opinion", "committee_review", "party_opinion"]


def test_rules_and_quotas_are_saved_together_and_bad_rules_stay_as_typed(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    data = _editor_post(campaign, "rules", "q")
    data |= {
        "rules-case": '[{"type": "max_count", "field": "members", "max": 4}',  # the closing bracket missing
        "q-count": "1", "q-0-org": str(tree.district.pk), "q-0-kind": "case", "q-0-max": "6",
        "q-0-field": "", "q-0-value": "", "op": "save",
    }  # fmt: skip

    refused = client.post(f"/campaign-setup/{campaign.pk}/rules", data)

    page = refused.content.decode()
    assert refused.status_code == 200
    assert re.search(r'id="rules-case-err">申报条件的格式有误', page)
    assert "&quot;max&quot;: 4}</textarea>" in page  # as typed, escaped
    assert not campaign.quotas.exists()

    data["rules-case"] = '[{"type": "max_count", "field": "members", "max": 4}]'
    saved = client.post(f"/campaign-setup/{campaign.pk}/rules", data)

    assert saved.status_code == 302
    campaign.refresh_from_db()
    assert campaign.eligibility == {"case": [{"type": "max_count", "field": "members", "max": 4}]}
    assert list(campaign.quotas.values_list("org", "kind", "max")) == [(tree.district.pk, "case", 6)]
    page = client.get(f"/campaign-setup/{campaign.pk}/").content.decode()
    assert "浦东新区民政局" in page


def test_basics_change_only_what_differs_and_adding_a_kind_gives_it_a_form(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    page = client.get(f"/campaign-setup/{campaign.pk}/basics").content.decode()
    deadline = re.search(r'name="submission_deadline" type="datetime-local" value="([^"]+)"', page)
    opens = re.search(r'name="opens_at" type="datetime-local" value="([^"]+)"', page)
    assert deadline
    assert opens

    response = client.post(
        f"/campaign-setup/{campaign.pk}/basics",
        {"title": campaign.title, "description": "", "kinds": ["case", "individual"], "opens_at": opens.group(1),
         "submission_deadline": deadline.group(1), "per_unit_max": "2", "total_max": "", "min_per_township": "1",
         "publicity_days": "5", "publicity_counts_publication_day": "on"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()
    campaign.refresh_from_db()
    assert campaign.kinds == ["case", "individual"]
    assert campaign.forms["individual"]["fields"][0]["key"] == "summary"
    assert (campaign.per_unit_max, campaign.publicity_days) == (2, 5)
    event = AuditEvent.objects.get(action="campaign.updated", object_id=str(campaign.pk))
    assert event.data["changed"] == ["eligibility", "forms", "kinds", "per_unit_max", "publicity_days", "quotas"]


def test_the_rule_editor_saves_rule_by_rule_and_shows_a_bad_figure_next_to_it(tree, admin):
    client = _client(admin)
    campaign = _create_from_seed(client, tree, seed="000")
    rules = campaign.eligibility["case"]
    page = client.get(f"/campaign-setup/{campaign.pk}/rules/case").content.decode()
    assert page.count('class="editor-row panel"') == len(rules)

    refused = client.post(
        f"/campaign-setup/{campaign.pk}/rules/case",
        {**_editor_post(campaign, "rules/case", "r", **{"r-0-value": "三"}), "op": "save"},
    )

    assert refused.status_code == 200
    assert re.search(r'id="r-0-value-err">', refused.content.decode())
    assert 'value="三"' in refused.content.decode()

    saved = client.post(
        f"/campaign-setup/{campaign.pk}/rules/case",
        {**_editor_post(campaign, "rules/case", "r", **{"r-0-value": "2"}), "op": "save"},
    )

    assert saved.status_code == 302
    campaign.refresh_from_db()
    assert campaign.eligibility["case"] == [{**rules[0], "years": 2}, *rules[1:]]
