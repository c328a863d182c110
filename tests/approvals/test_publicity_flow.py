"""公示 end to end from the real sign-off chain; evidence reads; two committee members deciding at once."""

from __future__ import annotations

import io
import threading

import pytest
import time_machine
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.models import Nomination, Objection, Revocation
from audit.models import AuditEvent
from config.errors import SealflowError
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import local
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.models import Campaign

people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits


pytestmark = pytest.mark.usefixtures("seal_key_file")


@pytest.mark.django_db
def test_from_the_last_seal_to_final(tree, submitter, calendar_seeded, client_for) -> None:
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader_e2e")
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district_e2e")
    committee = user_with_role(Role.COMMITTEE, tree.committee, username="committee_e2e")
    campaign = make_campaign(tree.committee, publicity_days=3, publicity_working_days=True)
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="端到端案例", form=valid_case_form()
    )
    nomination = submit_nomination(draft.pk, actor=submitter)
    for user in (leader, district, committee):
        nomination.refresh_from_db()
        response = client_for(user).post(
            f"/api/v1/tasks/{nomination.task_id}/approve", {"opinion": "同意"}, format="json"
        )
        assert response.status_code == 200, response.content
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPROVED
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.REVIEWING)
    api = client_for(committee)
    # Published on Friday 2026-02-13: Friday, the make-up Saturday, then Tuesday after the festival.
    with time_machine.travel(local(2026, 2, 13, 15, 0), tick=False):
        started = api.post(f"/api/v1/campaigns/{campaign.pk}/publicity", {}, format="json")
    assert started.json()["ends_at"] == "2026-02-24T23:59:59+08:00"
    with time_machine.travel(local(2026, 2, 24, 23, 0), tick=False):
        assert api.post(f"/api/v1/campaigns/{campaign.pk}/finalize").json()["code"] == "publicity_running"
    with time_machine.travel(local(2026, 2, 25, 0, 0), tick=False):
        done = api.post(f"/api/v1/campaigns/{campaign.pk}/finalize")
    assert done.status_code == 200
    assert done.json()["final"] == [nomination.pk]
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.FINAL
    # The seals still verify after publicity and finalisation (status is not sealed content).
    assert api.get(f"/api/v1/nominations/{nomination.pk}/verify").json()["valid"] is True


@pytest.mark.django_db
def test_evidence_is_for_the_committee_only_and_each_download_is_audited(client_for, people, scene) -> None:
    client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "赵异议签名.png"
    body = {**publicity_helpers.objection_body(scene.first), "evidence": buffer}
    assert APIClient().post("/api/v1/public/objections", body).status_code == 201
    objection = Objection.objects.get()
    evidence = objection.evidence.get()
    url = f"/api/v1/objections/{objection.pk}/evidence/{evidence.pk}"
    download = client_for(people.committee).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    reads = AuditEvent.objects.filter(action="objection.identity_read", object_id=str(objection.pk))
    assert [e.data for e in reads] == [{"evidence": evidence.pk}]
    assert client_for(people.submitter).get(url).status_code == 403
    assert client_for(people.judge).get(url).status_code == 404
    assert reads.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_members_deciding_at_once_record_one_decision(tree, submitter, calendar_seeded) -> None:
    committee = [user_with_role(Role.COMMITTEE, tree.committee, username=f"cmt_race{i}") for i in range(2)]
    campaign = make_campaign(tree.committee, status=Campaign.Status.REVIEWING, publicity_days=5)
    nomination = publicity_helpers.approved(campaign, tree.unit, tree.district, submitter, "并发案例")
    publicity_actions.start_publicity(campaign.pk, actor=committee[0])
    objection = objection_actions.file_objection(
        nomination.pk, objector=objection_actions.ObjectorInput(kind="person", name="孙某", phone="13900003333"),
        content="并发处理同一件异议的测试内容。",
    )  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(member, outcome: str) -> None:
        try:
            barrier.wait()
            objection_actions.decide_objection(objection.pk, actor=member, outcome=outcome, finding="核实")
            outcomes.append(outcome)
        except SealflowError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(committee[0], "upheld")),
        threading.Thread(target=decide, args=(committee[1], "dismissed")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("objection_already_decided") == 1
    objection.refresh_from_db()
    nomination.refresh_from_db()
    assert AuditEvent.objects.filter(action="objection.decided").count() == 1
    if objection.status == Objection.Status.UPHELD:
        assert nomination.status == Nomination.Status.REVOKED
        assert Revocation.objects.count() == 1
    else:
        assert nomination.status == Nomination.Status.IN_PUBLICITY
        assert not Revocation.objects.exists()
