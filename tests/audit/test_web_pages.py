"""The auditor's pages: the trail filtered, paged and exported, the verification, and refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from audit import audit_events
from audit.models import AuditEvent
from config.documents import csv_cell
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SEALFLOW_SEAL_KEY_FILE = str(tmp_path / "seal-master.key")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(tree, submitter):
    campaign = make_campaign(tree.committee)
    return create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老", form=valid_case_form()
    )


def test_auditor_filters_pages_and_exports_the_trail(draft, submitter, auditor):
    submit_nomination(draft.pk, actor=submitter)
    client = login(auditor)
    page = client.get(f"/audit/?object=nomination:{draft.pk}").content.decode()
    assert client.get(f"/audit/?object=申报:{draft.pk}").context["events"][0].object_id == str(draft.pk)
    assert "提交申报" in page
    assert "创建申报" in page
    export = client.get(f"/audit/export.csv?object=nomination:{draft.pk}")
    csv = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    # Everything the auditor reads is Chinese: actions, objects, content keys.
    assert "提交申报" in csv
    assert "nomination.submitted" not in csv
    assert f",申报,{draft.pk}," in csv
    assert csv.startswith("\ufeff")
    assert f"申报 {draft.pk}" in page
    assert "approvals.nomination" not in page
    verify = client.post("/audit/verify").content.decode()
    assert "审计链完整" in verify
    assert AuditEvent.objects.filter(action=audit_events.AUDIT_VERIFIED, actor_id=auditor.pk).exists()


def test_stages_read_by_their_names_on_the_page_and_in_the_csv(draft, submitter, auditor):
    """Issue 18: content shows the stage's Chinese name (区民政局意见), not its key (district_review)."""
    submitted = submit_nomination(draft.pk, actor=submitter)
    assert submitted.task_id is not None
    sign_off(submitted.task_id, actor=user_with_role(Role.UNIT_LEADER, draft.unit), decision="approve", opinion="同意")
    client = login(auditor)

    page = client.get(f"/audit/?object=nomination:{draft.pk}").content.decode()
    export = client.get(f"/audit/export.csv?object=nomination:{draft.pk}")
    csv = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]

    for text in (page, csv):
        assert "环节" in text
        assert "单位意见" in text
        assert "unit_opinion" not in text
        assert "district_review" not in text
    # the stage names are read once for the page, not once per event
    with CaptureQueriesContext(connection) as counted:
        client.get(f"/audit/?object=nomination:{draft.pk}")
    assert sum('"workflows_stage"' in q["sql"] for q in counted.captured_queries) == 1


def test_audit_keyset_paging_moves_past_the_last_id(auditor):
    # 55 events of one action: the auditor's own verifications; a page holds 50.
    client = login(auditor)
    for _ in range(55):
        client.post("/audit/verify")
    first = client.get("/audit/?action=audit.verified")
    assert first.context["next_query"]
    last_id = first.context["events"][-1].pk
    second = client.get(f"/audit/?action=audit.verified&after={last_id}")
    assert all(e.pk > last_id for e in second.context["events"])
    assert len(second.context["events"]) == 5


def test_no_one_but_the_auditor_reads_the_trail_and_the_refusal_is_audited(submitter):
    response = login(submitter).get("/audit/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED, actor_id=submitter.pk).exists()
    assert login(submitter).get("/audit/export.csv").status_code == 403


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("张三") == "张三"
