"""A unit drafts only in campaigns that collect in its region, and may delete a draft it never sent."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import OrgKind, Role
from approvals import audit_events
from approvals.actions import create_nomination, delete_draft, submit_nomination, withdraw_nomination
from approvals.exceptions import NominationNotDeletable
from approvals.models import Attachment, Nomination
from audit.models import AuditEvent
from config.errors import InvalidInput
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SEALFLOW_SEAL_KEY_FILE = str(tmp_path / "seal-master.key")


@pytest.fixture
def elsewhere():
    """A campaign hosted in another province: 山东省 → its committee."""
    province = OrganizationFactory.create(name="山东省民政厅", code="T-SD", kind=OrgKind.CITY)
    committee = OrganizationFactory.create(name="山东评审组", code="T-SD-CMT", kind=OrgKind.COMMITTEE, parent=province)
    return make_campaign(committee, title="山东省民政创新案例")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_unit_cannot_draft_in_a_campaign_of_another_region(tree, submitter, elsewhere):
    with pytest.raises(InvalidInput) as refused:
        create_nomination(actor=submitter, campaign=elsewhere, unit=tree.unit, kind="case", title="x", form={})
    assert refused.value.code == "unit_outside_campaign"
    assert "山东省民政厅" in refused.value.errors["unit"][0]
    assert not Nomination.objects.exists()
    # Its own city's campaign is offered; the other region's is neither offered nor reachable.
    home = make_campaign(tree.committee, title="上海市本地评选")
    client = login(submitter)
    listing = client.get("/campaigns/").content.decode()
    assert f"/campaigns/{home.pk}/nominations/new" in listing
    assert f"/campaigns/{elsewhere.pk}/nominations/new" not in listing
    new = client.get(f"/campaigns/{elsewhere.pk}/nominations/new", follow=True)
    assert "不在“山东省民政创新案例”的征集范围（山东省民政厅）内" in new.content.decode()
    api = APIClient()
    api.force_authenticate(submitter)
    refused_api = api.post(
        "/api/v1/nominations",
        {"campaign": elsewhere.pk, "unit": tree.unit.pk, "kind": "case", "title": "x", "form": {}},
        format="json",
    )
    assert refused_api.status_code == 400
    assert refused_api.json()["code"] == "unit_outside_campaign"


def test_a_submitter_deletes_a_draft_never_sent_and_the_trail_keeps_it(tree, submitter):
    campaign = make_campaign(tree.committee)
    draft = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="草稿一", form={})
    response = login(submitter).post(f"/nominations/{draft.pk}/delete", follow=True)
    assert "已删除草稿“草稿一”" in response.content.decode()
    assert not Nomination.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(nomination_id=draft.pk).exists()
    deleted = AuditEvent.objects.get(action=audit_events.NOMINATION_DELETED, object_id=str(draft.pk))
    assert deleted.data["title"] == "草稿一"
    assert deleted.actor_id == submitter.pk


def test_a_sent_nomination_is_withdrawn_not_deleted(tree, submitter):
    campaign = make_campaign(tree.committee)
    sent = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="已提交", form=valid_case_form()
    )
    submit_nomination(sent.pk, actor=submitter)
    with pytest.raises(NominationNotDeletable):
        delete_draft(sent.pk, actor=submitter)
    withdraw_nomination(sent.pk, actor=submitter)
    with pytest.raises(NominationNotDeletable):  # withdrawn: back to editing, but it was sent once
        delete_draft(sent.pk, actor=submitter)
    api = APIClient()
    api.force_authenticate(submitter)
    assert api.delete(f"/api/v1/nominations/{sent.pk}").json()["code"] == "nomination_not_deletable"
    # Another unit's submitter neither sees nor deletes it.
    draft = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="草稿", form={})
    api.force_authenticate(user_with_role(Role.SUBMITTER, tree.other_unit, username="sub_njd"))
    assert api.delete(f"/api/v1/nominations/{draft.pk}").status_code == 404
    assert Nomination.objects.filter(pk=draft.pk).exists()
