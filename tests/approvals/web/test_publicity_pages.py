"""公示, objection, receipt, committee and notification pages: who sees what, nothing written on a
refusal, CSRF, the audited identity reveal, and no identity or personal data on public pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.models import Nomination, Objection, PublicityRound
from audit.models import AuditEvent
from notifications.models import Notification
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene
from workflows.models import Campaign

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
generous_objection_limits = publicity_helpers.generous_objection_limits
calendar_seeded = publicity_helpers.calendar_seeded

OBJECTOR = {"objector_kind": "person", "name": "赵异议", "phone": "13900001111",
            "content": "该案例的服务对象数量与实际不符，请核实。"}  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(people: People, scene: Scene) -> PublicityRound:
    now = timezone.now()
    return publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        short_reason="测试：公示期短于活动规定",
    )


def _file(scene: Scene) -> Objection:
    return objection_actions.file_objection(
        scene.first.pk,
        objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
        content=OBJECTOR["content"],
    )


def _notified(people: People, scene: Scene) -> None:
    """Start 公示 and expand its outbox message into in-app notifications (what the worker does)."""
    from notifications.delivery import expand_batch

    _open(people, scene)
    expand_batch()


def _identity_reads(objection: Objection) -> int:
    return AuditEvent.objects.filter(
        object_type="approvals.objection", object_id=str(objection.pk), action="objection.identity_read"
    ).count()


# --- notifications ---------------------------------------------------------------------------


def test_notifications_page_lists_marks_read_and_counts_unread(people, scene) -> None:
    _notified(people, scene)
    user = people.submitter
    notes = Notification.objects.filter(user=user)
    assert notes.exists()
    client = login(user)
    page = client.get("/notifications/").content.decode()
    first = notes.order_by("-created_at", "-id")[0]
    assert first.title in page
    assert "未读" in page
    assert f'<span class="badge">{notes.count()}</span>' in page  # the header's unread count
    assert client.post(f"/notifications/{first.pk}/read").status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/notifications/read-all")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_someone_elses_notification_is_404_and_stays_unread(people, scene) -> None:
    _notified(people, scene)
    note = Notification.objects.filter(user=people.submitter)[0]
    assert login(people.committee).post(f"/notifications/{note.pk}/read").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_needs_csrf(people, scene) -> None:
    _notified(people, scene)
    note = Notification.objects.filter(user=people.submitter)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.submitter)
    assert client.post(f"/notifications/{note.pk}/read").status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_every_notification_link_resolves_to_a_page(people, scene) -> None:
    from notifications import links

    _open(people, scene)
    objection = _file(scene)
    client = login(people.committee)
    for link in (links.nomination(scene.first.pk), links.campaign(scene.campaign.pk),
                 links.publicity(scene.campaign.pk), links.objection(objection.pk)):  # fmt: skip
        assert client.get(link).status_code in (200, 302), link
    assert Client().get(links.public_objection(objection.receipt)).status_code == 200


# --- public pages ----------------------------------------------------------------------------


def test_public_list_links_each_entry_to_the_objection_form_without_personal_data(people, scene) -> None:
    _open(people, scene)
    cache.clear()
    page = Client().get(f"/publicity/{scene.campaign.pk}").content.decode()
    assert f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}" in page
    assert "提出异议" in page
    assert "11010519491231002X" not in page
    assert "13812345678" not in page
    form = Client().get(f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}").content.decode()
    assert "实名" in form
    assert "匿名异议不予受理" in form
    assert "11010519491231002X" not in form
    assert "13812345678" not in form


def test_public_objection_shows_the_receipt_once_with_a_copy_button(people, scene) -> None:
    _open(people, scene)
    url = f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}"
    client = Client(enforce_csrf_checks=False)
    response = client.post(url, OBJECTOR)
    assert response.status_code == 302  # post/redirect/get: the receipt is a GET page of this browser
    response = client.get(response["Location"])
    objection = Objection.objects.get(nomination=scene.first)
    body = response.content.decode()
    assert objection.receipt in body
    assert "data-copy" in body
    assert response["Cache-Control"] == "no-store"
    assert "<script>" not in body
    assert "style=" not in body


def test_anonymous_objection_is_refused_in_chinese_and_nothing_is_written(people, scene) -> None:
    _open(people, scene)
    url = f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}"
    response = Client().post(url, {**OBJECTOR, "name": "", "phone": ""})
    assert response.status_code == 400
    assert "匿名异议不予受理" in response.content.decode()
    assert not Objection.objects.exists()


def test_objection_after_the_window_shows_publicity_closed(people, scene) -> None:
    publicity_round = _open(people, scene)
    PublicityRound.objects.filter(pk=publicity_round.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}", OBJECTOR)
    assert response.status_code == 409
    assert "公示期已于" in response.content.decode()  # …结束，不再受理异议: the page says when it closed
    assert not Objection.objects.exists()


def test_rate_limit_is_shown_on_the_page(people, scene, settings) -> None:
    _open(people, scene)
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "1/h"
    url = f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}"
    statuses = [Client(REMOTE_ADDR="198.51.100.77").post(url, OBJECTOR).status_code for _ in range(3)]
    assert 429 in statuses
    last = Client(REMOTE_ADDR="198.51.100.77").post(url, OBJECTOR)
    assert last.status_code == 429
    assert "过于频繁" in last.content.decode()


def test_receipt_lookup_shows_status_and_response_never_identity(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    objection_actions.decide_objection(objection.pk, actor=people.committee, outcome="dismissed", finding="核实无误",
                             response="经核实，异议不成立。")  # fmt: skip
    page = Client().post("/objections/receipt/", {"code": objection.receipt.lower()}).content.decode()
    assert "异议不成立" in page
    assert "经核实，异议不成立。" in page
    assert "赵异议" not in page
    assert "13900001111" not in page
    assert "核实无误" not in page
    missing = Client().post("/objections/receipt/", {"code": "AAAA"}).content.decode()
    assert "没有找到该回执码" in missing


# --- committee pages -------------------------------------------------------------------------


def test_committee_starts_publicity_from_the_dashboard(people, scene) -> None:
    client = login(people.committee)
    end = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/campaigns/{scene.campaign.pk}/publicity/start",
        {"window": "explicit", "ends_at": end, "short_reason": "测试"},
    )
    assert response.status_code == 302
    scene.campaign.refresh_from_db()
    assert scene.campaign.status == Campaign.Status.PUBLICITY
    assert Nomination.objects.get(pk=scene.first.pk).status == Nomination.Status.IN_PUBLICITY
    dashboard = client.get(f"/campaigns/{scene.campaign.pk}/dashboard").content.decode()
    assert "已开始公示" in dashboard
    assert PublicityRound.objects.get().title in dashboard
    assert "确定最终名单" in dashboard


def test_the_dashboard_offers_start_publicity_only_to_whom_the_action_allows(people, scene) -> None:
    """The campaign admin sees the dashboard but not the button the action would refuse; the committee does."""
    url = f"/campaigns/{scene.campaign.pk}/dashboard"
    form = f'action="/campaigns/{scene.campaign.pk}/publicity/start"'
    admin_page = login(people.campaign_admin).get(url)
    assert admin_page.status_code == 200
    assert form not in admin_page.content.decode()
    assert form in login(people.committee).get(url).content.decode()


def test_others_cannot_start_publicity_and_nothing_is_written(people, scene) -> None:
    for user in (people.other_committee, people.submitter, people.district_reviewer):
        response = login(user).post(f"/campaigns/{scene.campaign.pk}/publicity/start", {"window": "computed"})
        assert response.status_code == 404
    assert not PublicityRound.objects.exists()
    scene.campaign.refresh_from_db()
    assert scene.campaign.status == Campaign.Status.REVIEWING


def test_start_publicity_needs_csrf(people, scene) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.committee)
    assert client.post(f"/campaigns/{scene.campaign.pk}/publicity/start", {"window": "computed"}).status_code == 403
    assert not PublicityRound.objects.exists()


def test_queue_filters_by_status_and_hides_from_other_committees(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    client = login(people.committee)
    page = client.get(f"/campaigns/{scene.campaign.pk}/objections/").content.decode()
    assert f"/objections/{objection.pk}/" in page
    filtered = client.get(f"/campaigns/{scene.campaign.pk}/objections/", {"status": "upheld"}).content.decode()
    assert f"/objections/{objection.pk}/" not in filtered
    assert login(people.other_committee).get(f"/campaigns/{scene.campaign.pk}/objections/").status_code == 404
    assert login(people.other_committee).get(f"/objections/{objection.pk}/").status_code == 404


def test_identity_is_hidden_until_the_audited_reveal(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    client = login(people.committee)
    page = client.get(f"/objections/{objection.pk}/").content.decode()
    assert f'<option value="{people.judge.pk}"' in page  # a candidate investigator
    assert "查看异议人身份" in page
    assert "赵异议" not in page
    assert "13900001111" not in page
    assert _identity_reads(objection) == 0
    revealed = client.post(f"/objections/{objection.pk}/identity")
    assert revealed.status_code == 200
    assert "赵异议" in revealed.content.decode()
    assert _identity_reads(objection) == 1


def test_the_unit_sees_the_content_but_may_not_reveal_identity(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    client = login(people.submitter)
    page = client.get(f"/objections/{objection.pk}/").content.decode()
    assert OBJECTOR["content"] in page
    assert "查看异议人身份" not in page
    response = client.post(f"/objections/{objection.pk}/identity")
    assert response.status_code == 302
    assert "赵异议" not in client.get(response["Location"]).content.decode()
    assert _identity_reads(objection) == 0
    assert login(people.other_district_reviewer).post(f"/objections/{objection.pk}/identity").status_code == 404


def test_identity_reveal_needs_csrf(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.committee)
    assert client.post(f"/objections/{objection.pk}/identity").status_code == 403
    assert _identity_reads(objection) == 0


def test_assign_finding_and_upheld_decision_revoke_the_nomination(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    client = login(people.committee)
    client.post(f"/objections/{objection.pk}/assign", {"investigator": people.judge.pk})
    objection.refresh_from_db()
    assert objection.investigator_id == people.judge.pk
    login(people.judge).post(f"/objections/{objection.pk}/finding", {"text": "走访核实，情况属实。"})
    assert objection.findings.count() == 1
    response = client.post(
        f"/objections/{objection.pk}/decide", {"outcome": "upheld", "finding": "情况属实", "response": "异议成立。"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert Nomination.objects.get(pk=scene.first.pk).status == Nomination.Status.REVOKED


def test_the_unit_cannot_decide_and_nothing_is_written(people, scene) -> None:
    _open(people, scene)
    objection = _file(scene)
    response = login(people.submitter).post(
        f"/objections/{objection.pk}/decide", {"outcome": "upheld", "finding": "x"}, follow=True
    )
    assert 'class="message error"' in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.RECEIVED
    assert Nomination.objects.get(pk=scene.first.pk).status == Nomination.Status.IN_PUBLICITY


def test_revoke_page_for_the_committee_only(people, scene) -> None:
    _open(people, scene)
    assert login(people.submitter).get(f"/nominations/{scene.second.pk}/revoke").status_code == 404
    client = login(people.committee)
    assert client.get(f"/nominations/{scene.second.pk}/revoke").status_code == 200
    refused = client.post(f"/nominations/{scene.second.pk}/revoke", {"reason": ""}, follow=True)
    assert "请填写撤销理由" in refused.content.decode()
    assert Nomination.objects.get(pk=scene.second.pk).status == Nomination.Status.IN_PUBLICITY
    client.post(f"/nominations/{scene.second.pk}/revoke", {"reason": "材料不实", "bar_years": "2", "bar_unit": "1"})
    assert Nomination.objects.get(pk=scene.second.pk).status == Nomination.Status.REVOKED


def test_finalize_refusal_is_shown_in_chinese(people, scene) -> None:
    _open(people, scene)
    response = login(people.committee).post(f"/campaigns/{scene.campaign.pk}/finalize", follow=True)
    assert "公示期尚未结束" in response.content.decode()
    assert not Nomination.objects.filter(status=Nomination.Status.FINAL).exists()


def test_notice_pdf_and_final_list_xlsx_for_the_host(people, scene) -> None:
    publicity_round = _open(people, scene)
    client = login(people.committee)
    pdf = client.get(f"/campaigns/{scene.campaign.pk}/publicity-notice.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" not in pdf.content  # its font is embedded (test_paper_documents.py)
    assert b"/FontFile2" in pdf.content
    PublicityRound.objects.filter(pk=publicity_round.pk).update(
        starts_at=timezone.now() - timedelta(days=9), ends_at=timezone.now() - timedelta(days=1)
    )
    client.post(f"/campaigns/{scene.campaign.pk}/finalize")
    xlsx = client.get(f"/campaigns/{scene.campaign.pk}/final-list.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.values)
    titles = {r[1] for r in rows[2:]}
    assert titles == {"陆家嘴助老服务", "陆家嘴便民服务", "南京东路案例"}
    assert login(people.submitter).get(f"/campaigns/{scene.campaign.pk}/final-list.xlsx").status_code == 404
    assert not re.search(r"11010519491231002X", pdf.content.decode("latin-1"))


def test_evidence_uploaded_on_the_form_downloads_for_the_committee_only_and_is_audited(people, scene) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    _open(people, scene)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 40)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("签名页.png", buffer.getvalue(), content_type="image/png")
    url = f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}"
    assert Client().post(url, {**OBJECTOR, "evidence": upload}).status_code == 302
    objection = Objection.objects.get()
    evidence = objection.evidence.get()
    unit = login(people.submitter)
    assert "签名页.png" not in unit.get(f"/objections/{objection.pk}/").content.decode()
    assert unit.get(f"/objections/{objection.pk}/evidence/{evidence.pk}").status_code == 302
    assert _identity_reads(objection) == 0
    committee = login(people.committee)
    assert "签名页.png" in committee.get(f"/objections/{objection.pk}/").content.decode()
    download = committee.get(f"/objections/{objection.pk}/evidence/{evidence.pk}")
    assert download.status_code == 200
    assert download.getvalue() == buffer.getvalue()
    assert _identity_reads(objection) == 1
