"""The committee's case book page: the 生成案例集 button queues one build (a second press while it
builds queues nothing), the progress shows and is served as JSON for the page's script, the
download links appear once built; other users get 404; a campaign without awarded cases says what
to do first. The dashboard links to the page."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from audit.models import AuditEvent
from awards.casebook import build_casebook
from awards.models import CaseBook
from tests.awards.conftest import make_ranked, tiers
from tests.awards.test_casebook import awarded, media  # noqa: F401 - media: the autouse file store fixture
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_build_follow_and_download(tree, submitter):
    ranked = awarded(tree, submitter, count=8)
    client = web(ranked.committee)
    page_url = f"/campaigns/{ranked.campaign.pk}/casebook/"

    page = client.get(page_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "生成案例集" in text
    assert "尚未生成案例集" in text
    dashboard = client.get(f"/campaigns/{ranked.campaign.pk}/dashboard").content.decode()
    assert page_url in dashboard

    response = client.post(f"{page_url}build", follow=True)
    assert "已开始生成案例集（共 8 个案例）" in response.content.decode()
    again = client.post(f"{page_url}build", follow=True).content.decode()
    assert "案例集正在生成中，无需重复提交" in again
    assert CaseBook.objects.count() == 1
    assert AuditEvent.objects.filter(action="awards.casebook_requested").count() == 1
    waiting = client.get(page_url).content.decode()
    assert "排队中" in waiting
    assert 'http-equiv="refresh"' in waiting  # refreshes itself without script
    assert "disabled" in waiting
    assert client.get(f"{page_url}progress").json() == {
        "status": "queued", "done": 0, "total": 8, "label": "排队中", "running": True,
    }  # fmt: skip
    assert client.get(f"{page_url}casebook.pdf").status_code == 404

    build_casebook(CaseBook.objects.get().pk)

    done = client.get(page_url).content.decode()
    assert "下载案例集（PDF）" in done
    assert "重新生成案例集" in done
    assert 'http-equiv="refresh"' not in done
    assert client.get(f"{page_url}progress").json()["running"] is False
    pdf = client.get(f"{page_url}casebook.pdf")
    assert pdf.status_code == 200
    assert pdf.getvalue().startswith(b"%PDF")
    docx = client.get(f"{page_url}casebook.docx")
    assert docx["Content-Type"].endswith("wordprocessingml.document")


def test_others_get_404(tree, submitter):
    ranked = awarded(tree, submitter, count=6)
    page_url = f"/campaigns/{ranked.campaign.pk}/casebook/"
    for user in (submitter, user_with_role(Role.COMMITTEE, tree.district)):
        client = web(user)
        assert client.get(page_url).status_code == 404
        assert client.post(f"{page_url}build").status_code == 404
        assert client.get(f"{page_url}progress").status_code == 404
    assert not CaseBook.objects.exists()


def test_without_awarded_cases_the_page_says_what_to_do(tree, submitter):
    ranked = make_ranked(tree, submitter, [90, 80], levels=tiers(1))
    client = web(ranked.committee)
    text = client.get(f"/campaigns/{ranked.campaign.pk}/casebook/").content.decode()
    assert "请先在评审结束后分配并确认奖项" in text
    refused = client.post(f"/campaigns/{ranked.campaign.pk}/casebook/build", follow=True).content.decode()
    assert "本活动没有已确认获奖的案例" in refused
    assert not CaseBook.objects.exists()
