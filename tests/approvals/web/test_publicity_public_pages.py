"""The public 公示 pages as the public uses them (issue 18): a refresh or a double submit files one
objection, the receipt code stays out of addresses, dates as officials write them, a closed window
offers no form, the anonymous-objection rule said once; a short window needs a recorded reason."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.models import Objection, PublicityRound
from audit.models import AuditEvent
from config.dates import official_time
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

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


def _open(people: People, scene: Scene, *, days: int = 10) -> PublicityRound:
    now = timezone.now()
    return publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=days),
    )


def _form_url(scene: Scene) -> str:
    return f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}"


def _token(page: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the objection form carries a one-time token"
    return match.group(1)


def test_filing_redirects_and_refreshing_the_receipt_files_nothing(people, scene) -> None:
    _open(people, scene)
    client = Client()
    token = _token(client.get(_form_url(scene)).content.decode())
    response = client.post(_form_url(scene), {**OBJECTOR, "form_token": token})
    assert response.status_code == 302
    receipt_url = response["Location"]
    objection = Objection.objects.get(nomination=scene.first)
    assert objection.receipt not in receipt_url
    for _ in range(3):  # the refreshes
        page = client.get(receipt_url)
        assert page.status_code == 200
        assert objection.receipt in page.content.decode()
        assert page["Cache-Control"] == "no-store"
    assert Objection.objects.count() == 1
    # Another browser has no receipt to see on that address.
    assert Client().get(receipt_url).status_code == 302


def test_a_double_submit_of_one_form_files_once_and_both_lead_to_the_same_receipt(people, scene) -> None:
    _open(people, scene)
    client = Client()
    token = _token(client.get(_form_url(scene)).content.decode())
    first = client.post(_form_url(scene), {**OBJECTOR, "form_token": token})
    again = client.post(_form_url(scene), {**OBJECTOR, "form_token": token})
    assert first.status_code == again.status_code == 302
    assert Objection.objects.count() == 1
    assert AuditEvent.objects.filter(action="objection.filed").count() == 1
    receipt = Objection.objects.get().receipt
    assert receipt in client.get(again["Location"]).content.decode()
    # A fresh form (a new token) is a new objection.
    token2 = _token(client.get(_form_url(scene)).content.decode())
    assert token2 != token
    client.post(_form_url(scene), {**OBJECTOR, "form_token": token2})
    assert Objection.objects.count() == 2


def test_a_refused_form_keeps_its_token_so_the_corrected_form_files_once(people, scene) -> None:
    _open(people, scene)
    client = Client()
    token = _token(client.get(_form_url(scene)).content.decode())
    refused = client.post(_form_url(scene), {**OBJECTOR, "name": "", "form_token": token})
    assert refused.status_code == 400
    assert _token(refused.content.decode()) == token
    assert client.post(_form_url(scene), {**OBJECTOR, "form_token": token}).status_code == 302
    assert Objection.objects.count() == 1


def test_the_anonymous_objection_rule_is_said_once(people, scene) -> None:
    _open(people, scene)
    response = Client().post(_form_url(scene), {**OBJECTOR, "name": "", "phone": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("匿名异议不予受理") == 1
    assert "请填写真实姓名" in page
    assert "请填写联系电话" in page
    assert not Objection.objects.exists()


def test_the_receipt_lookup_posts_the_code_and_never_reads_it_from_the_address(people, scene) -> None:
    _open(people, scene)
    objection = objection_actions.file_objection(
        scene.first.pk,
        objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
        content=OBJECTOR["content"],
    )
    form = Client().get("/objections/receipt/").content.decode()
    assert 'method="post"' in form
    by_address = Client().get("/objections/receipt/", {"code": objection.receipt}).content.decode()
    assert "已受理" not in by_address
    assert objection.receipt not in by_address
    found = Client().post("/objections/receipt/", {"code": objection.receipt.lower()})
    assert found.status_code == 200
    assert "已受理" in found.content.decode()
    assert found["Cache-Control"] == "no-store"
    # The former address with the code in it only leads to the form.
    old = Client().get(f"/objections/receipt/{objection.receipt}")
    assert old.status_code == 302
    assert objection.receipt not in old["Location"]


def test_public_pages_write_the_window_as_officials_do(people, scene) -> None:
    day = timezone.localtime() + timedelta(days=10)
    end = day.replace(hour=23, minute=59, second=59, microsecond=0)
    start = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=5)
    publicity_actions.start_publicity(scene.campaign.pk, actor=people.committee, starts_at=start, ends_at=end)
    cache.clear()
    expected = f"{official_time(start)} 至 {end.year}年{end.month}月{end.day}日24时（北京时间）"
    page = Client().get(f"/publicity/{scene.campaign.pk}").content.decode()
    assert expected in page
    assert "T" + start.strftime("%H:%M") not in page
    assert "23:59:59" not in page
    form = Client().get(_form_url(scene)).content.decode()
    assert expected in form


def test_the_list_is_cards_on_a_phone(people, scene) -> None:
    _open(people, scene)
    cache.clear()
    page = Client().get(f"/publicity/{scene.campaign.pk}").content.decode()
    assert 'class="stack publicity-list"' in page
    assert 'data-label="申报单位"' in page


def test_after_the_window_no_form_is_offered_and_the_page_says_when_it_closed(people, scene) -> None:
    publicity_round = _open(people, scene)
    ended = timezone.now() - timedelta(hours=1)
    PublicityRound.objects.filter(pk=publicity_round.pk).update(ends_at=ended)
    cache.clear()
    page = Client().get(_form_url(scene)).content.decode()
    assert "公示期已于" in page
    assert official_time(ended, end=True) in page
    assert 'name="content"' not in page
    assert "实名提交异议" not in page
    listing = Client().get(f"/publicity/{scene.campaign.pk}").content.decode()
    assert "公示期已于" in listing
    assert "objections/" + str(scene.first.pk) not in listing


# --- a 公示 shorter than the campaign's rule ------------------------------------------------------


def test_a_short_explicit_window_needs_a_reason_by_api(people, scene, client_for) -> None:
    url = f"/api/v1/campaigns/{scene.campaign.pk}/publicity"
    end = (timezone.now() + timedelta(minutes=3)).isoformat()
    refused = client_for(people.committee).post(url, {"ends_at": end}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "publicity_too_short"
    assert "5 个工作日" in refused.json()["detail"]
    assert not PublicityRound.objects.exists()
    started = client_for(people.committee).post(
        url, {"ends_at": end, "short_reason": "上级通知提前报送名单"}, format="json"
    )
    assert started.status_code == 200, started.content
    event = AuditEvent.objects.get(action="publicity.started", object_type="workflows.campaign")
    assert event.data["shortened"]["reason"] == "上级通知提前报送名单"
    assert event.data["shortened"]["rule_ends_at"]


def test_a_window_as_long_as_the_rule_needs_no_reason(people, scene, client_for) -> None:
    url = f"/api/v1/campaigns/{scene.campaign.pk}/publicity"
    end = (timezone.now() + timedelta(days=30)).isoformat()
    assert client_for(people.committee).post(url, {"ends_at": end}, format="json").status_code == 200
    assert "shortened" not in AuditEvent.objects.get(action="publicity.started", object_type="workflows.campaign").data


def test_the_dashboard_warns_and_asks_for_the_reason(people, scene) -> None:
    client = Client()
    client.force_login(people.committee)
    dashboard = client.get(f"/campaigns/{scene.campaign.pk}/dashboard").content.decode()
    assert 'name="short_reason"' in dashboard
    assert "data-rule-end=" in dashboard
    assert "须填写缩短公示期的理由" in dashboard
    end = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    url = f"/campaigns/{scene.campaign.pk}/publicity/start"
    refused = client.post(url, {"window": "explicit", "ends_at": end}, follow=True).content.decode()
    assert "请填写缩短公示期的理由" in refused
    assert not PublicityRound.objects.exists()
    client.post(url, {"window": "explicit", "ends_at": end, "short_reason": "年底前须报送"})
    assert PublicityRound.objects.count() == 1
    event = AuditEvent.objects.get(action="publicity.started", object_type="workflows.campaign")
    assert event.data["shortened"]["reason"] == "年底前须报送"
