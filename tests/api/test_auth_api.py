"""POST /api/v1/auth/token and the token's life: expiry, revocation, lockout (api.md, Conventions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def login(client: APIClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


@pytest.fixture
def alice() -> User:
    return UserFactory.create(username="alice")


def test_good_credentials_give_a_token_that_authenticates(api, alice):
    response = login(api, "alice", TEST_PASSWORD)

    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert AuditEvent.objects.filter(action="auth.login_succeeded", object_id=str(alice.pk)).count() == 1


def test_token_is_stored_hashed(api, alice):
    token = login(api, "alice", TEST_PASSWORD).json()["token"]

    stored = AuthToken.objects.get(user=alice)
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128


def test_bad_password_is_400_with_code_and_is_audited(api, alice):
    response = login(api, "alice", "wrong")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id=str(alice.pk)).exists()
    assert not AuthToken.objects.exists()


def test_unknown_user_gets_the_same_answer_as_a_bad_password(api):
    response = login(api, "nobody", "wrong")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_400_per_field(api):
    response = api.post(TOKEN_URL, {"username": "x"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_no_token_is_401(api):
    response = api.get("/api/v1/orgs")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_garbage_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get("/api/v1/orgs")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_token_is_401(api, alice, client_for):
    client = client_for(alice)
    AuthToken.objects.filter(user=alice).update(expiry=timezone.now() - timedelta(seconds=1))

    response = client.get("/api/v1/me")

    assert response.status_code == 401


def test_an_api_call_reads_only_its_own_token_and_login_clears_expired_ones(api, alice, client_for):
    # given: the account holds an expired token besides the one in use
    client = client_for(alice)
    stale, _ = AuthToken.objects.create(user=alice)
    AuthToken.objects.filter(pk=stale.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    # when: an API call (one token lookup: knox would also read the account's other tokens)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/me").status_code == 200
    token_reads = [q for q in ctx.captured_queries if "knox_authtoken" in q["sql"]]

    # then: one read, the stale token left alone; logging in deletes it
    assert len(token_reads) == 1
    assert AuthToken.objects.filter(pk=stale.pk).exists()
    assert login(api, "alice", TEST_PASSWORD).status_code == 200
    assert not AuthToken.objects.filter(pk=stale.pk).exists()


def test_logout_revokes_the_token(api, alice):
    token = login(api, "alice", TEST_PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_password_change_revokes_every_token(api, alice, client_for):
    other_session = client_for(alice)
    token = login(api, "alice", TEST_PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.post(
        "/api/v1/auth/password", {"old_password": TEST_PASSWORD, "new_password": "New-Secret-2026"}, format="json"
    )

    assert response.status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    assert other_session.get("/api/v1/me").status_code == 401
    assert login(APIClient(), "alice", "New-Secret-2026").status_code == 200
    assert AuditEvent.objects.filter(action="user.password_changed", object_id=str(alice.pk)).exists()


def test_weak_new_password_is_refused_in_chinese(api, alice, client_for):
    client = client_for(alice)

    response = client.post(
        "/api/v1/auth/password", {"old_password": TEST_PASSWORD, "new_password": "12345678"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "weak_password"
    assert any("密码" in message for message in body["errors"]["password"])
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)


def test_wrong_old_password_changes_nothing(alice, client_for):
    response = client_for(alice).post(
        "/api/v1/auth/password", {"old_password": "nope", "new_password": "New-Secret-2026"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)


def test_disabled_account_cannot_log_in_and_its_tokens_stop_working(api, alice, client_for, system_admin):
    alice_client = client_for(alice)

    response = client_for(system_admin).patch(f"/api/v1/users/{alice.pk}", {"is_active": False}, format="json")

    assert response.status_code == 200
    assert alice_client.get("/api/v1/me").status_code == 401
    assert login(api, "alice", TEST_PASSWORD).status_code == 400
    assert not AuthToken.objects.filter(user=alice).exists()


# --- lockout per (account, address), with a longer per-account limit ------------------------------


@pytest.fixture
def bob() -> User:
    return UserFactory.create(username="bob")


def test_five_failures_lock_the_account_at_that_address_only(api, alice):
    for _ in range(4):
        assert login(api, "alice", "wrong", ip="10.0.1.1").status_code == 400
    # The failure that reaches the limit locks.
    assert login(api, "alice", "wrong", ip="10.0.1.1").status_code == 429

    locked = login(api, "alice", TEST_PASSWORD, ip="10.0.1.1")

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    # The same account from another address is not locked.
    assert login(api, "alice", TEST_PASSWORD, ip="10.0.1.2").status_code == 200


def test_one_address_failures_do_not_lock_other_accounts_behind_it(api, alice, bob):
    # given: a NAT'd office where alice mistypes until locked, and others guess at many names
    for _ in range(5):
        login(api, "alice", "wrong", ip="10.0.3.3")
    for i in range(10):
        assert login(api, f"someone{i}", "wrong", ip="10.0.3.3").status_code == 400

    # then: bob, behind the same address, still signs in
    assert login(api, "bob", TEST_PASSWORD, ip="10.0.3.3").status_code == 200


def test_twenty_failures_from_any_addresses_lock_the_account_everywhere(api, alice, bob):
    # given: 20 failures spread over 10 addresses, none of which reaches the per-address limit
    for i in range(10):
        for _ in range(2):
            assert login(api, "alice", "wrong", ip=f"10.0.4.{i}").status_code == 400

    # then: the account is locked from a fresh address too, and another account is not
    response = login(api, "alice", TEST_PASSWORD, ip="10.0.4.200")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert login(api, "bob", TEST_PASSWORD, ip="10.0.4.1").status_code == 200


@override_settings(SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT=3)
def test_the_per_account_limit_is_a_setting(api, alice):
    for i in range(3):
        login(api, "alice", "wrong", ip=f"10.0.5.{i}")

    assert login(api, "alice", TEST_PASSWORD, ip="10.0.5.99").status_code == 429


def test_the_locked_user_is_told_how_to_get_back_in(api, client, alice):
    for _ in range(5):
        login(api, "alice", "wrong", ip="10.0.6.6")

    detail = login(api, "alice", TEST_PASSWORD, ip="10.0.6.6").json()["detail"]
    page = client.post("/login/", {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.6.6")

    assert "15 分钟后再试" in detail
    assert "重置验证码" in detail
    assert page.status_code == 429
    text = page.content.decode()
    assert "15 分钟后再试" in text
    assert "/password/reset/" in text


def test_the_old_lockout_expires_after_the_cooloff(api, alice):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(api, "alice", "wrong", ip="10.0.7.7")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert login(api, "alice", TEST_PASSWORD, ip="10.0.7.7").status_code == 200


def test_a_reset_by_code_lifts_the_lockout(api, alice, system_admin, client_for):
    from notifications.models import OutboxMessage

    for i in range(10):
        for _ in range(2):
            login(api, "alice", "wrong", ip=f"10.0.8.{i}")
    assert login(api, "alice", TEST_PASSWORD, ip="10.0.8.1").status_code == 429
    assert client_for(system_admin).post(f"/api/v1/users/{alice.pk}/password", {}, format="json").status_code == 202
    code = OutboxMessage.objects.get(kind="password_reset_code").payload["code"]

    reset = APIClient().post(
        "/api/v1/auth/password/reset",
        {"username": "alice", "code": code, "new_password": "Back-In-Again-1"},
        format="json",
    )

    assert reset.status_code == 200
    assert login(api, "alice", "Back-In-Again-1", ip="10.0.8.1").status_code == 200


def test_web_login_page_is_chinese_and_signs_in(client, alice):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()

    response = client.post("/login/", {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.5.5")

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_succeeded", data__channel="web").exists()


# --- the initial password is changed at the first sign-in (三员分立, api.md Accounts) ----------------

PASSWORD_URL = "/api/v1/auth/password"


@pytest.fixture
def newcomer(tree, system_admin, client_for) -> User:
    """An account the system administrator created through the API, with an initial password."""
    response = client_for(system_admin).post(
        "/api/v1/users",
        {"username": "newcomer", "password": "Initial-Pass-2026", "display_name": "新人", "org": tree.unit.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    return User.objects.get(username="newcomer")


def test_initial_password_gives_no_token_until_changed(api, newcomer):
    response = login(api, "newcomer", "Initial-Pass-2026")

    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert not AuthToken.objects.filter(user=newcomer).exists()


def test_first_password_change_returns_a_working_token_and_lifts_the_rule(api, newcomer):
    response = api.post(
        PASSWORD_URL,
        {"username": "newcomer", "password": "Initial-Pass-2026", "new_password": "Own-Secret-2026"},
        format="json",
        REMOTE_ADDR="10.0.7.1",
    )

    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me").json()["username"] == "newcomer"
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert login(APIClient(), "newcomer", "Own-Secret-2026").status_code == 200
    assert login(APIClient(), "newcomer", "Initial-Pass-2026").status_code == 400
    event = AuditEvent.objects.get(action="user.password_changed", object_id=str(newcomer.pk))
    assert event.data["first_sign_in"] is True


def test_first_password_change_applies_the_password_rules_per_field(api, newcomer):
    weak = api.post(
        PASSWORD_URL,
        {"username": "newcomer", "password": "Initial-Pass-2026", "new_password": "12345678"},
        format="json",
    )
    same = api.post(
        PASSWORD_URL,
        {"username": "newcomer", "password": "Initial-Pass-2026", "new_password": "Initial-Pass-2026"},
        format="json",
    )
    missing = api.post(PASSWORD_URL, {"username": "newcomer", "password": "Initial-Pass-2026"}, format="json")

    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"]
    assert same.status_code == 400
    assert "new_password" in same.json()["errors"]
    assert missing.status_code == 400
    assert "new_password" in missing.json()["errors"]
    newcomer.refresh_from_db()
    assert newcomer.must_change_password


def test_first_password_change_with_a_wrong_password_is_refused_and_counted(api, newcomer):
    response = api.post(
        PASSWORD_URL, {"username": "newcomer", "password": "wrong", "new_password": "Own-Secret-2026"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id=str(newcomer.pk)).exists()
    newcomer.refresh_from_db()
    assert newcomer.check_password("Initial-Pass-2026")


def test_password_change_without_username_or_token_is_401(api):
    response = api.post(PASSWORD_URL, {"old_password": "a", "new_password": "b"}, format="json")

    assert response.status_code == 401


def test_demo_and_bootstrap_accounts_are_not_forced_to_change(api, monkeypatch):
    from django.core.management import call_command

    call_command("load_demo")
    monkeypatch.setenv("ADMIN_PASSWORD", "Strong-Pass-2026")
    call_command("create_system_admin", "root_sys")

    assert login(api, "committee", "Sealflow@2026").status_code == 200
    assert login(api, "sysadmin", "Sealflow@2026", ip="10.0.8.1").status_code == 200
    assert login(api, "root_sys", "Strong-Pass-2026", ip="10.0.8.2").status_code == 200


def test_web_login_with_the_initial_password_asks_for_a_new_one_first(client, newcomer):
    response = client.post(
        "/login/", {"username": "newcomer", "password": "Initial-Pass-2026"}, REMOTE_ADDR="10.0.9.1"
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/password/first/?username=newcomer")
    assert client.get("/").status_code == 302, "no session before the password is changed"
    page = client.get(response["Location"]).content.decode()
    assert "首次登录" in page
    assert 'value="newcomer"' in page
    done = client.post(
        "/password/first/",
        {
            "username": "newcomer",
            "password": "Initial-Pass-2026",
            "new_password": "Own-Secret-2026",
            "new_password2": "Own-Secret-2026",
            "next": "/",
        },
        REMOTE_ADDR="10.0.9.1",
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password


def test_web_first_password_page_shows_the_rules_in_chinese(client, newcomer):
    response = client.post(
        "/password/first/",
        {"username": "newcomer", "password": "Initial-Pass-2026", "new_password": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    assert "密码" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.must_change_password


def test_admin_login_with_the_initial_password_is_refused(client, tree, system_admin):
    from accounts import actions

    actions.create_user(actor=system_admin, username="newsys", password="Initial-Pass-2026", org=None)
    from accounts.roles import Role
    from tests.factories import GrantFactory

    GrantFactory.create(user=User.objects.get(username="newsys"), role=Role.AUDITOR, org=None)

    response = client.post("/admin/login/", {"username": "newsys", "password": "Initial-Pass-2026"})

    assert response.status_code == 200
    assert "首次登录须先修改初始密码" in response.content.decode()
    assert client.get("/admin/").status_code == 302
