"""Management commands: create_security_admin, load_demo, setup_schedules."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from accounts.actions import bootstrap_admin, create_organization
from accounts.demo import ACCOUNTS, DEMO_PASSWORD, ORGS
from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from audit.verification import verify_audit

pytestmark = pytest.mark.django_db


def test_create_security_admin_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "Strong-Pass-2026")

    call_command("create_security_admin", "root_admin")

    user = User.objects.get(username="root_admin")
    assert user.check_password("Strong-Pass-2026")
    grant = Grant.objects.get(user=user)
    assert grant.role == "security_admin"
    assert grant.org is None


def test_create_system_admin_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "Strong-Pass-2026")

    call_command("create_system_admin", "root_sys")

    user = User.objects.get(username="root_sys")
    assert user.check_password("Strong-Pass-2026")
    assert [(g.role, g.org_id) for g in Grant.objects.filter(user=user)] == [("system_admin", None)]


def test_create_system_admin_needs_the_variable(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
        call_command("create_system_admin", "root_sys")

    assert not User.objects.filter(username="root_sys").exists()


def test_create_security_admin_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "password")

    with pytest.raises(CommandError, match="密码"):
        call_command("create_security_admin", "root_admin")

    assert not User.objects.filter(username="root_admin").exists()


def test_create_security_admin_needs_the_variable(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
        call_command("create_security_admin", "root_admin")


def test_load_demo_is_idempotent_and_its_trail_verifies():
    call_command("load_demo")
    counts = (Organization.objects.count(), User.objects.count(), Grant.objects.count())

    call_command("load_demo")

    # One demo account may hold two grants (一肩挑: ygl_leader is unit leader and party secretary).
    assert counts == (len(ORGS), len({a.username for a in ACCOUNTS}), len(ACCOUNTS))
    assert (Organization.objects.count(), User.objects.count(), Grant.objects.count()) == counts
    assert Organization.objects.filter(kind="district", parent__code="SH").count() == 16
    assert verify_audit().valid


def test_load_demo_over_a_tree_loaded_before_the_province_leaves_it_alone():
    """A data folder from before: 山东省民政厅 a city, 泗水县 directly below it. Start, load again."""
    admin = bootstrap_admin(
        role=Role.SECURITY_ADMIN, username="security", password=DEMO_PASSWORD, display_name="安全管理员"
    )
    old_province = create_organization(actor=admin, name="山东省民政厅", code="SD", kind=OrgKind.CITY, parent=None)
    create_organization(actor=admin, name="泗水县民政局", code="SD-SS", kind=OrgKind.DISTRICT, parent=old_province)

    call_command("load_demo")

    sishui = Organization.objects.get(code="SD-SS")
    assert (sishui.parent_id, Organization.objects.get(code="SD").kind) == (old_province.pk, "city")
    assert not Organization.objects.filter(code="SD-JN").exists()
    assert not User.objects.filter(username="shandong_reviewer").exists()
    assert User.objects.filter(username="sishui_reviewer").exists()
    assert verify_audit().valid


def test_setup_schedules_is_idempotent():
    call_command("setup_schedules")
    call_command("setup_schedules")

    assert PeriodicTask.objects.filter(task="approvals.anchor_audit").count() == 1
