"""Password reset by one-time code (三员分立): the system administrator asks, the owner receives the
code on their own phone / e-mail and sets the password; the administrator never sees a usable one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import PasswordResetCode, User
from accounts.roles import Role
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.factories import TEST_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

RESET_URL = "/api/v1/auth/password/reset"


@pytest.fixture
def owner(tree) -> User:
    return user_with_role(Role.COMMITTEE, tree.committee, username="owner", phone="13912345678")


def _issue(client_for, system_admin, owner):
    response = client_for(system_admin).post(f"/api/v1/users/{owner.pk}/password", {}, format="json")
    assert response.status_code == 202, response.content
    message = OutboxMessage.objects.get(kind="password_reset_code")
    return response, message.payload["code"], message


def _reset(code: str, new_password: str = "Own-New-Secret-1", username: str = "owner"):  # noqa: S107
    return APIClient().post(
        RESET_URL, {"username": username, "code": code, "new_password": new_password}, format="json"
    )


def test_the_code_goes_to_the_owner_and_never_to_the_administrator(client_for, system_admin, owner):
    response, code, message = _issue(client_for, system_admin, owner)

    assert code not in response.content.decode()
    assert response.json()["channels"] == ["sms"]
    assert message.recipients == {"contacts": [{"name": owner.display_name, "phone": "13912345678", "email": ""}]}
    event = AuditEvent.objects.get(action="user.password_reset_code_issued", object_id=str(owner.pk))
    assert event.actor_id == system_admin.pk
    assert code not in str(event.data)
    assert code not in PasswordResetCode.objects.get().code_hash
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD), "nothing changes until the owner uses the code"


def test_the_sms_text_carries_the_code(client_for, system_admin, owner):
    from notifications.delivery import render

    _response, code, message = _issue(client_for, system_admin, owner)

    assert code in render(message.kind, message.payload).title


def test_the_owner_sets_a_new_password_with_the_code_once(client_for, system_admin, owner):
    old_session = client_for(owner)
    _response, code, _message = _issue(client_for, system_admin, owner)

    response = _reset(code)

    assert response.status_code == 200, response.content
    owner.refresh_from_db()
    assert owner.check_password("Own-New-Secret-1")
    assert old_session.get("/api/v1/me").status_code == 401
    assert AuthToken.objects.filter(user=owner).count() == 1  # the new one only
    event = AuditEvent.objects.get(action="user.password_reset", object_id=str(owner.pk))
    assert event.actor_id == owner.pk
    assert event.data["issued_by"] == system_admin.pk
    assert _reset(code, "Another-Secret-2").status_code == 400


def test_wrong_codes_are_counted_and_the_code_dies_after_five(client_for, system_admin, owner):
    _response, code, _message = _issue(client_for, system_admin, owner)
    wrong = "00000000" if code != "00000000" else "11111111"

    for _ in range(5):
        response = _reset(wrong)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_reset_code"
    response = _reset(code)

    assert response.status_code == 400
    assert PasswordResetCode.objects.get().attempts == 5
    assert AuditEvent.objects.filter(action="user.password_reset_code_failed").count() == 5
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)


def test_an_expired_code_is_refused(client_for, system_admin, owner):
    _response, code, _message = _issue(client_for, system_admin, owner)
    PasswordResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _reset(code).status_code == 400


def test_the_code_is_valid_for_thirty_minutes(client_for, system_admin, owner):
    _issue(client_for, system_admin, owner)

    record = PasswordResetCode.objects.get()
    assert record.expires_at - record.created_at == pytest.approx(timedelta(minutes=30), abs=timedelta(seconds=5))


def test_a_new_code_replaces_the_old_one(client_for, system_admin, owner):
    _response, first, _message = _issue(client_for, system_admin, owner)
    OutboxMessage.objects.all().delete()
    _response, second, _message = _issue(client_for, system_admin, owner)

    if first != second:
        assert _reset(first).status_code == 400
    assert _reset(second).status_code == 200


def test_weak_new_password_is_400_on_new_password_and_keeps_the_code(client_for, system_admin, owner):
    _response, code, _message = _issue(client_for, system_admin, owner)

    response = _reset(code, "12345678")

    assert response.status_code == 400
    assert "new_password" in response.json()["errors"]
    assert _reset(code).status_code == 200


def test_the_administrator_cannot_choose_the_password(client_for, system_admin, owner):
    response = client_for(system_admin).post(
        f"/api/v1/users/{owner.pk}/password", {"password": "Chosen-By-Admin-1"}, format="json"
    )

    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not OutboxMessage.objects.exists()


def test_security_admin_cannot_reset(client_for, security_admin, owner):
    response = client_for(security_admin).post(f"/api/v1/users/{owner.pk}/password", {}, format="json")

    assert response.status_code == 403
    assert not PasswordResetCode.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_account_without_phone_or_email_gets_no_code(client_for, system_admin, tree):
    mute = user_with_role(Role.SUBMITTER, tree.unit, username="mute", phone="")

    response = client_for(system_admin).post(f"/api/v1/users/{mute.pk}/password", {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "no_contact_channel"
    assert not PasswordResetCode.objects.exists()


def test_unknown_user_gets_the_same_answer(client_for, system_admin, owner):
    _response, code, _message = _issue(client_for, system_admin, owner)

    response = _reset(code, username="nobody")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_reset_code"


def test_web_reset_page_sets_the_password_and_signs_in(client, client_for, system_admin, owner):
    _response, code, _message = _issue(client_for, system_admin, owner)
    page = client.get("/password/reset/?username=owner").content.decode()
    assert "验证码" in page

    response = client.post(
        "/password/reset/",
        {"username": "owner", "code": code, "new_password": "Own-New-Secret-1", "new_password2": "Own-New-Secret-1"},
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    owner.refresh_from_db()
    assert owner.check_password("Own-New-Secret-1")


def test_system_admin_page_sends_a_code_and_shows_no_password_field(client, system_admin, owner):
    client.force_login(system_admin)
    page = client.get(f"/security/users/{owner.pk}").content.decode()
    assert "发送重置验证码" in page
    assert 'name="password"' not in page

    client.post(f"/security/users/{owner.pk}/change", {"what": "password"})

    assert OutboxMessage.objects.filter(kind="password_reset_code").count() == 1
