"""会签 in a real browser (issue 17): the district and the city both sign one stage, at 1366 px and
on a 390 px phone. The campaign (its stage signed by 浦东新区民政局 and 上海市民政局, 会签) and the
submitted nomination are made through the API first; the two holders decide in Chromium.

Named to sort before test_publicity_path.py (which changes the demo campaigns' state).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.chain_api import campaign_with_a_submission

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
TITLE = "会签测试案例（浏览器）"
STAGES = [
    {"key": "unit_opinion", "name": "单位意见", "role": "unit_leader"},
    {"key": "joint_review", "name": "区、市民政局会签", "role": "district_reviewer", "seal": True, "mode": "all",
     "holders": [{"role": "district_reviewer", "signer_org": "district"},
                 {"role": "city_reviewer", "signer_org": "city"}]},
]  # fmt: skip


def _cosign_campaign_with_a_submission(s: Any) -> None:
    campaign = campaign_with_a_submission(s, campaign_title="会签测试活动（浏览器）", title=TITLE, stages=STAGES)
    assert [h["role"] for h in campaign["stages"][1]["holders"]] == ["district_reviewer", "city_reviewer"]


def _fits(s: Any, width: int) -> None:
    assert s.page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_district_and_the_city_both_sign_a_cosign_stage(sessions: Any) -> None:
    _cosign_campaign_with_a_submission(sessions())

    # the district's reviewer, at 1366 px: the task waits for both holders; they sign first
    district = sessions("pudong_reviewer", **DESKTOP)
    district.goto("/tasks/")
    district.page.get_by_role("link", name=TITLE).first.click()
    pending = district.page.inner_text(".timeline")
    assert "浦东新区民政局" in pending
    assert "上海市民政局" in pending
    _fits(district, 1366)
    district.shot("chain17-cosign-pending-desktop", full_page=True)
    district.page.fill("#opinion", "区民政局同意推荐")
    district.page.get_by_role("button", name="同意", exact=True).click()
    district.page.wait_for_url(re.compile(r".*/tasks/$"))
    assert "已办理" in district.page.locator(".messages").inner_text()
    assert district.page.get_by_role("link", name=TITLE).count() == 0  # their seat is signed

    # the city's reviewer, on a phone: sees the district's opinion, then signs the stage off
    city = sessions("city_reviewer", **PHONE)
    city.goto("/tasks/")
    city.page.get_by_role("link", name=TITLE).first.click()
    timeline = city.page.inner_text(".timeline")
    assert "区、市民政局会签（会签）：同意" in timeline
    assert "区民政局同意推荐" in timeline
    _fits(city, 390)
    city.shot("chain17-cosign-city-phone", full_page=True)
    city.page.fill("#opinion", "市民政局同意")
    city.page.get_by_role("button", name="同意", exact=True).click()
    city.page.wait_for_url(re.compile(r".*/tasks/$"))
    assert "已办理" in city.page.locator(".messages").inner_text()

    # both opinions stand, each sealed; the nomination is through the chain
    unit = sessions("ljz_submitter", **PHONE)
    unit.goto("/nominations/")
    unit.page.get_by_role("link", name=TITLE).first.click()
    done = unit.page.inner_text(".timeline")
    assert done.count("区、市民政局会签（会签）：同意") == 2
    assert "市民政局同意" in done
    assert "审批通过" in unit.page.inner_text("main")
    _fits(unit, 390)
    unit.shot("chain17-cosign-done-phone", full_page=True)
