"""Authorship of a nomination: written by the authoring actions, read by separation of duties.

Who created, edited, submitted or attached to a nomination is a ``NominationAuthor`` row written
in the action's transaction; the sign-off reads it, not the audit log, so what the audit events
are called cannot change who may approve.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

from accounts.models import Grant
from accounts.roles import Role
from approvals import audit_events
from approvals.actions import create_nomination, sign_off, submit_nomination, update_nomination
from approvals.actions.nominations import add_attachment, remove_attachment
from approvals.exceptions import SelfApprovalForbidden
from approvals.models import Nomination, NominationAuthor, SignOff
from audit.models import AuditEvent
from audit.trail import record_event
from config.errors import NotPermitted
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

Kind = NominationAuthor.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def leader(tree):
    return user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")


@pytest.fixture
def draft(tree, submitter):
    campaign = make_campaign(tree.committee)
    return create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )


def authors(nomination: Nomination) -> set[tuple[str, str]]:
    rows = NominationAuthor.objects.filter(nomination=nomination).values_list("user__username", "kind")
    return set(rows)


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


# --- the authoring actions write it -----------------------------------------------------------


def test_creating_a_draft_records_its_creator(draft, submitter):
    assert authors(draft) == {(submitter.username, Kind.CREATED)}


def test_an_edit_records_the_editor_once_however_often_they_edit(tree, draft, submitter, leader):
    Grant.objects.create(user=leader, role=Role.SUBMITTER, org=tree.unit)

    update_nomination(draft.pk, actor=leader, title="助老服务案例（一）")
    update_nomination(draft.pk, actor=leader, title="助老服务案例（二）")

    assert authors(draft) == {(submitter.username, Kind.CREATED), (leader.username, Kind.EDITED)}
    assert NominationAuthor.objects.filter(nomination=draft, user=leader).count() == 1


def test_a_save_that_changes_nothing_makes_nobody_an_author(tree, draft, submitter, leader):
    Grant.objects.create(user=leader, role=Role.SUBMITTER, org=tree.unit)

    update_nomination(draft.pk, actor=leader, title=draft.title)

    assert authors(draft) == {(submitter.username, Kind.CREATED)}


def test_a_refused_edit_makes_nobody_an_author(draft, submitter, leader):
    with pytest.raises(NotPermitted):
        update_nomination(draft.pk, actor=leader, title="改名")

    assert authors(draft) == {(submitter.username, Kind.CREATED)}


def test_submitting_records_the_submitter(tree, draft, submitter):
    other = user_with_role(Role.SUBMITTER, tree.unit, username="other_submitter")

    submit_nomination(draft.pk, actor=other)

    assert authors(draft) == {(submitter.username, Kind.CREATED), (other.username, Kind.SUBMITTED)}


def test_adding_and_removing_attachments_records_who_did_it(tree, draft, submitter):
    other = user_with_role(Role.SUBMITTER, tree.unit, username="other_submitter")

    attachment = add_attachment(draft.pk, actor=submitter, field="photos", name="活动照片.jpg", stream=jpeg())
    remove_attachment(attachment.pk, actor=other)

    assert authors(draft) == {
        (submitter.username, Kind.CREATED),
        (submitter.username, Kind.ATTACHED),
        (other.username, Kind.ATTACHED),
    }


# --- separation of duties reads it, not the audit log -----------------------------------------


@pytest.fixture
def submitted(draft, submitter):
    return submit_nomination(draft.pk, actor=submitter)


def test_an_author_record_alone_forbids_the_approval(submitted, leader):
    # given: the leader is recorded as an author, with no audit event saying so
    NominationAuthor.objects.create(nomination=submitted, user=leader, kind=Kind.EDITED, first_at=submitted.created_at)
    assert not AuditEvent.objects.filter(actor=leader).exists()

    # when / then
    with pytest.raises(SelfApprovalForbidden):
        sign_off(submitted.task_id, actor=leader, decision="approve", opinion="同意")
    assert not SignOff.objects.exists()


def test_an_authoring_audit_event_alone_does_not_forbid_the_approval(submitted, leader):
    # given: an audit event that used to make the leader an author, but no author record
    with transaction.atomic():
        record_event(audit_events.NOMINATION_UPDATED, actor=leader, target=submitted, data={"changed": ["title"]})
    assert not NominationAuthor.objects.filter(user=leader).exists()

    # when
    signoff = sign_off(submitted.task_id, actor=leader, decision="approve", opinion="同意")

    # then
    assert signoff.signer == leader


def test_whoever_attached_a_file_may_not_approve(tree, draft, submitter, leader):
    Grant.objects.create(user=leader, role=Role.SUBMITTER, org=tree.unit)
    add_attachment(draft.pk, actor=leader, field="photos", name="活动照片.jpg", stream=jpeg())
    task_id = submit_nomination(draft.pk, actor=submitter).task_id
    assert task_id is not None

    with pytest.raises(SelfApprovalForbidden):
        sign_off(task_id, actor=leader, decision="approve", opinion="同意")


# --- the backfill from the audit log ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_what_the_actions_record(tree, submitter, leader):
    # given: nominations written by every authoring action
    Grant.objects.create(user=leader, role=Role.SUBMITTER, org=tree.unit)
    campaign = make_campaign(tree.committee)
    first = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="案例一", form=valid_case_form()
    )
    update_nomination(first.pk, actor=leader, title="案例一（修改）")
    attachment = add_attachment(first.pk, actor=leader, field="photos", name="照片.jpg", stream=jpeg())
    remove_attachment(attachment.pk, actor=submitter)
    submit_nomination(first.pk, actor=leader)
    second = create_nomination(
        actor=leader, campaign=campaign, unit=tree.unit, kind="case", title="案例二", form=valid_case_form()
    )
    recorded = set(NominationAuthor.objects.values_list("nomination_id", "user_id", "kind"))
    assert {n for n, _user, _kind in recorded} == {first.pk, second.pk}

    # when: the table is dropped (back to the migration before it) and migrated again
    executor = MigrationExecutor(connection)
    this = ("approvals", "0015_nomination_authors")
    before = [node.key for node in executor.loader.graph.node_map[this].parents if node.key[0] == "approvals"]
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    # to every leaf, not just ``this``: the later migrations (and other apps' migrations that
    # depend on them, e.g. awards) were unapplied with it and the next tests need them
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then: the backfill finds exactly the authors the actions recorded
    assert set(NominationAuthor.objects.values_list("nomination_id", "user_id", "kind")) == recorded
