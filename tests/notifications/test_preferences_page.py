"""The notification-preferences page (issue 18): every signed-in user turns email and SMS on or off
from the notifications page; the change is audited; a channel without an address is refused beside it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from audit.models import AuditEvent
from notifications.models import Preference
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_notifications_page_leads_to_the_preferences(tree) -> None:
    user = user_with_role(Role.SUBMITTER, tree.unit, username="pref1", email="a@example.cn", phone="13800001111")

    page = _client(user).get("/notifications/").content.decode()

    assert 'href="/notifications/preferences"' in page


def test_a_user_turns_sms_on_and_email_off_audited(tree) -> None:
    user = user_with_role(Role.SUBMITTER, tree.unit, username="pref2", email="a@example.cn", phone="13800001111")
    client = _client(user)
    page = client.get("/notifications/preferences").content.decode()
    assert "站内通知（始终开启）" in page
    assert 'name="email" value="1" id="pref-email" checked' in page

    response = client.post("/notifications/preferences", {"sms": "1"}, follow=True)

    assert response.status_code == 200
    assert "通知设置已保存" in response.content.decode()
    preference = Preference.objects.get(user=user)
    assert (preference.email_enabled, preference.sms_enabled) == (False, True)
    event = AuditEvent.objects.get(action="notification.preferences_changed", actor_id=user.pk)
    assert event.data["new"] == {"email": False, "sms": True}


def test_sms_without_a_phone_is_refused_beside_the_field_and_nothing_changes(tree) -> None:
    user = user_with_role(Role.SUBMITTER, tree.unit, username="pref3", email="a@example.cn", phone="")

    response = _client(user).post("/notifications/preferences", {"sms": "1"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="pref-sms-error"' in html
    assert "账号没有手机号，无法开启短信通知" in html
    assert 'name="sms" value="1" id="pref-sms" checked' in html  # what the user chose is kept
    assert not Preference.objects.filter(user=user, sms_enabled=True).exists()
    assert not AuditEvent.objects.filter(action="notification.preferences_changed", actor_id=user.pk).exists()


def test_without_an_email_address_the_page_shows_email_off_and_saving_sms_works(tree) -> None:
    user = user_with_role(Role.SUBMITTER, tree.unit, username="pref4", email="", phone="13800001111")
    client = _client(user)
    page = client.get("/notifications/preferences").content.decode()
    assert 'id="pref-email" checked' not in page
    assert "账号没有邮箱地址" in page

    response = client.post("/notifications/preferences", {"sms": "1"})

    assert response.status_code == 302
    assert Preference.objects.get(user=user).sms_enabled
