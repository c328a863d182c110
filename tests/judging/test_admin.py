"""The expert pool's profiles are kept by the host's campaign administrators in the admin, audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from accounts.roles import Role
from audit.models import AuditEvent
from judging.models import JudgeProfile
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


class _Form:
    changed_data = ["expertise", "affiliation"]
    initial: dict[str, object] = {}


def test_a_campaign_admin_sets_a_judges_affiliation_and_it_is_audited(tree):
    # given: a judge of the host, and the host's campaign administrator in the admin
    judge = user_with_role(Role.JUDGE, tree.city, username="expert")
    keeper = user_with_role(Role.CAMPAIGN_ADMIN, tree.city, username="keeper")
    model_admin = admin.site._registry[JudgeProfile]
    request = RequestFactory().post("/admin/")
    request.user = keeper
    assert model_admin.has_change_permission(request)

    # when: the affiliation that drives automatic recusal is set
    profile = JudgeProfile(user=judge, expertise="社会工作", affiliation=tree.unit)
    model_admin.save_model(request, profile, _Form(), False)

    # then: saved, and the trail says who did it
    assert JudgeProfile.objects.get(user=judge).affiliation_id == tree.unit.pk
    event = AuditEvent.objects.filter(action="admin.added").latest("id")
    assert event.actor_id == keeper.pk


def test_a_unit_submitter_cannot_change_judge_profiles(tree):
    submitter = user_with_role(Role.SUBMITTER, tree.unit, username="sub")
    request = RequestFactory().post("/admin/")
    request.user = submitter
    assert not admin.site._registry[JudgeProfile].has_change_permission(request)
