"""公示 in a real browser: the committee starts it from the dashboard, a citizen objects from a
phone-sized page and keeps the receipt, the committee reveals the identity (audited) and decides
the objection upheld, which revokes the nomination.

Runs after test_main_paths.py (file order): it closes the Shanghai campaign [002], which the
submission paths need open.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_main_paths import CAMPAIGN, approve_from_inbox, new_collective_nomination

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _close_campaign(s: Any, campaign_id: str) -> None:
    """The campaign administrator closes submissions through the API (no web page does this yet)."""
    token = s.context.request.post(
        s.base_url + "/api/v1/auth/token", data={"username": "campaign_admin", "password": PASSWORD}
    ).json()["token"]
    response = s.context.request.post(
        s.base_url + f"/api/v1/campaigns/{campaign_id}/close", headers={"Authorization": f"Token {token}"}
    )
    assert response.ok, response.text()


def test_publicity_objection_from_a_phone_then_upheld_revokes(sessions: Any) -> None:
    title = "公示异议测试集体申报（浏览器）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    nomination_url = unit.page.url
    for username in ("pudong_reviewer", "city_reviewer", "committee"):
        approve_from_inbox(sessions(username), title, "同意")

    committee = sessions("committee")
    committee.goto("/campaigns/")
    committee.page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    committee.page.wait_for_url(re.compile(r".*/campaigns/\d+/dashboard$"))
    campaign_id = re.search(r"/campaigns/(\d+)/", committee.page.url).group(1)  # type: ignore[union-attr]
    _close_campaign(committee, campaign_id)
    committee.page.reload()
    # An end earlier than the campaign's rule shows the warning and makes the reason required.
    warning = committee.page.locator("#p-short-warning")
    assert warning.is_hidden()
    committee.page.fill("#p-end", "2000-01-01T10:00")
    warning.wait_for(state="visible")
    assert committee.page.locator("#p-short").evaluate("e => e.required")
    assert committee.page.get_by_label("指定结束时间").is_checked()
    committee.shot("10a-dashboard-short-publicity", full_page=True)
    committee.page.fill("#p-end", "")
    warning.wait_for(state="hidden")
    committee.page.get_by_label("按活动设置计算", exact=False).check()
    committee.page.get_by_role("button", name="开始公示").click()
    assert "已开始公示" in committee.page.locator(".messages").inner_text()
    committee.shot("10-dashboard-publicity")

    desk = sessions(None)
    desk.goto(f"/publicity/{campaign_id}")
    listing = desk.page.inner_text("main")
    assert re.search(
        r"公示期：\d{4}年\d{1,2}月\d{1,2}日(\d{1,2}时(\d{1,2}分)?)? 至 \d{4}年\d{1,2}月\d{1,2}日24时（北京时间）",
        listing,
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", listing)
    desk.shot("11a-publicity-list-desktop")

    phone = sessions(None, **PHONE)
    phone.goto(f"/publicity/{campaign_id}")
    row = phone.page.get_by_role("row").filter(has_text=title)
    # On a phone each entry is a card the width of the screen, not a squeezed table column.
    title_cell = row.locator("td.entry-title").bounding_box()
    object_link = row.get_by_role("link", name="提出异议").bounding_box()
    assert title_cell is not None
    assert title_cell["width"] > 300
    assert object_link is not None
    assert object_link["height"] < 60
    phone.shot("11b-publicity-list-phone", full_page=True)
    row.get_by_role("link", name="提出异议").click()
    phone.page.wait_for_url(re.compile(r".*/publicity/\d+/objections/\d+$"))
    assert "匿名异议不予受理" in phone.page.inner_text("main")
    # An anonymous attempt: the rule is said once, each missing field says what it lacks.
    phone.page.fill("#f-content", "该集体的窗口服务数据与实际不符，请组委会核实。")
    phone.page.locator("form[enctype] input[required]").evaluate_all("els => els.forEach(e => e.required = false)")
    phone.page.get_by_role("button", name="实名提交异议").click()
    phone.page.locator("#form-error").wait_for()
    assert phone.page.inner_text("main").count("匿名异议不予受理") == 1
    assert "请填写真实姓名" in phone.page.inner_text("main")
    phone.page.fill("#f-name", "钱异议")
    phone.page.fill("#f-phone", "13900002222")
    phone.page.fill("#f-content", "该集体的窗口服务数据与实际不符，请组委会核实。")
    phone.shot("11-objection-form-phone", full_page=True)
    phone.page.get_by_role("button", name="实名提交异议").click()
    phone.page.get_by_role("heading", name="异议已受理").wait_for()
    receipt = phone.page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[A-Z2-7]{24}", receipt)
    assert phone.page.get_by_role("button", name="复制回执码").is_visible()
    assert receipt not in phone.page.url
    phone.shot("12-objection-receipt-phone")
    phone.page.reload()  # a refresh shows the receipt again and files nothing
    assert phone.page.inner_text("#receipt-code").strip() == receipt
    _lookup(phone, receipt)
    assert "已受理" in phone.page.inner_text("#receipt-result")
    assert "钱异议" not in phone.page.inner_text("main")
    phone.shot("12a-receipt-lookup-phone")

    committee.goto(f"/campaigns/{campaign_id}/objections/")
    assert committee.page.get_by_role("row").filter(has_text=title).count() == 1  # the refresh filed nothing
    committee.page.get_by_role("row").filter(has_text=title).get_by_role("link").first.click()
    committee.page.wait_for_url(re.compile(r".*/objections/\d+/$"))
    objection_url = committee.page.url
    assert "钱异议" not in committee.page.inner_text("main")
    committee.page.get_by_role("button", name="查看异议人身份").click()
    committee.page.locator("#identity").wait_for()
    assert "钱异议" in committee.page.inner_text("#identity")
    committee.shot("13-objection-committee", full_page=True)
    committee.page.goto(objection_url)  # the identity is not kept: a fresh GET hides it again
    assert "钱异议" not in committee.page.inner_text("main")
    committee.page.get_by_label("异议成立（撤销该申报）").check()
    committee.page.fill("#f-finding", "经走访核实，数据不实。")
    committee.page.fill("#f-response", "经调查核实，异议成立，该申报已被撤销。")
    committee.page.get_by_role("button", name="提交决定").click()
    assert "异议成立" in committee.page.locator(".messages").inner_text()

    _lookup(phone, receipt)
    assert "异议成立，该申报已被撤销" in phone.page.inner_text("main")

    # The unit: 已撤销 first, with the published response, never the internal finding.
    unit.page.goto(nomination_url)
    banner = unit.page.locator("#revoked")
    assert "已撤销" in banner.inner_text()
    assert "经调查核实，异议成立" in banner.inner_text()
    assert "经走访核实，数据不实" not in unit.page.inner_text("main")
    assert "撤销申报" in unit.page.locator("ol.timeline").inner_text()
    main_top = unit.page.locator("main").bounding_box()
    banner_box = banner.bounding_box()
    assert main_top is not None
    assert banner_box is not None
    assert banner_box["y"] - main_top["y"] < 200
    unit.shot("14-nomination-revoked", full_page=True)
    verify_path = unit.page.get_by_role("link", name="公开校验页").get_attribute("href")
    assert verify_path

    # The public verification leads with 已撤销 (red), the seals second.
    phone.goto(verify_path)
    revoked = phone.page.locator("#revoked")
    assert "已撤销" in revoked.inner_text()
    red = "rgb(183, 28, 28)"  # --red of app.css
    assert revoked.evaluate("e => getComputedStyle(e.querySelector('.revoked-title')).color") == red
    text = phone.page.inner_text("main")
    assert text.index("已撤销") < text.index("全部印章校验通过")
    assert phone.page.locator(".verify-ok").count() == 0
    phone.shot("15-verify-revoked-phone", full_page=True)
    desk.goto(verify_path)
    desk.shot("15a-verify-revoked-desktop")


def _lookup(s: Any, receipt: str) -> None:
    """凭回执码查询: the code is typed and POSTed, never in the address."""
    s.goto("/objections/receipt/")
    s.page.fill("#code", receipt)
    s.page.get_by_role("button", name="查询").click()
    s.page.locator("#receipt-result").wait_for()
    assert receipt not in s.page.url
