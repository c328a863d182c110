"""A campaign's templates (附件1 申报表模板, 附件2 名额分配表): uploaded by its admin, listed, downloaded."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from approvals.models import CampaignTemplate
from audit.models import AuditEvent
from tests.campaigns import campaign_admin, make_campaign
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet["A1"] = "区"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, campaign, title, name, content):
    return client.post(
        f"/api/v1/campaigns/{campaign.pk}/templates",
        {"title": title, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


def test_the_admin_uploads_a_template_that_everyone_lists_and_downloads(tree, campaign, submitter, client_for):
    admin = campaign_admin(tree.committee)
    content = xlsx()

    response = upload(client_for(admin), campaign, "附件2 名额分配表", "名额分配表.xlsx", content)

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["name"], data["type"]) == ("附件2 名额分配表", "名额分配表.xlsx", "xlsx")
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    event = AuditEvent.objects.get(action="campaign_template.added")
    assert event.data["template"] == data["id"]
    assert event.actor_id == admin.pk
    listed = client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/templates").json()["results"]
    assert [t["title"] for t in listed] == ["附件2 名额分配表"]
    download = client_for(submitter).get(listed[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content


def test_a_submitter_may_not_upload_or_delete(tree, campaign, submitter, client_for):
    assert upload(client_for(submitter), campaign, "附件1", "a.xlsx", xlsx()).status_code == 403
    template_id = upload(client_for(campaign_admin(tree.committee)), campaign, "附件1", "a.xlsx", xlsx()).json()["id"]

    response = client_for(submitter).delete(f"/api/v1/campaigns/{campaign.pk}/templates/{template_id}")

    assert response.status_code == 403
    assert CampaignTemplate.objects.get(pk=template_id).removed_at is None


def test_a_template_is_checked_from_its_content(tree, campaign, client_for):
    client = client_for(campaign_admin(tree.committee))

    disguised = upload(client, campaign, "附件1 申报表模板", "申报表.docx", b"MZ\x90\x00" + b"\x00" * 200)
    untitled = upload(client, campaign, " ", "名额.xlsx", xlsx())

    assert disguised.status_code == 400
    assert disguised.json()["code"] in {"file_type_not_allowed", "file_type_mismatch"}
    assert untitled.status_code == 400
    assert untitled.json()["code"] == "title_required"
    assert not CampaignTemplate.objects.exists()


def test_a_removed_template_is_gone_from_the_list_and_audited(tree, campaign, submitter, client_for):
    client = client_for(campaign_admin(tree.committee))
    template_id = upload(client, campaign, "附件1", "a.xlsx", xlsx()).json()["id"]

    assert client.delete(f"/api/v1/campaigns/{campaign.pk}/templates/{template_id}").status_code == 204

    assert client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/templates").json() == {
        "results": [],
        "next": None,
    }
    assert client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/templates/{template_id}").status_code == 404
    assert AuditEvent.objects.filter(action="campaign_template.removed").count() == 1


def test_the_campaign_pages_link_the_templates(tree, campaign, submitter, client_for):
    template_id = upload(
        client_for(campaign_admin(tree.committee)), campaign, "附件2 名额分配表", "a.xlsx", xlsx()
    ).json()["id"]
    client = Client()
    client.force_login(submitter)

    for page in ("/campaigns/", f"/campaigns/{campaign.pk}/nominations/new", f"/nominations/?campaign={campaign.pk}"):
        html = client.get(page).content.decode()
        assert f'href="/templates/{template_id}"' in html, page
        assert "附件2 名额分配表" in html
    assert client.get(f"/templates/{template_id}").status_code == 200


def test_the_demo_gives_002_and_003_their_templates(media):
    call_command("load_demo")
    call_command("load_demo")

    titles = {
        c.title[:8]: sorted(t.title for t in CampaignTemplate.objects.filter(campaign=c))
        for c in Campaign.objects.all()
    }
    assert titles["2024年上海市"] == ["附件2 名额分配表"]
    assert titles["2014年台山市"] == ["附件1 申报表模板"]
    quota_table = CampaignTemplate.objects.get(title="附件2 名额分配表")
    sheet = openpyxl.load_workbook(media / quota_table.storage_name).worksheets[0]
    assert sheet["B2"].value
    assert sheet["E2"].value > 0


def _hidden_inputs(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_the_admin_inline_adds_and_removes_templates_through_the_actions(media):
    call_command("load_demo")
    admin = User.objects.get(username="taishan_admin")
    campaign = Campaign.objects.get(title__startswith="2014年台山市")
    client = Client()
    client.force_login(admin)
    url = f"/admin/workflows/campaign/{campaign.pk}/change/"
    page = client.get(url).content.decode()
    assert "附件1 申报表模板" in page
    assert "项目（案例）总结材料" in page  # the campaign's supplements, shown read-only
    data = {
        **_hidden_inputs(page),
        "templates-1-title": "附件3 推荐汇总表",
        "templates-1-file": SimpleUploadedFile("汇总表.xlsx", xlsx()),
    }
    data["templates-0-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    current = CampaignTemplate.objects.filter(campaign=campaign, removed_at__isnull=True)
    assert [t.title for t in current] == ["附件3 推荐汇总表"]
    added = AuditEvent.objects.filter(action="campaign_template.added", actor=admin, object_id=str(campaign.pk))
    assert added.count() == 2  # the demo's and the inline's
    assert AuditEvent.objects.filter(action="campaign_template.removed", actor=admin).count() == 1
