"""The security administrator's pages: organisation tree, accounts, grants (三员分立 holds)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import audit_events as accounts_events
from accounts.models import Grant, Organization, User
from accounts.roles import Role
from audit import audit_events
from audit.models import AuditEvent
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_security_admin_adds_an_org_and_a_grant_to_the_account_the_system_admin_made(
    tree, security_admin, system_admin
):
    client = login(security_admin)
    assert "陆家嘴中心" in client.get("/security/").content.decode()
    client.post("/security/", {"name": "花木中心", "code": "T-HM", "kind": "unit", "parent": tree.township.pk})
    org = Organization.objects.get(code="T-HM")
    assert org.parent_id == tree.township.pk
    response = login(system_admin).post(
        "/security/users/",
        {"username": "hm_sub", "password": "Strong-Pass-2026", "display_name": "花木经办", "org": org.pk},
    )
    user = User.objects.get(username="hm_sub")
    assert response["Location"] == f"/security/users/{user.pk}"
    client.post(f"/security/users/{user.pk}/change", {"what": "grant", "role": "submitter", "org": org.pk})
    assert Grant.objects.filter(user=user, role=Role.SUBMITTER, org=org).exists()
    page = client.get(f"/security/users/{user.pk}").content.decode()
    assert "申报单位经办人" in page
    assert AuditEvent.objects.filter(action=accounts_events.GRANT_CREATED, actor_id=security_admin.pk).exists()


def test_a_refused_grant_is_shown_in_chinese_and_nothing_is_granted(tree, security_admin):
    target = user_with_role(Role.SUBMITTER, tree.unit, username="target")
    response = login(security_admin).post(
        f"/security/users/{target.pk}/change", {"what": "grant", "role": "auditor", "org": tree.unit.pk}, follow=True
    )
    assert 'class="message error"' in response.content.decode()
    assert not Grant.objects.filter(user=target, role=Role.AUDITOR).exists()


def test_nobody_grants_themselves_a_role(security_admin, tree):
    response = login(security_admin).post(
        f"/security/users/{security_admin.pk}/change", {"what": "grant", "role": "committee", "org": tree.committee.pk}
    )
    assert response.status_code == 302
    assert not Grant.objects.filter(user=security_admin, role=Role.COMMITTEE).exists()


def test_other_roles_are_refused_and_the_refusal_is_audited(submitter):
    assert login(submitter).get("/security/users/").status_code == 403
    assert AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED, actor_id=submitter.pk).exists()


def test_a_district_security_admin_does_not_see_other_districts_accounts(tree, district_security_admin):
    other = user_with_role(Role.SUBMITTER, tree.other_unit, username="njd")
    assert login(district_security_admin).get(f"/security/users/{other.pk}").status_code == 404


def test_security_admin_cannot_create_an_account_and_system_admin_cannot_grant(tree, security_admin, system_admin):
    # given: the security administrator tries to make an account (三员分立: accounts are not its part)
    form = {"username": "mine", "password": "Strong-Pass-2026", "display_name": "自建", "org": tree.unit.pk}
    login(security_admin).post("/security/users/", form)
    assert not User.objects.filter(username="mine").exists()
    assert "新增账户" not in login(security_admin).get("/security/users/").content.decode()
    # when: the system administrator makes it and then tries to give it a content role
    login(system_admin).post("/security/users/", form)
    user = User.objects.get(username="mine")
    page = login(system_admin).get(f"/security/users/{user.pk}").content.decode()
    login(system_admin).post(
        f"/security/users/{user.pk}/change", {"what": "grant", "role": "committee", "org": tree.committee.pk}
    )
    # then: no grant; the system administrator is not offered the grant form, nor the tree page
    assert not Grant.objects.filter(user=user).exists()
    assert "授予角色" not in page
    assert login(system_admin).get("/security/").status_code == 403
    assert AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED, actor_id=security_admin.pk).exists()
    assert AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED, actor_id=system_admin.pk).exists()


def test_a_refused_account_says_why_in_chinese_and_keeps_what_was_typed(tree, system_admin):
    client = login(system_admin)
    response = client.post(
        "/security/users/",
        {"username": "hm_sub", "password": "short", "display_name": "花木经办", "phone": "13912345678",
         "org": tree.unit.pk},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "密码太短，至少需要 10 个字符" in page
    assert "This password" not in page
    # The form is the one that was typed, but for the password.
    assert 'value="hm_sub"' in page
    assert 'value="花木经办"' in page
    assert 'value="13912345678"' in page
    assert f'<option value="{tree.unit.pk}" selected>' in page
    assert 'value="short"' not in page
    assert not User.objects.filter(username="hm_sub").exists()


def test_a_refused_org_keeps_what_was_typed(tree, security_admin):
    client = login(security_admin)
    client.post("/security/", {"name": "花木中心", "code": "T-HM", "kind": "unit", "parent": tree.township.pk})
    response = client.post(
        "/security/", {"name": "另一个中心", "code": "T-HM", "kind": "unit", "parent": tree.township.pk}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "已被使用" in page
    assert 'value="另一个中心"' in page
    assert f'<option value="{tree.township.pk}" selected>' in page
    assert Organization.objects.filter(code="T-HM").count() == 1


def test_security_admin_renames_and_moves_an_org_on_the_web(tree, security_admin):
    client = login(security_admin)
    assert f"/security/orgs/{tree.unit.pk}" in client.get("/security/").content.decode()
    page = client.get(f"/security/orgs/{tree.unit.pk}").content.decode()
    assert f'value="{tree.unit.name}"' in page
    client.post("/security/", {"name": "花木街道", "code": "T-HMJD", "kind": "township", "parent": tree.district.pk})
    township = Organization.objects.get(code="T-HMJD")
    response = client.post(f"/security/orgs/{tree.unit.pk}", {"name": "陆家嘴社区中心", "parent": township.pk})
    assert response.status_code == 302
    unit = Organization.objects.get(pk=tree.unit.pk)
    assert unit.name == "陆家嘴社区中心"
    assert unit.parent_id == township.pk
    assert unit.path.startswith(township.path)
    event = AuditEvent.objects.filter(action=accounts_events.ORG_UPDATED, object_id=str(unit.pk)).get()
    assert event.data["new"] == {"name": "陆家嘴社区中心", "parent": township.pk}


def test_moving_an_org_below_itself_is_refused_and_the_form_keeps_its_values(tree, security_admin):
    client = login(security_admin)
    # The page offers no parent below the organisation; a forged one is refused all the same.
    page = client.get(f"/security/orgs/{tree.district.pk}").content.decode()
    assert f'<option value="{tree.township.pk}"' not in page
    response = client.post(f"/security/orgs/{tree.district.pk}", {"name": "新名称", "parent": tree.township.pk})
    assert response.status_code == 400
    assert 'value="新名称"' in response.content.decode()
    assert Organization.objects.get(pk=tree.district.pk).name != "新名称"
