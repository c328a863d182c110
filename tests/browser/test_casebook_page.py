"""The committee's case book page in Chromium, at 1366 px and at 390 px: 生成案例集 queues the build,
the page's script follows the progress and shows the downloads when the build is done.

The product runs here as Django's live server on the test database (the data, awarded cases with
pictures, is made by the test; the build runs in the test process, as the worker would run it)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from awards.casebook import build_casebook
from awards.models import CaseBook
from tests.awards.test_casebook import awarded
from tests.browser.live_server import fits as _fits
from tests.browser.live_server import page_for
from tests.browser.live_server import shot as _shot


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_committee_builds_and_downloads_the_casebook(
    django_db_setup, live_server, orm_beside_playwright, media, tree, submitter
):
    browser = orm_beside_playwright
    ranked = awarded(tree, submitter, count=8)
    client = Client()
    client.force_login(ranked.committee)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = f"{live_server.url}/campaigns/{ranked.campaign.pk}/casebook/"

    desk = page_for(browser, live_server, session, 1366, 900)
    desk.goto(f"{live_server.url}/campaigns/{ranked.campaign.pk}/dashboard")
    desk.get_by_role("link", name="案例集").click()
    desk.wait_for_url(path)
    assert desk.get_by_text("尚未生成案例集").is_visible()
    _shot(desk, "casebook-empty-1366")
    desk.get_by_role("button", name="生成案例集").click()
    desk.get_by_text("已开始生成案例集（共 8 个案例）").wait_for()
    assert desk.get_by_text("排队中").is_visible()
    assert desk.get_by_role("button", name="生成案例集").is_disabled()
    _shot(desk, "casebook-queued-1366")
    _fits(desk, 1366)

    build_casebook(CaseBook.objects.get().pk)

    # the page's script sees the build end and reloads with the downloads
    desk.get_by_role("link", name="下载案例集（PDF）").wait_for()
    assert desk.get_by_text("已生成").first.is_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="下载案例集（Word）").click()
    assert download.value.suggested_filename.endswith("案例集.docx")
    _shot(desk, "casebook-done-1366")

    phone = page_for(browser, live_server, session, 390, 844)
    phone.goto(path)
    assert phone.get_by_role("link", name="下载案例集（PDF）").is_visible()
    assert phone.get_by_role("button", name="重新生成案例集").is_visible()
    _fits(phone, 390)
    _shot(phone, "casebook-done-390")
