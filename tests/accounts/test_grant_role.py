"""grant_role / revoke_grant: who may grant what, 三员分立, and the audit of each."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.actions import grant_role, revoke_grant
from accounts.exceptions import DutiesConflict, GrantExists, SelfGrantForbidden
from accounts.models import Grant
from accounts.roles import Role
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_security_admin_grants_a_role_and_it_is_audited(tree, district_security_admin):
    user = UserFactory.create(org=tree.unit)

    grant = grant_role(actor=district_security_admin, user_id=user.pk, role=Role.SUBMITTER, org=tree.unit)

    assert grant.granted_by == district_security_admin
    event = AuditEvent.objects.get(action="grant.created")
    assert event.object_id == str(grant.pk)
    assert event.actor == district_security_admin
    assert event.data == {"user": user.pk, "username": user.username, "role": "submitter", "org": tree.unit.pk}


def test_nobody_grants_a_role_to_themselves(tree, district_security_admin):
    with pytest.raises(SelfGrantForbidden) as error:
        grant_role(actor=district_security_admin, user_id=district_security_admin.pk, role=Role.AUDITOR, org=tree.unit)

    assert error.value.code == "self_grant_forbidden"
    assert Grant.objects.filter(user=district_security_admin).count() == 1


def test_nobody_revokes_their_own_role(tree, district_security_admin):
    own = Grant.objects.get(user=district_security_admin)

    with pytest.raises(SelfGrantForbidden):
        revoke_grant(own.pk, actor=district_security_admin)

    assert Grant.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize(
    ("held", "new"),
    [
        (Role.SECURITY_ADMIN, Role.AUDITOR),
        (Role.AUDITOR, Role.SYSTEM_ADMIN),
        (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
        (Role.AUDITOR, Role.DISTRICT_REVIEWER),
    ],
)
def test_administrative_roles_exclude_each_other_and_content_roles(tree, security_admin, held, new):
    user = user_with_role(held, tree.district)

    with pytest.raises(DutiesConflict) as error:
        grant_role(actor=security_admin, user_id=user.pk, role=new, org=tree.district)

    assert error.value.code == "separation_of_duties"
    assert list(Grant.objects.filter(user=user).values_list("role", flat=True)) == [held]


def test_content_role_holder_cannot_become_an_administrator(tree, security_admin):
    user = user_with_role(Role.DISTRICT_REVIEWER, tree.district)

    with pytest.raises(DutiesConflict):
        grant_role(actor=security_admin, user_id=user.pk, role=Role.SECURITY_ADMIN, org=tree.district)


def test_content_roles_combine(tree, security_admin):
    user = user_with_role(Role.SUBMITTER, tree.unit)

    grant_role(actor=security_admin, user_id=user.pk, role=Role.UNIT_LEADER, org=tree.unit)

    assert set(Grant.objects.filter(user=user).values_list("role", flat=True)) == {"submitter", "unit_leader"}


def test_role_must_fit_the_kind_of_organisation(tree, security_admin):
    user = UserFactory.create()

    with pytest.raises(InvalidInput) as error:
        grant_role(actor=security_admin, user_id=user.pk, role=Role.DISTRICT_REVIEWER, org=tree.unit)

    assert error.value.code == "role_org_mismatch"
    assert "org" in error.value.errors


def test_only_administrative_roles_are_system_wide(security_admin):
    user = UserFactory.create()

    with pytest.raises(InvalidInput) as error:
        grant_role(actor=security_admin, user_id=user.pk, role=Role.SUBMITTER, org=None)

    assert error.value.code == "org_required"


def test_district_security_admin_cannot_grant_outside_the_district(tree, district_security_admin):
    user = UserFactory.create(org=tree.district)

    with pytest.raises(NotPermitted):
        grant_role(actor=district_security_admin, user_id=user.pk, role=Role.SUBMITTER, org=tree.other_unit)
    with pytest.raises(NotPermitted):
        grant_role(actor=district_security_admin, user_id=user.pk, role=Role.AUDITOR, org=None)


def test_same_grant_twice_is_a_conflict(tree, security_admin):
    user = user_with_role(Role.SUBMITTER, tree.unit)

    with pytest.raises(GrantExists) as error:
        grant_role(actor=security_admin, user_id=user.pk, role=Role.SUBMITTER, org=tree.unit)

    assert error.value.status == 409


def test_revoke_is_audited_and_removes_the_grant(tree, security_admin):
    user = user_with_role(Role.SUBMITTER, tree.unit)
    grant = Grant.objects.get(user=user)

    revoke_grant(grant.pk, actor=security_admin)

    assert not Grant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="grant.revoked")
    assert (event.object_type, event.object_id) == ("accounts.grant", str(grant.pk))
    assert event.data["role"] == "submitter"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_admin_grants_to_one_account_cannot_both_succeed(tree, security_admin):
    # given: two administrators granting conflicting administrative roles at the same instant
    second_admin = user_with_role(Role.SECURITY_ADMIN, None)
    user = UserFactory.create(org=tree.district)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def give(actor, role):
        barrier.wait()
        try:
            grant_role(actor=actor, user_id=user.pk, role=role, org=tree.district)
            outcomes.append("ok")
        except DutiesConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when
    threads = [
        threading.Thread(target=give, args=(security_admin, Role.AUDITOR)),
        threading.Thread(target=give, args=(second_admin, Role.SYSTEM_ADMIN)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: the lock on the receiving account serialises them
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Grant.objects.filter(user=user).count() == 1
