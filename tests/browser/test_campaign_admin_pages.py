"""Issue 17's campaign pages in a real browser at 1366 px and on a 390 px phone: Dehua's campaign
administrator creates a campaign from the [000] notice, adds a stage and moves it up, renames a
form field and previews the form as a submitter will see it, adds a judging round after a refused
weight, changes the award tiers after a refused count, opens the campaign and reads why its
definition is now fixed. Screenshots go to ``SEALFLOW_SCREENSHOTS``.

Each run adds one open campaign of its own title under the Dehua host; no other browser test
reads the Dehua host's list of campaigns.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
ENGLISH = re.compile(r"\b(?:None|True|False|error|Error|draft|open|closed|committee|district_reviewer)\b")


def _no_english(s: Any) -> None:
    text = s.page.locator("main").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)


def _fits(s: Any) -> None:
    """Nothing wider than the window (no sideways scrolling on a phone)."""
    assert s.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_campaign_admin_sets_up_a_campaign_from_a_seed_and_opens_it(sessions: Any, size: str) -> None:
    s = sessions("dehua_admin", **(DESKTOP if size == "desktop" else PHONE))
    page = s.page
    title = f"2027年德化微服务案例评选（{'电脑' if size == 'desktop' else '手机'}）"

    # From the menu to a draft made from the [000] notice.
    page.get_by_role("navigation").get_by_role("link", name="活动设置").click()
    page.get_by_role("link", name="新建评选活动").click()
    page.get_by_label("参照的通知").select_option("000")
    page.fill("#title", title)
    page.fill("#submission_deadline", "2027-06-30T17:00")
    s.shot(f"17-setup-new-{size}", full_page=True)
    page.get_by_role("button", name="创建草稿").click()
    page.wait_for_url(re.compile(r".*/campaign-setup/\d+/$"))
    overview = page.url
    assert "已创建草稿" in page.locator(".messages").inner_text()
    assert page.locator("#campaign-status").inner_text() == "草稿"
    assert "主办单位资格审核" in page.locator("#stages-table").inner_text()
    _no_english(s)
    _fits(s)

    # The stage editor: add a county check, move it before the host's audit, save.
    page.get_by_role("link", name="修改审批环节").click()
    page.get_by_role("button", name="添加环节").click()
    page.fill("#s-1-name", "县民政局复核")
    page.fill("#s-1-key", "county_check")
    page.select_option("#s-1-role", "district_reviewer")
    page.select_option("#s-1-limit", "days")
    page.fill("#s-1-time_limit_days", "10")
    page.get_by_role("button", name="环节 2 上移").click()
    assert "尚未保存" in page.locator(".messages").inner_text()
    assert page.input_value("#s-0-name") == "县民政局复核"
    _fits(s)
    s.shot(f"17-setup-stages-{size}", full_page=True)
    page.get_by_role("button", name="保存审批环节").click()
    page.wait_for_url(overview)
    assert "审批环节已保存" in page.locator(".messages").inner_text()
    rows = page.locator("#stages-table tbody tr")
    assert "县民政局复核" in rows.nth(0).inner_text()
    assert "10 天" in rows.nth(0).inner_text()
    assert "主办单位资格审核" in rows.nth(1).inner_text()

    # A refused stage: the message next to the input, what was typed kept.
    page.get_by_role("link", name="修改审批环节").click()
    page.fill("#s-1-key", "county_check")
    page.get_by_role("button", name="保存审批环节").click()
    assert "环节标识“county_check”重复" in page.locator("#s-1-key-err").inner_text()
    assert page.input_value("#s-1-key") == "county_check"
    # 会签: a mode without other holders is refused under the holders; with one line it is saved.
    page.fill("#s-1-key", "host_audit")
    page.select_option("#s-0-mode", "all")
    page.get_by_role("button", name="保存审批环节").click()
    assert "会签或或签须在此填写至少一个其他签署方" in page.locator("#s-0-holders-err").inner_text()
    page.fill("#s-0-holders", "区（县）民政局审核人 @ 所在区（县） / 社工部")
    page.get_by_role("button", name="保存审批环节").click()
    page.wait_for_url(overview)
    first = page.locator("#stages-table tbody tr").nth(0).inner_text()
    assert "会签（全部同意）" in first
    assert "社工部" in first

    # The form editor: rename the first field, preview as the submitter will see it, save.
    page.get_by_role("link", name="修改“案例”申报表并预览").click()
    page.fill("#f-0-label", "微服务案例名称")
    page.fill("#f-0-max_length", "40")
    page.get_by_role("button", name="预览").click()
    preview = page.locator("#preview")
    assert "预览（尚未保存）" in preview.inner_text()
    assert preview.get_by_label("微服务案例名称").is_disabled()
    _fits(s)
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(_shots() / f"17-setup-form-preview-{size}.png"))
    page.get_by_role("button", name="保存申报表").click()
    page.wait_for_url(overview)
    assert "微服务案例名称" in page.locator("#forms-h + .table-wrap").inner_text()
    assert "最多 40 字" in page.locator("#forms-h + .table-wrap").inner_text()
    s.shot(f"17-setup-draft-{size}", full_page=True)

    # The round editor: a weight that does not add up is refused in words; a second round fixes it.
    page.get_by_role("link", name="修改评审轮次").click()
    assert page.input_value("#r-0-criteria").startswith("服务过程 20 process")
    page.fill("#r-0-weight", "60")
    page.get_by_role("button", name="保存评审轮次").click()
    assert "类别“案例”各轮权重之和必须为100（现为60）" in page.locator(".alert").inner_text()
    assert page.input_value("#r-0-weight") == "60"
    s.shot(f"17-setup-rounds-refused-{size}")
    page.get_by_role("button", name="添加轮次").click()  # [000] has two: the roadshow and 网络点赞 (weight 0)
    page.fill("#r-2-name", "群众满意度测评")
    page.fill("#r-2-key", "satisfaction")
    page.select_option("#r-2-method", "import")
    page.fill("#r-2-weight", "40")
    page.get_by_role("button", name="添加轮次").click()  # shows the reading of what is typed
    page.get_by_role("button", name="删除轮次 4").click()
    reading = page.locator("#rounds-reading").inner_text()
    assert "权重合计 100%" in reading
    assert "群众满意度测评：导入成绩" in reading.replace("\n", "")
    _no_english(s)
    _fits(s)
    s.shot(f"17-setup-rounds-{size}", full_page=True)
    page.get_by_role("button", name="保存评审轮次").click()
    page.wait_for_url(overview)
    assert "评审轮次已保存" in page.locator(".messages").inner_text()
    assert "群众满意度测评" in page.locator("#rounds-section").inner_text()

    # The tier editor: a count of 0 is refused next to it; 3 with a prize is saved.
    page.get_by_role("link", name="修改奖项等次").click()
    page.fill("#t-0-count", "0")
    page.get_by_role("button", name="保存奖项等次").click()
    assert "名额必须是正整数" in page.locator("#t-0-count-err").inner_text()
    page.fill("#t-0-count", "3")
    page.fill("#t-0-prize", "3000")
    page.get_by_role("button", name="添加等次").click()
    page.fill("#t-4-name", "鼓励奖")
    page.fill("#t-4-key", "encouragement")
    page.fill("#t-4-count", "6")
    assert "一等奖 3 名（奖金 3000 元）" in page.locator("#tiers-reading").inner_text()
    _no_english(s)
    _fits(s)
    s.shot(f"17-setup-tiers-{size}", full_page=True)
    page.get_by_role("button", name="保存奖项等次").click()
    page.wait_for_url(overview)
    tiers = page.locator("#tiers-section").inner_text()
    assert "一等奖 3 名（奖金 3000 元）" in tiers
    assert "鼓励奖 6 名" in tiers

    # The entrant list: an unknown unit is named by its line; the ranked list is saved.
    page.get_by_role("link", name="设置参赛名单").click()
    page.fill("#places", "1")
    page.fill("#units", "德化县致和社工事务所\n德化县不存在的中心")
    page.get_by_role("button", name="保存参赛名单").click()
    assert "第 2 行：没有名为“德化县不存在的中心”的申报单位" in page.locator("#units-err").inner_text()
    assert page.input_value("#places") == "1"
    _no_english(s)
    _fits(s)
    s.shot(f"17-setup-entrants-{size}", full_page=True)
    page.fill("#units", "德化县致和社工事务所\n德化县社会工作专业人才基地")
    page.get_by_role("button", name="保存参赛名单").click()
    page.wait_for_url(overview)
    assert "名单 2 个单位，前 1 个持有名额" in page.locator("#entrants-section").inner_text()

    # Supplements: a summary to hand in after submission, as files.
    page.get_by_role("link", name="修改补充材料").click()
    page.get_by_role("button", name="添加补充材料").click()
    page.fill("#m-0-label", "项目总结材料")
    page.fill("#m-0-key", "summary")
    page.select_option("#m-0-type", "files")
    page.fill("#m-0-deadline", "2027-12-30")
    page.fill("#m-0-max_count", "3")
    page.get_by_role("button", name="添加补充材料").click()  # the reading of what is typed
    page.get_by_role("button", name="删除补充材料 2").click()
    assert "“项目总结材料”：文件（pdf），最多 3 个" in page.locator("#supplements-reading").inner_text()
    _no_english(s)
    _fits(s)
    s.shot(f"17-setup-supplements-{size}", full_page=True)
    page.get_by_role("button", name="保存补充材料").click()
    page.wait_for_url(overview)
    assert "2027年12月30日前补交" in page.locator("#supplements-section").inner_text()

    # Open: the definition is fixed from now on, and the page says why.
    panel = page.locator("#status-panel")
    assert "审批环节、申报表、申报条件、名额和基本信息都不能再修改" in panel.inner_text()
    panel.get_by_role("button", name="开始征集").click()  # the confirmation is accepted
    page.wait_for_url(overview)
    assert "已开始征集" in page.locator(".messages").inner_text()
    assert page.locator("#campaign-status").inner_text() == "征集中"
    locked = page.locator("#locked")
    assert "以下设置不能再修改" in locked.inner_text()
    assert "已签署的意见和印章对不上环节" in locked.inner_text()
    assert page.get_by_role("link", name="修改审批环节").count() == 0
    assert page.get_by_role("link", name="修改评审轮次").count() == 0
    assert "已按通知公布评审办法和奖项名额" in locked.inner_text()
    assert panel.get_by_role("button", name="截止征集").is_enabled()
    _no_english(s)
    _fits(s)
    s.shot(f"17-setup-open-{size}", full_page=True)


def _shots() -> Any:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
