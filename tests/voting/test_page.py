"""The public likes page: cards without an account, a code and a like through the form, Chinese
errors, and a closed window saying so with its dates written as officials do."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from notifications.models import OutboxMessage
from tests.voting.conftest import open_window
from voting.models import Vote, VotingWindow
from voting.web import official_date

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def url(scene):
    return f"/vote/{scene.campaign.pk}"


def test_official_dates():
    assert official_date(datetime(2026, 12, 9, 0, 0, tzinfo=SHANGHAI)) == "2026年12月9日"
    assert official_date(datetime(2026, 12, 9, 17, 0, tzinfo=SHANGHAI)) == "2026年12月9日17时"
    assert official_date(datetime(2026, 1, 2, 8, 30, tzinfo=SHANGHAI)) == "2026年1月2日8时30分"


def test_the_public_gets_a_code_and_likes_an_entry_without_an_account(scene):
    open_window(scene)
    client = Client()
    page = client.get(url(scene))
    assert page.status_code == 200
    html = page.content.decode()
    assert "获取验证码" in html
    assert all(e.title in html for e in scene.entries)
    assert 'name="viewport"' in html

    sent = client.post(url(scene), {"action": "code", "phone": "138 0013 8000"})
    assert "验证码已发送" in sent.content.decode()
    code = OutboxMessage.objects.get(kind="vote_code").payload["code"]

    wrong = client.post(url(scene), {"phone": "13800138000", "code": "abc", "nomination": scene.entries[2].pk})
    assert "验证码错误或已失效" in wrong.content.decode()
    liked = client.post(url(scene), {"phone": "13800138000", "code": code, "nomination": scene.entries[2].pk})
    assert "点赞成功" in liked.content.decode()
    assert Vote.objects.get().nomination_id == scene.entries[2].pk
    again = client.post(url(scene), {"phone": "+8613800138000", "code": code, "nomination": scene.entries[2].pk})
    assert "今天已为该作品点过赞" in again.content.decode()
    bad_phone = client.post(url(scene), {"action": "code", "phone": "12345"})
    assert "请填写正确的手机号码" in bad_phone.content.decode()


def test_a_closed_window_says_so_with_official_dates(scene):
    window = open_window(scene)
    ends = datetime(2026, 11, 30, 17, 0, tzinfo=SHANGHAI)
    VotingWindow.objects.filter(pk=window.pk).update(starts_at=ends - timedelta(days=7), ends_at=ends)
    html = Client().get(url(scene)).content.decode()
    assert "本次网络点赞已于2026年11月30日17时结束" in html
    assert "点赞时间：2026年11月23日17时至2026年11月30日17时" in html
    assert "获取验证码" not in html
    posted = Client().post(url(scene), {"phone": "13800138000", "code": "123456", "nomination": scene.entries[0].pk})
    assert "本轮网络点赞已结束" in posted.content.decode()


def test_not_yet_open_and_no_voting(scene):
    open_window(scene, starts=timedelta(days=1))
    assert "网络点赞尚未开始" in Client().get(url(scene)).content.decode()
    assert Client().get("/vote/999999").status_code == 404
