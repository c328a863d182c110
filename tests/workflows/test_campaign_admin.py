"""The campaign admin in the Django admin: from a seed template, through the audited actions."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEvent
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def taishan_admin(client):
    call_command("load_demo")
    user = User.objects.get(username="taishan_admin")
    client.force_login(user)
    return user


def add(client, host_id, title="2025年台山市党员义工创新案例"):
    return client.post(
        "/admin/workflows/campaign/add/",
        {
            "template": "003",
            "title": title,
            "host_org": host_id,
            "opens_at_0": "2025-08-01",
            "opens_at_1": "08:00:00",
            "submission_deadline_0": "2025-09-30",
            "submission_deadline_1": "23:59:59",
        },
    )


def test_campaign_admin_creates_a_draft_from_a_template(client, taishan_admin):
    host = taishan_admin.grants.get().org

    response = add(client, host.pk)

    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(title="2025年台山市党员义工创新案例")
    assert campaign.status == "draft"
    assert campaign.per_unit_max == 3
    assert [s.key for s in campaign.stages.order_by("position")] == [
        "unit_opinion",
        "party_opinion",
        "committee_review",
    ]
    assert AuditEvent.objects.filter(
        action="campaign.created", object_id=str(campaign.pk), actor=taishan_admin
    ).exists()


def test_draft_is_edited_and_opened_through_the_actions(client, taishan_admin):
    add(client, taishan_admin.grants.get().org.pk)
    campaign = Campaign.objects.get(title="2025年台山市党员义工创新案例")
    page = client.get(f"/admin/workflows/campaign/{campaign.pk}/change/")
    assert page.status_code == 200
    assert "申报单位党组织意见" in page.content.decode()

    client.post(
        "/admin/workflows/campaign/",
        {"action": "open_campaigns", "_selected_action": [campaign.pk]},
    )

    campaign.refresh_from_db()
    assert campaign.status == "open"
    assert AuditEvent.objects.filter(action="campaign.status_changed", object_id=str(campaign.pk)).exists()


def test_admin_sees_only_the_campaigns_of_its_host(client, taishan_admin):
    listing = client.get("/admin/workflows/campaign/").content.decode()

    assert "台山" in listing
    assert "一网通办" not in listing


def test_host_outside_the_admins_organisations_is_refused(client, taishan_admin):
    shanghai_host = User.objects.get(username="campaign_admin").grants.get().org
    assert shanghai_host is not None

    response = add(client, shanghai_host.pk, title="越权活动")

    assert response.status_code == 200  # the form is shown again with an error
    assert not Campaign.objects.filter(title="越权活动").exists()


def test_the_forms_and_rules_read_as_a_preview_not_json(client, taishan_admin):
    add(client, taishan_admin.grants.get().org.pk)
    campaign = Campaign.objects.get(title="2025年台山市党员义工创新案例")
    field = campaign.forms["case"]["fields"][0]
    field["label"] = "<script>alert(1)</script>名称"
    Campaign.objects.filter(pk=campaign.pk).update(forms=campaign.forms)
    page = client.get(f"/admin/workflows/campaign/{campaign.pk}/change/").content.decode()
    assert "表单项" in page
    assert "必填" in page
    assert "案例" in page  # the kind by its Chinese name
    assert '"fields"' not in page  # no JSON
    assert '"type"' not in page
    assert "<script>alert(1)</script>" not in page  # labels escaped
    assert "&lt;script&gt;" in page
    assert "日期在范围内" in page  # [003]'s 2013-09 to 2014-12 rule, in words
