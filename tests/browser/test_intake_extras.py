"""Issue 17's intake extras as the submitter meets them: the campaign's templates to download on the
campaign list and the new-nomination page, then a supplement added after submission and sealed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_main_paths import fill_form
from workflows.seed_forms import SEED_SAMPLES

pytestmark = pytest.mark.slow

TAISHAN = "2014年台山市党员义工创新服务项目与创新工作案例申报"
SUMMARY = "本项目组织党员义工每月深入社区开展帮老助幼服务，建立服务计时制度。" * 20


@pytest.mark.parametrize("width", [1366, 390])
def test_templates_then_a_sealed_supplement_after_submission(sessions: Any, width: int) -> None:
    unit = sessions("taishan_submitter", viewport={"width": width, "height": 900})
    page = unit.page
    unit.goto("/campaigns/")
    row = page.get_by_role("row").filter(has_text=TAISHAN)
    assert row.get_by_role("link", name="附件1 申报表模板").is_visible()
    unit.shot(f"intake17-campaigns-{width}", full_page=True)

    row.get_by_role("link", name="申报", exact=True).click()
    page.get_by_role("heading", name="活动附件（请下载后按模板填写）").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="附件1 申报表模板").click()
    assert download.value.suggested_filename.endswith(".docx")
    unit.shot(f"intake17-new-nomination-{width}", full_page=True)

    page.fill("#title", f"邻里守望（{width}）")
    page.get_by_role("button", name="创建草稿并填写申报表").click()
    page.wait_for_url(re.compile(r".*/nominations/\d+/edit$"))
    with page.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST"):
        fill_form(page, SEED_SAMPLES["003"]["case"])
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_url(re.compile(r".*/nominations/\d+/$"))

    section = page.locator("#supplement-summary")
    section.locator("textarea").fill(SUMMARY)
    section.get_by_role("button", name="提交并盖章").click()
    page.locator(".messages").filter(has_text="已提交并加盖本单位电子印章").wait_for()
    section = page.locator("#supplement-summary")
    assert "已加盖" in section.inner_text()
    assert section.locator("textarea").count() == 0
    assert "印章校验通过" in page.locator("#seal-badge").inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(_shots() / f"intake17-supplement-{width}.png"), full_page=True)


def _shots() -> Any:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
