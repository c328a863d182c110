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
    committee.page.get_by_role("button", name="开始公示").click()
    assert "已开始公示" in committee.page.locator(".messages").inner_text()
    committee.shot("10-dashboard-publicity")

    phone = sessions(None, **PHONE)
    phone.goto(f"/publicity/{campaign_id}")
    row = phone.page.get_by_role("row").filter(has_text=title)
    row.get_by_role("link", name="提出异议").click()
    phone.page.wait_for_url(re.compile(r".*/publicity/\d+/objections/\d+$"))
    assert "匿名异议不予受理" in phone.page.inner_text("main")
    phone.page.fill("#f-name", "钱异议")
    phone.page.fill("#f-phone", "13900002222")
    phone.page.fill("#f-content", "该集体的窗口服务数据与实际不符，请组委会核实。")
    phone.shot("11-objection-form-phone", full_page=True)
    phone.page.get_by_role("button", name="实名提交异议").click()
    phone.page.get_by_role("heading", name="异议已受理").wait_for()
    receipt = phone.page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[A-Z2-7]{24}", receipt)
    assert phone.page.get_by_role("button", name="复制回执码").is_visible()
    phone.shot("12-objection-receipt-phone")
    phone.goto(f"/objections/receipt/?code={receipt}")
    assert "已受理" in phone.page.inner_text("main")
    assert "钱异议" not in phone.page.inner_text("main")

    committee.goto(f"/campaigns/{campaign_id}/objections/")
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

    phone.goto(f"/objections/receipt/?code={receipt}")
    assert "异议成立，该申报已被撤销" in phone.page.inner_text("main")
    unit.page.goto(nomination_url)
    assert "已撤销" in unit.page.inner_text("main")
