"""Revocation visible, findings internal (issue 18): the unit is told the published response, never the
committee's internal finding; a revoked nomination's page, timeline, PDF, Word file and public
verification page all lead with 已撤销."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.actions import revocations as revocation_actions
from approvals.models import Nomination, Objection
from notifications.delivery import expand_batch, render
from notifications.models import Notification, OutboxMessage
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
generous_objection_limits = publicity_helpers.generous_objection_limits
calendar_seeded = publicity_helpers.calendar_seeded

FINDING = "内部核查：走访发现服务台账系补录，经办人张某承认，建议移送纪检。"
RESPONSE = "经调查核实，异议成立，该申报已被撤销。感谢您的监督。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _revoked_by_objection(people: People, scene: Scene) -> Nomination:
    now = timezone.now()
    publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=10),
    )
    objection = objection_actions.file_objection(
        scene.first.pk,
        objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
        content="该案例的服务对象数量与实际不符，请核实。",
    )
    objection_actions.decide_objection(
        objection.pk, actor=people.committee, outcome="upheld", finding=FINDING, response=RESPONSE
    )
    scene.first.refresh_from_db()
    assert scene.first.status == Nomination.Status.REVOKED
    return scene.first


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_unit_is_told_the_published_response_never_the_internal_finding(people, scene) -> None:
    nomination = _revoked_by_objection(people, scene)
    (message,) = OutboxMessage.objects.filter(kind="nomination_revoked")
    assert message.payload["reason"] == RESPONSE
    assert FINDING not in str(message.payload)
    text = render(message.kind, message.payload)
    assert RESPONSE in str(text)
    assert "张某" not in str(text)
    expand_batch()
    notes = Notification.objects.filter(user=people.submitter)
    assert notes.exists()
    assert not any("张某" in (n.title + n.body) for n in notes)
    page = _page(people.submitter, f"/nominations/{nomination.pk}/")
    assert "张某" not in page
    assert RESPONSE in page


def test_the_nomination_page_leads_with_the_revocation_and_the_timeline_shows_it(people, scene) -> None:
    nomination = _revoked_by_objection(people, scene)
    page = _page(people.submitter, f"/nominations/{nomination.pk}/")
    banner = page.index('id="revoked"')
    assert banner < page.index("办理过程")
    assert "已撤销" in page[banner : banner + 400]
    timeline = page[page.index("办理过程") :]
    assert "撤销申报" in timeline
    assert "撤销原因" in timeline


def test_a_revoked_form_prints_a_banner_and_a_diagonal_stamp(people, scene, monkeypatch) -> None:
    from reportlab import rl_config

    from approvals import documents

    now = timezone.now()
    publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=10),
    )
    before = documents.build(scene.first, reveal=False, verify_url="")
    assert not before.revoked_on
    revocation_actions.revoke_nomination(scene.first.pk, actor=people.committee, reason="材料弄虚作假")
    scene.first.refresh_from_db()
    document = documents.build(scene.first, reveal=False, verify_url="")
    local = timezone.localtime()
    assert document.revoked_on == f"{local.year}年{local.month}月{local.day}日"
    assert "材料弄虚作假" in documents.revoked_banner(document)
    assert "已撤销" in list(documents.texts(document))
    # The stamp: drawn turned 35° on every page (uncompressed, to read the page's drawing operators).
    monkeypatch.setattr(rl_config, "pageCompression", 0)
    turned = re.compile(rb"0?\.819152 0?\.573576 -0?\.573576 0?\.819152 [\d.]+ [\d.]+ cm")
    pdf = documents.render_pdf(document)
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    assert pages >= 1
    assert len(turned.findall(pdf)) == pages
    assert not turned.search(documents.render_pdf(before))
    # Word: the banner on top, 已撤销 in the header and the diagonal watermark there.
    content = documents.render_docx(document)
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        body = docx.read("word/document.xml").decode()
        headers = "".join(docx.read(n).decode() for n in docx.namelist() if n.startswith("word/header"))
    assert body.index("已撤销") < body.index(scene.campaign.title)
    assert "材料弄虚作假" in body
    assert 'string="已撤销"' in headers
    assert "rotation:315" in headers


def test_verify_leads_with_the_revocation_then_the_seals(people, scene) -> None:
    nomination = _revoked_by_objection(people, scene)
    Nomination.objects.filter(pk=nomination.pk).update(verification_code="REVOKED123")
    page = Client().get("/verify/REVOKED123").content.decode()
    revoked = page.index('id="revoked"')
    assert revoked < page.index(nomination.title)
    assert "已撤销" in page[revoked : revoked + 300]
    assert "verify-ok" not in page  # a valid seal chain no longer reads as a green pass
    api = Client().get("/api/v1/public/verify/REVOKED123")
    assert api.status_code == 200
    assert api.json()["revoked"]["reason"] == RESPONSE


def test_the_objection_page_and_api_keep_the_finding_from_the_unit(people, scene, client_for) -> None:
    _revoked_by_objection(people, scene)
    objection = Objection.objects.get(nomination=scene.first)
    unit_page = _page(people.submitter, f"/objections/{objection.pk}/")
    assert RESPONSE in unit_page
    assert "张某" not in unit_page
    assert "张某" in _page(people.committee, f"/objections/{objection.pk}/")
    unit_api = client_for(people.submitter)
    assert unit_api.get(f"/api/v1/objections/{objection.pk}").json()["finding"] == ""
    listed = unit_api.get("/api/v1/objections", {"nomination": scene.first.pk}).json()
    assert [o["finding"] for o in listed["results"]] == [""]
    assert client_for(people.committee).get(f"/api/v1/objections/{objection.pk}").json()["finding"] == FINDING
