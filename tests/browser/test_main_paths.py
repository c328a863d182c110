"""The main paths in a real browser, with the demo accounts of the README on the Shanghai campaign [002].

Screenshots of each main page go to docs/screenshots/ (README, "The web app").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from workflows.seed_forms import SEED_SAMPLES

pytestmark = pytest.mark.slow

CAMPAIGN = "2024年上海市“一网通办”业务技能竞赛"


def fill_form(page: Any, values: dict[str, Any]) -> None:
    """Fill the generated form from a dict of the seed sample (files are left out)."""
    for key, value in values.items():
        if isinstance(value, list):
            continue
        field = page.locator(f"#nomination-form [name='{key}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option("true" if value is True else "false" if value is False else str(value))
        else:
            field.fill(str(value))


def new_collective_nomination(s: Any, title: str, **answers: Any) -> str:
    """As ljz_submitter: start a collective nomination, fill it (the seed sample, ``answers`` over it),
    wait for the autosave; its edit URL."""
    page = s.page
    s.goto("/campaigns/")
    page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="申报").click()
    page.select_option("#kind", "collective")
    page.fill("#title", title)
    page.get_by_role("button", name="创建草稿并填写申报表").click()
    page.wait_for_url(re.compile(r".*/nominations/\d+/edit$"))
    with page.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST") as saved:
        fill_form(page, {**SEED_SAMPLES["002"]["collective"], **answers})
    assert saved.value.ok, saved.value.text()
    assert re.fullmatch(r"\d\d:\d\d", saved.value.json()["saved_at"])
    page.locator("[data-autosave-status]").filter(has_text=re.compile(r"已保存 \d\d:\d\d")).wait_for()
    return str(page.url)


def approve_from_inbox(s: Any, title: str, opinion: str) -> None:
    page = s.page
    s.goto("/tasks/")
    page.get_by_role("link", name=title).first.click()
    page.fill("#opinion", opinion)
    page.get_by_role("button", name="同意", exact=True).click()
    page.wait_for_url(re.compile(r".*/tasks/$"))
    assert "已办理" in page.locator(".messages").inner_text()


def test_submit_then_each_level_approves_and_the_form_prints(sessions: Any) -> None:
    title = "浦兴路中心集体申报（浏览器）"
    unit = sessions("ljz_submitter")
    unit.shot("01-home-submitter")
    new_collective_nomination(unit, title)
    unit.shot("02-nomination-form")
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    assert "已提交" in unit.page.locator(".messages").inner_text()
    detail_url = unit.page.url

    for username, opinion in (
        ("pudong_reviewer", "经审核，同意推荐"),
        ("city_reviewer", "同意"),
        ("committee", "同意"),
    ):
        reviewer = sessions(username)
        if username == "pudong_reviewer":
            reviewer.goto("/tasks/")
            assert "剩余" in reviewer.page.inner_text("main")
            reviewer.shot("03-inbox-district")
        approve_from_inbox(reviewer, title, opinion)

    unit.page.goto(detail_url)
    main = unit.page.inner_text("main")
    assert "审批通过" in main
    assert "印章校验通过" in main
    assert unit.page.locator(".seal-mark").count() == 3
    unit.shot("04-nomination-approved")
    with unit.page.expect_download() as download:
        unit.page.get_by_role("link", name="下载申报表（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_return_then_resubmit_with_the_reason_on_top(sessions: Any, tmp_path: Path) -> None:
    title = "返修测试集体申报（浏览器）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))

    district = sessions("pudong_reviewer")
    district.goto("/tasks/")
    district.page.get_by_role("link", name=title).first.click()
    district.page.fill("#opinion", "请补充窗口服务数据")
    district.page.get_by_role("button", name="退回修改").click()
    district.page.wait_for_url(re.compile(r".*/tasks/$"))

    unit.goto("/")
    assert f"“{title}”被退回修改" in unit.page.inner_text("main")  # the notification, delivered by the worker
    unit.page.get_by_role("link", name=title, exact=True).click()
    panel = unit.page.locator(".panel.alert").first
    assert "请补充窗口服务数据" in panel.inner_text()
    unit.shot("05-returned-form")
    # An attachment, sent with a progress bar by app.js; the page reloads with it listed.
    picture = tmp_path / "窗口服务数据.png"
    Image.new("RGB", (60, 40), (30, 90, 160)).save(picture)
    upload = unit.page.locator("#upload-supporting_files")
    upload.locator("input[type=file]").set_input_files(str(picture))
    upload.get_by_role("button", name="上传").click()
    unit.page.get_by_role("link", name="窗口服务数据.png").wait_for()
    unit.page.fill("#f-past_awards", "2022 年度立功竞赛集体二等奖；2023 年度区级文明窗口")
    unit.page.get_by_role("button", name="修改完成，重新提交").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    timeline = unit.page.inner_text(".timeline")
    assert "区民政局意见：退回修改" in timeline
    assert "重新提交" in timeline


def test_public_verification_page_on_a_phone(sessions: Any) -> None:
    # The nomination the first test of this file approved (tests run in file order).
    unit = sessions("ljz_submitter")
    unit.goto("/nominations/?status=approved")
    unit.page.locator("table a").first.click()
    code = unit.page.locator("#seal-badge code").inner_text()

    phone = sessions(None, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto("/verify/")
    phone.page.fill("#code", code)
    phone.page.get_by_role("button", name="校验").click()
    phone.page.wait_for_url(re.compile(rf".*/verify/{code}$"))
    assert "全部印章校验通过" in phone.page.inner_text("main")
    wide = phone.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide, "the page scrolls sideways on a phone"
    phone.shot("06-verify-phone", full_page=True)


def test_auditor_dashboard_and_security_pages(sessions: Any) -> None:
    auditor = sessions("auditor")
    auditor.goto("/audit/?action=nomination.submitted")
    table = auditor.page.inner_text("table")
    assert "提交申报" in table
    # Objects by their Chinese name, content as labelled pairs: no model paths, no Python dicts.
    assert "申报 " in table
    assert "approvals." not in table
    assert "{'" not in table
    auditor.page.get_by_role("button", name="校验审计链").click()
    # app.js streams the check into the progress panel; the verdict replaces the running count.
    verdict = auditor.page.locator("#verify-progress .verify-status.verify-ok")
    verdict.wait_for()
    assert "审计链完整" in verdict.inner_text()
    bar = auditor.page.locator("#verify-progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") != "0"
    assert auditor.page.url.endswith("/audit/?action=nomination.submitted")  # no page load: the stream ran
    auditor.shot("07-audit")
    committee = sessions("committee")
    committee.goto("/campaigns/")
    committee.page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    assert "名额使用" in committee.page.inner_text("main")
    committee.shot("08-dashboard")
    security = sessions("security")
    security.goto("/security/")
    assert "浦东新区民政局" in security.page.inner_text("main")
    security.shot("09-security-orgs")
