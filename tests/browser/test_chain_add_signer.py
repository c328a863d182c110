"""加签 in a real browser (issue 17): the district's reviewer adds the unit's party organisation's
post before themselves (前加签) on the task page at 1366 px; its secretary decides on a 390 px
phone; then the reviewer signs the stage off. The campaign (unit → district, sealing) and the
submitted nomination are made through the API first.

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
TITLE = "加签测试案例（浏览器）"
STAGES = [
    {"key": "unit_opinion", "name": "单位意见", "role": "unit_leader"},
    {"key": "district_review", "name": "区民政局审核", "role": "district_reviewer", "seal": True},
]
ASCII_WORDS = re.compile(r"\b[A-Za-z]{4,}\b")  # English words on a page meant for Chinese officials


def _campaign_with_a_submission(s: Any) -> None:
    campaign_with_a_submission(s, campaign_title="加签测试活动（浏览器）", title=TITLE, stages=STAGES)


def _fits(s: Any, width: int) -> None:
    assert s.page.evaluate("document.documentElement.scrollWidth") <= width


def _chinese_only(s: Any) -> None:
    # What the page says (the pick lists name demo accounts, some by their login names).
    shown = s.page.evaluate(
        "() => { let t = document.querySelector('main').innerText;"
        " document.querySelectorAll('main select').forEach(e => { t = t.replace(e.innerText, ''); }); return t; }"
    )
    words = set(ASCII_WORDS.findall(shown)) - {"Word"}  # the 申报表's download format
    assert not words, words


def test_a_reviewer_adds_the_party_post_before_themselves_and_its_secretary_signs_first(sessions: Any) -> None:
    _campaign_with_a_submission(sessions())

    # the district's reviewer, at 1366 px: adds the unit's party organisation's post, before themselves
    district = sessions("pudong_reviewer", **DESKTOP)
    district.goto("/tasks/")
    district.page.get_by_role("link", name=TITLE).first.click()
    post = district.page.eval_on_selector(
        "#add-post", "s => [...s.options].find(o => o.text.includes('党支部') && o.text.includes('党组织书记')).value"
    )
    district.page.select_option("#add-post", post)
    district.page.select_option("#add-position", "before")
    district.page.fill("#add-reason", "请党组织先行把关")
    _fits(district, 1366)
    district.shot("17-add-signer-form-desktop", full_page=True)
    district.page.get_by_role("button", name="加签", exact=True).click()
    assert "已前加签" in district.page.locator(".messages").inner_text()
    pending = district.page.inner_text(".timeline")
    assert "党组织书记，前加签" in pending  # who is to sign now
    # the reviewer's own decision waits for the post added before them: said, nothing decided
    district.page.fill("#opinion", "区民政局同意推荐")
    district.page.get_by_role("button", name="同意", exact=True).click()
    refusal = district.page.locator(".messages").inner_text()
    assert "加签" in refusal, refusal
    _chinese_only(district)
    _fits(district, 1366)
    district.shot("17-add-signer-waiting-desktop", full_page=True)

    # the party secretary, on a phone: finds the task, reads why, signs first
    party = sessions("ljz_party", **PHONE)
    party.goto("/tasks/")
    party.page.get_by_role("link", name=TITLE).first.click()
    assert "请党组织先行把关" in party.page.inner_text("main") or "前加签" in party.page.inner_text(".timeline")
    party.page.fill("#opinion", "党支部同意推荐")
    _chinese_only(party)
    _fits(party, 390)
    party.shot("17-add-signer-party-phone", full_page=True)
    party.page.get_by_role("button", name="同意", exact=True).click()
    party.page.wait_for_url(re.compile(r".*/tasks/$"))
    assert "已办理" in party.page.locator(".messages").inner_text()

    # back with the reviewer, who signs the stage off
    district.goto("/tasks/")
    district.page.get_by_role("link", name=TITLE).first.click()
    assert "区民政局审核（前加签）：同意" in district.page.inner_text(".timeline")
    district.page.fill("#opinion", "区民政局同意推荐")
    district.page.get_by_role("button", name="同意", exact=True).click()
    district.page.wait_for_url(re.compile(r".*/tasks/$"))

    # the unit sees both opinions, the added one marked, and the nomination through the chain
    unit = sessions("ljz_submitter", **PHONE)
    unit.goto("/nominations/")
    unit.page.get_by_role("link", name=TITLE).first.click()
    done = unit.page.inner_text(".timeline")
    assert "区民政局审核（前加签）：同意" in done
    assert "党支部同意推荐" in done
    assert "审批通过" in unit.page.inner_text("main")
    _chinese_only(unit)
    _fits(unit, 390)
    unit.shot("17-add-signer-done-phone", full_page=True)
