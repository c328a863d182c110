"""The committee's awards pages in Chromium, at 1366 px and at 390 px (issue 15): from the dashboard's
奖项 link, 拟定奖项, the boundary tie ordered on the page, 确认奖项 (the dialog accepted), a winner's
放弃 with its reason passing the award down, the result notice saved and its PDF downloaded, a prize
marked paid. Screenshots docs/screenshots/15-awards-*.png.

The product runs here as Django's live server on the test database (the ranked campaign is made by
the test, as test_casebook_page.py does), so no other browser test's demo state is needed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from awards.models import Award, ResultNotice
from tests.awards.conftest import make_ranked, tiers
from tests.browser.live_server import fits as _fits
from tests.browser.live_server import page_for
from tests.browser.live_server import shot as _shot


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_committee_allocates_confirms_and_follows_up_the_awards(
    django_db_setup, live_server, orm_beside_playwright, tree, submitter
):
    browser = orm_beside_playwright
    # 案例1 and 案例2 share the 2nd place on the award line of 一等奖 1 + 二等奖 1
    scene = make_ranked(tree, submitter, [90, 80, 80, 70, 60], levels=tiers(1, 1, prizes=(2000, 1000)))
    e = scene.entries
    client = Client()
    client.force_login(scene.committee)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    base = live_server.url
    awards_url = f"{base}/campaigns/{scene.campaign.pk}/awards/"

    desk = page_for(browser, live_server, session, 1366, 900, accept_dialogs=True)
    desk.goto(f"{base}/campaigns/{scene.campaign.pk}/dashboard")
    desk.get_by_role("link", name="奖项", exact=True).click()
    desk.wait_for_url(awards_url)
    assert desk.get_by_text("尚未拟定奖项分配方案").is_visible()
    desk.get_by_role("button", name="拟定奖项").click()
    desk.get_by_text("仍有并列须裁定先后").wait_for()
    assert desk.get_by_role("heading", name="并列裁定").is_visible()
    assert desk.get_by_role("button", name="确认奖项").is_disabled()
    _shot(desk, "15-awards-tie-1366")
    _fits(desk, 1366)

    phone = page_for(browser, live_server, session, 390, 844, accept_dialogs=True)
    phone.goto(awards_url)
    assert phone.get_by_role("heading", name="并列裁定").is_visible()
    _fits(phone, 390)
    _shot(phone, "15-awards-tie-390")

    # the committee puts 案例2 before 案例1
    desk.select_option(f"#order-{e[1].pk}", "2")
    desk.select_option(f"#order-{e[2].pk}", "1")
    desk.get_by_role("button", name="按此先后重新拟定").click()
    desk.get_by_text("已拟定 2 个奖项，请核对后确认").wait_for()
    assert desk.get_by_text("其余 3 件审批通过的申报成为“未入选”", exact=False).is_visible()
    _shot(desk, "15-awards-proposal-1366")
    desk.get_by_role("button", name="确认奖项").click()
    desk.get_by_text("已确认奖项分配，共 2 个奖项", exact=False).wait_for()
    assert Award.objects.get(nomination=e[2]).status == "confirmed"

    # 案例2 gives its award up: 案例1 (the other 2nd place) takes it
    row = desk.locator(f"#award-{Award.objects.get(nomination=e[2]).pk}")
    row.get_by_text("放弃", exact=True).click()
    row.get_by_label("放弃原因").fill("获奖人已调离岗位")
    row.get_by_role("button", name="记录放弃并顺延").click()
    desk.get_by_text(f"按名次由“{e[1].title}”顺延获得该奖项", exact=False).wait_for()
    assert Award.objects.get(nomination=e[1], status="confirmed").passed_from is not None
    with desk.expect_download() as download:
        desk.get_by_role("link", name="下载全部证书（一个 PDF，供打印）").click()
    assert download.value.suggested_filename.endswith("获奖证书.pdf")
    _shot(desk, "15-awards-list-1366")
    phone.goto(awards_url)
    assert phone.get_by_text("已放弃，已顺延").is_visible()
    _fits(phone, 390)
    _shot(phone, "15-awards-list-390")

    desk.get_by_role("link", name="结果通知（发文）").click()
    desk.get_by_label("文号").fill("沪民〔2026〕12号")
    desk.get_by_role("button", name="保存发文信息").click()
    desk.get_by_text("已保存结果通知").wait_for()
    assert ResultNotice.objects.get().doc_number == "沪民〔2026〕12号"
    with desk.expect_download() as download:
        desk.get_by_role("link", name="下载结果通知（PDF）").click()
    assert download.value.suggested_filename.endswith("结果通知.pdf")
    _shot(desk, "15-awards-notice-1366")
    phone.goto(f"{base}/campaigns/{scene.campaign.pk}/awards/notice/")
    _fits(phone, 390)
    _shot(phone, "15-awards-notice-390")

    desk.get_by_role("link", name="奖金台账").click()
    first = Award.objects.get(nomination=e[0])
    desk.locator(f"#ledger-{first.pk}").get_by_role("button", name="标记已发放").click()
    desk.get_by_text(f"已登记“{e[0].title}”的奖金已发放").wait_for()
    first.refresh_from_db()
    assert first.paid_by == scene.committee
    _shot(desk, "15-awards-ledger-1366")
    phone.goto(f"{base}/campaigns/{scene.campaign.pk}/awards/ledger/")
    _fits(phone, 390)
    _shot(phone, "15-awards-ledger-390")
