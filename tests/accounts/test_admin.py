"""The Django admin opens by role (三员分立), never by is_staff, and is Chinese."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_system_admin_manages_beat_schedules_reads_accounts_but_sees_no_grants_or_trail(login_as, system_admin):
    client = login_as(system_admin)

    index = client.get("/admin/")
    assert index.status_code == 200
    assert "管理" in index.content.decode()
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/admin/accounts/grant/").status_code == 403
    assert client.get("/admin/audit/auditevent/").status_code == 403


def test_auditor_reads_the_trail_and_changes_nothing(login_as, auditor):
    client = login_as(auditor)

    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403


def test_security_admin_sees_accounts_read_only(login_as, security_admin):
    client = login_as(security_admin)

    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/admin/audit/auditevent/").status_code == 403


def test_content_roles_do_not_get_in(login_as, tree):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district, is_staff=True)
    client = login_as(reviewer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
