"""Revision after selection (修改完善, [001]: finalists revise with coaching): the committee opens a
window for chosen nominations, the unit submits revised versions kept beside the sealed original."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from approvals import audit_events, documents, revisions, seals
from approvals.actions import (
    close_revision_window,
    create_nomination,
    open_revision_window,
    sign_off,
    submit_nomination,
    submit_revision,
)
from approvals.exceptions import RevisionNotChosen, RevisionNotSubmitter, RevisionUnchanged, RevisionWindowClosed
from approvals.models import Nomination, NominationRevision, Seal
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

NEW_SUMMARY = "经专家辅导修改：社区助老服务案例，覆盖五个小区，服务老人三百余人。"


@pytest.fixture
def people(tree, submitter, district_reviewer):
    return {
        "submitter": submitter,
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="rv_leader"),
        "district": district_reviewer,
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="rv_committee"),
        "admin": user_with_role(Role.CAMPAIGN_ADMIN, tree.committee, username="rv_admin"),
        "other_submitter": user_with_role(Role.SUBMITTER, tree.other_unit, username="rv_other"),
    }


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


def through_chain(campaign, tree, people, title="助老服务案例") -> Nomination:
    """A nomination submitted and approved at every stage: sealed by the district and the committee."""
    n = create_nomination(
        actor=people["submitter"], campaign=campaign, unit=tree.unit, kind="case", title=title, form=valid_case_form()
    )
    n = submit_nomination(n.pk, actor=people["submitter"])
    for who in ("leader", "district", "committee"):
        n.refresh_from_db()
        assert n.task_id is not None
        sign_off(n.task_id, actor=people[who], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.status == Nomination.Status.APPROVED
    return n


@pytest.fixture
def chosen(campaign, tree, people) -> Nomination:
    return through_chain(campaign, tree, people)


def open_window(campaign, people, nominations, **kwargs):
    return open_revision_window(
        campaign.pk,
        actor=people["committee"],
        nomination_ids=[n.pk for n in nominations],
        ends_at=kwargs.pop("ends_at", timezone.now() + timedelta(days=20)),
        **kwargs,
    )


def test_a_revised_version_is_kept_beside_the_sealed_original_which_still_verifies(campaign, chosen, people):
    original_form = dict(chosen.form)
    original_hash = chosen.content_hash
    seals_before = list(Seal.objects.filter(nomination=chosen).values_list("sequence", "seal_hash"))
    open_window(campaign, people, [chosen], note="请按专家意见补充服务数据")

    revision = submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})

    assert revision.number == 2
    assert revision.changed == ["summary"]
    assert revision.form["summary"] == NEW_SUMMARY
    assert revision.form["contact_phone"] == original_form["contact_phone"]  # carried from version 1
    chosen.refresh_from_db()
    assert chosen.form == original_form
    assert chosen.content_hash == original_hash
    # the earlier seals are untouched; the revision's seal follows them, with the unit's key
    assert list(Seal.objects.filter(nomination=chosen, sequence__lte=len(seals_before)).values_list(
        "sequence", "seal_hash")) == seals_before  # fmt: skip
    assert revision.seal.sequence == len(seals_before) + 1
    assert revision.seal.stage == "revision:2"
    assert revision.seal.key.org == chosen.unit
    assert seals.verify_nomination(chosen) == []
    exported = seals.export_chain(chosen)
    keys = {k: (v["algorithm"], v["public_key"]) for k, v in exported["public_keys"].items()}
    assert seals.verify_payload_chain(exported["seals"], keys, nomination_id=chosen.pk) == []
    events = list(AuditEvent.objects.filter(object_id=str(chosen.pk)).values_list("action", flat=True))
    assert events[-2:] == ["seal.created", audit_events.NOMINATION_REVISED]
    revised = AuditEvent.objects.get(action=audit_events.NOMINATION_REVISED)
    assert revised.data["changed"] == ["summary"]
    assert revised.data["version"] == 2
    assert NEW_SUMMARY not in str(revised.data)  # values stay out of the trail; the hash pins them

    public = Client().get(f"/api/v1/public/verify/{chosen.verification_code}").json()
    assert public["valid"] is True
    assert [(s["sequence"], s["stage_name"], s["org"]) for s in public["seals"]][-1] == (
        revision.seal.sequence, "修改稿：第2版", chosen.unit.name,
    )  # fmt: skip

    second = submit_revision(chosen.pk, actor=people["submitter"], form={"contact_phone": "13900001111"})
    assert second.number == 3
    assert second.form["summary"] == NEW_SUMMARY  # built on version 2
    assert [v.number for v in revisions.versions(chosen)] == [1, 2, 3]
    assert seals.verify_nomination(chosen) == []


@contextlib.contextmanager
def revision_triggers_disabled() -> Iterator[None]:
    """What a database superuser can do: switch off the append-only trigger on revised versions."""
    table = NominationRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_revised_version_cannot_be_changed_and_a_forced_change_is_found(campaign, chosen, people):
    open_window(campaign, people, [chosen])
    submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})
    with pytest.raises(DatabaseError), transaction.atomic():
        NominationRevision.objects.filter(nomination=chosen).update(title="事后改名")
    with pytest.raises(DatabaseError), transaction.atomic():
        NominationRevision.objects.filter(nomination=chosen).delete()

    with revision_triggers_disabled():
        NominationRevision.objects.filter(nomination=chosen).update(form={**chosen.form, "summary": "事后改动"})
    assert [p.kind for p in seals.verify_nomination(chosen)] == ["content_changed_since_seal"]

    with revision_triggers_disabled():
        NominationRevision.objects.filter(nomination=chosen).update(form={**chosen.form, "summary": NEW_SUMMARY})
    assert seals.verify_nomination(chosen) == []
    Nomination.objects.filter(pk=chosen.pk).update(title="事后改名")
    assert [p.kind for p in seals.verify_nomination(Nomination.objects.get(pk=chosen.pk))] == [
        "content_changed_since_seal"
    ]


def test_opening_a_window_notifies_each_unit_and_is_audited(campaign, chosen, people):
    window = open_window(campaign, people, [chosen], note="辅导后修改", fields=["summary", "title"])

    message = OutboxMessage.objects.get(kind="revision_window_opened")
    assert people["submitter"].pk in message.recipients["users"]
    assert [Role.UNIT_LEADER, chosen.unit_id] in message.recipients["roles"]
    assert message.payload["note"] == "辅导后修改"
    event = AuditEvent.objects.get(action=audit_events.REVISION_WINDOW_OPENED)
    assert event.data["nominations"] == [chosen.pk]
    assert event.data["fields"] == ["summary", "title"]
    assert event.object_id == str(campaign.pk)

    close_revision_window(window.pk, actor=people["committee"])
    assert AuditEvent.objects.filter(action=audit_events.REVISION_WINDOW_CLOSED).count() == 1
    with pytest.raises(RevisionWindowClosed):
        submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})


def test_only_the_committee_opens_a_window_and_only_for_chosen_nominations(campaign, tree, chosen, people):
    with pytest.raises(NotPermitted):
        open_window(campaign, {**people, "committee": people["admin"]}, [chosen])
    draft = create_nomination(
        actor=people["submitter"], campaign=campaign, unit=tree.unit, kind="case", title="未入围", form={}
    )
    with pytest.raises(RevisionNotChosen) as refused:
        open_window(campaign, people, [chosen, draft])
    assert refused.value.code == "revision_not_chosen"
    with pytest.raises(InvalidInput) as unknown:
        open_window(campaign, people, [chosen], fields=["photos"])  # files are not revised
    assert unknown.value.code == "revision_unknown_field"
    assert not revisions.open_windows(chosen).exists()
    assert not OutboxMessage.objects.filter(kind="revision_window_opened").exists()


def test_submitting_is_refused_outside_the_window_to_others_and_beyond_the_allowed_fields(campaign, chosen, people):
    with pytest.raises(RevisionWindowClosed):
        submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})
    future = open_window(
        campaign, people, [chosen], starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(RevisionWindowClosed) as not_yet:
        submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})
    assert not_yet.value.code == "revision_window_closed"
    close_revision_window(future.pk, actor=people["committee"])

    open_window(campaign, people, [chosen], fields=["summary"])
    with pytest.raises(RevisionNotSubmitter) as not_submitter:
        submit_revision(chosen.pk, actor=people["leader"], form={"summary": NEW_SUMMARY})
    assert not_submitter.value.code == "revision_not_unit_submitter"
    with pytest.raises(InvalidInput) as not_allowed:
        submit_revision(chosen.pk, actor=people["submitter"], form={"contact_phone": "13900001111"})
    assert not_allowed.value.code == "revision_field_not_allowed"
    with pytest.raises(InvalidInput):
        submit_revision(chosen.pk, actor=people["submitter"], form={}, title="新名称")
    with pytest.raises(RevisionUnchanged):
        submit_revision(chosen.pk, actor=people["submitter"], form={"summary": chosen.form["summary"]})
    with pytest.raises(InvalidInput):  # the whole form is checked as at submission
        submit_revision(chosen.pk, actor=people["submitter"], form={"summary": "太短"})
    assert not NominationRevision.objects.exists()


def test_the_api_opens_submits_lists_and_diffs(campaign, chosen, people, client_for):
    committee = client_for(people["committee"])
    ends = (timezone.now() + timedelta(days=10)).isoformat()
    response = committee.post(
        f"/api/v1/campaigns/{campaign.pk}/revision-windows",
        {"nominations": [chosen.pk], "ends_at": ends, "note": "辅导", "fields": []},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["nominations"] == [chosen.pk]
    assert response.json()["is_open"] is True
    assert client_for(people["submitter"]).post(
        f"/api/v1/campaigns/{campaign.pk}/revision-windows", {"nominations": [chosen.pk], "ends_at": ends},
        format="json",
    ).status_code in (403, 404)  # fmt: skip

    submitter = client_for(people["submitter"])
    created = submitter.post(
        f"/api/v1/nominations/{chosen.pk}/revisions",
        {"form": {"summary": NEW_SUMMARY}, "title": "助老服务案例（修改稿）"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 2
    assert created.json()["changed"] == ["title", "summary"]
    refused = client_for(people["other_submitter"]).post(
        f"/api/v1/nominations/{chosen.pk}/revisions", {"form": {"summary": NEW_SUMMARY}}, format="json"
    )
    assert refused.status_code == 404  # another unit does not see it at all

    # whoever may read the nomination reads the versions and the difference
    listed = client_for(people["district"]).get(f"/api/v1/nominations/{chosen.pk}/revisions").json()
    assert listed["current_version"] == 2
    assert [(v["version"], v["original"]) for v in listed["results"]] == [(1, True), (2, False)]
    assert listed["results"][0]["form"]["contact_phone"] != "13812345678"  # masked
    diff = client_for(people["district"]).get(f"/api/v1/nominations/{chosen.pk}/revisions/diff").json()
    changed = {row["key"]: row for row in diff["fields"] if row["changed"]}
    assert (diff["from"], diff["to"]) == (1, 2)
    assert set(changed) == {"title", "summary"}
    assert changed["summary"]["new"] == NEW_SUMMARY
    bad = client_for(people["district"]).get(f"/api/v1/nominations/{chosen.pk}/revisions/diff?to=9")
    assert bad.status_code == 400
    assert bad.json()["code"] == "unknown_version"

    window_id = response.json()["id"]
    closed = committee.post(f"/api/v1/revision-windows/{window_id}/close")
    assert closed.status_code == 200
    assert closed.json()["is_open"] is False
    late = submitter.post(
        f"/api/v1/nominations/{chosen.pk}/revisions", {"form": {"summary": NEW_SUMMARY + "。"}}, format="json"
    )
    assert late.status_code == 409
    assert late.json()["code"] == "revision_window_closed"


def test_the_printed_form_is_the_current_version_and_says_which(campaign, chosen, people):
    open_window(campaign, people, [chosen])
    submit_revision(chosen.pk, actor=people["submitter"], form={"summary": NEW_SUMMARY})

    document = documents.build(chosen, reveal=True, verify_url="")

    texts = {row.label: row.text for row in document.rows}
    assert texts["案例简介"] == NEW_SUMMARY
    assert texts["申报表版本"].startswith("第2版（修改稿")
    assert "第1版（原申报表）" in texts["申报表版本"]


def test_the_pages_show_versions_and_a_marked_difference(campaign, chosen, people, tree):
    open_window(campaign, people, [chosen], fields=["summary"])
    web = Client()
    web.force_login(people["submitter"])
    page = web.get(f"/nominations/{chosen.pk}/")
    assert "提交修改稿" in page.content.decode()
    form = web.get(f"/nominations/{chosen.pk}/revise")
    assert form.status_code == 200
    assert 'name="summary"' in form.content.decode()
    assert 'name="contact_phone"' not in form.content.decode()

    response = web.post(f"/nominations/{chosen.pk}/revise", {"summary": NEW_SUMMARY})
    assert response.status_code == 302, response.content.decode()
    assert NominationRevision.objects.get(nomination=chosen).form["summary"] == NEW_SUMMARY

    reviewer = Client()
    reviewer.force_login(people["district"])
    versions = reviewer.get(f"/nominations/{chosen.pk}/versions/").content.decode()
    assert "第2版" in versions
    assert "已修改" in versions
    assert NEW_SUMMARY in versions
    assert versions.count('class="changed"') == 1
    assert reviewer.get(f"/nominations/{chosen.pk}/revise").status_code == 404
    outsider = Client()
    outsider.force_login(people["other_submitter"])
    assert outsider.get(f"/nominations/{chosen.pk}/versions/").status_code == 404


def test_the_committee_opens_and_closes_a_window_on_its_page(campaign, chosen, people):
    web = Client()
    web.force_login(people["committee"])
    page = web.get(f"/campaigns/{campaign.pk}/revision-windows/").content.decode()
    assert chosen.title in page
    ends = timezone.localtime() + timedelta(days=7)
    response = web.post(
        f"/campaigns/{campaign.pk}/revision-windows/",
        {"nominations": [str(chosen.pk)], "ends_at": ends.strftime("%Y-%m-%dT%H:%M"), "fields": ["summary"]},
    )
    assert response.status_code == 302
    window = chosen.revision_windows.get()
    assert window.fields == ["summary"]
    web.post(f"/revision-windows/{window.pk}/close")
    window.refresh_from_db()
    assert window.closed_at is not None
    admin = Client()
    admin.force_login(people["other_submitter"])
    assert admin.get(f"/campaigns/{campaign.pk}/revision-windows/").status_code == 404
