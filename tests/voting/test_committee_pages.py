"""The committee's voting pages (网络点赞管理): open a window, watch the live counts and the anomaly
report, void with a recorded reason, close; 404 to everyone but the host's committee."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from judging.models import RoundResult
from tests.factories import user_with_role
from tests.voting.conftest import code_for
from voting import actions
from voting.models import Vote, VotingWindow

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def phone(i: int) -> str:
    return f"1390000{i:04d}"


def test_only_the_committee_sees_the_pages_and_the_dashboard_links_them(scene, tree):
    base = f"/campaigns/{scene.campaign.pk}/voting"
    other = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    assert _client(other).get(base).status_code == 404
    committee = _client(scene.committee)
    page = committee.get(base)
    assert page.status_code == 200
    html = page.content.decode()
    assert "网络点赞" in html
    assert "开启网络点赞" in html
    dashboard = committee.get(f"/campaigns/{scene.campaign.pk}/dashboard").content.decode()
    assert f'href="{base}"' in dashboard


def test_open_watch_void_and_close_through_the_pages(scene):
    committee = _client(scene.committee)
    base = f"/campaigns/{scene.campaign.pk}/voting"
    body = {"round": "likes", "starts_at": _local(timedelta(hours=-1)), "ends_at": _local(timedelta(days=7))}

    refused = committee.post(f"{base}/open", {**body, "per_phone_per_day": "0"}, follow=True)
    assert "每个手机号每天可投票数须在1到100之间" in refused.content.decode()
    assert not VotingWindow.objects.exists()

    opened = committee.post(f"{base}/open", {**body, "per_phone_per_day": "3"})
    window = VotingWindow.objects.get()
    assert opened.status_code == 302
    assert opened["Location"] == f"{base}/{window.pk}"
    assert window.opened_by == scene.committee

    e = scene.entries
    for i in range(12):  # a burst from one address
        actions.cast_vote(e[0].pk, phone=phone(i), code=code_for(phone(i)), address="10.9.9.9")
    actions.cast_vote(e[1].pk, phone=phone(50), code=code_for(phone(50)), address="10.0.0.2")

    page = committee.get(f"{base}/{window.pk}").content.decode()
    assert "实时票数" in page
    assert "10.9.9.9" in page  # the address of the burst
    assert "1390000" in page  # the phone prefix of the burst
    assert "有效票 13 票" in page

    no_reason = committee.post(f"{base}/{window.pk}/void", {"reason": " ", "address": "10.9.9.9"}, follow=True)
    assert "请填写作废原因" in no_reason.content.decode()
    assert not Vote.objects.filter(voided=True).exists()
    voided = committee.post(
        f"{base}/{window.pk}/void", {"reason": "同一地址一分钟内12票", "address": "10.9.9.9"}, follow=True
    )
    assert "已作废 12 票" in voided.content.decode()
    assert Vote.objects.filter(voided=True, voided_by=scene.committee).count() == 12
    assert AuditEvent.objects.get(action="voting.votes_voided").data["reason"] == "同一地址一分钟内12票"
    assert "有效票 1 票" in voided.content.decode()

    early = committee.post(f"{base}/{window.pk}/close", follow=True)
    assert "点赞尚未截止" in early.content.decode()
    VotingWindow.objects.filter(pk=window.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    closed = committee.post(f"{base}/{window.pk}/close", follow=True)
    assert "已结束网络点赞统计" in closed.content.decode()
    window.refresh_from_db()
    assert window.closed_by == scene.committee
    assert RoundResult.objects.get(round__key="likes", nomination=e[1]).rank == 1
    assert "作废点赞票" not in closed.content.decode()  # no voiding after the close
