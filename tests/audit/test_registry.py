"""The event registry: names declared in code, once; the trail accepts only declared names."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from approvals import audit_events as approvals_events
from audit import registry
from audit.models import AuditEvent
from audit.registry import DuplicateEvent, all_events, is_registered, label_of, register
from audit.trail import record_event
from audit.verification import verify_audit


@pytest.fixture(autouse=True)
def scratch_registry(monkeypatch):
    """Events registered by a test are forgotten after it."""
    monkeypatch.setattr(registry, "_labels", dict(registry._labels))


def test_every_app_declares_its_events_at_start():
    names = {name for name, _label in all_events()}
    assert {"org.created", "campaign.created", "nomination.signed_off", "task.urged", "audit.verified"} <= names
    assert approvals_events.NOMINATION_SIGNED_OFF == "nomination.signed_off"
    with translation.override("zh-hans"):
        assert label_of(approvals_events.NOMINATION_SIGNED_OFF) == "审批通过本环节"


def test_a_name_is_declared_once():
    register("test.declared_once", "一次")
    with pytest.raises(DuplicateEvent, match="test.declared_once"):
        register("test.declared_once", "两次")
    with pytest.raises(DuplicateEvent):
        register(approvals_events.NOMINATION_SIGNED_OFF, "another app's label")
    assert label_of("test.declared_once") == "一次"


@pytest.mark.django_db
def test_an_undeclared_name_is_refused_by_the_trail():
    assert not is_registered("test.never_declared")
    with transaction.atomic(), pytest.raises(AssertionError, match="unregistered"):
        record_event("test.never_declared", actor=None, target=("test.thing", "1"))
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_new_event_needs_no_migration():
    name = register("test.brand_new", "新事件")
    with transaction.atomic():
        event = record_event(name, actor=None, target=("test.thing", "1"), data={"n": 1})

    assert AuditEvent.objects.get(pk=event.pk).action_label == "新事件"
    assert verify_audit().valid
    # The models, with the new name declared, still match the migrations.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_name_no_longer_declared_is_shown_as_is():
    assert label_of("test.retired_long_ago") == "test.retired_long_ago"
