"""公示: start (computed and explicit windows), the public list and its cache, objections at the
window's edges, decisions, revocation, claw-back and bars, finalisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from rest_framework.test import APIClient

from approvals.actions import objections as objection_actions
from approvals.exceptions import SubmissionBarred
from approvals.models import Nomination, Objection, PublicityRound, Revocation
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene, local, objection_body
from workflows.models import Campaign

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
generous_objection_limits = publicity_helpers.generous_objection_limits
calendar_seeded = publicity_helpers.calendar_seeded


def _start(client_for, people: People, scene: Scene, **body):
    return client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", body, format="json")


def _events(target, action: str) -> int:
    object_type = target._meta.label_lower
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(target.pk), action=action).count()


# --- start ------------------------------------------------------------------------------------


def test_start_computes_the_end_in_working_days_over_national_day(client_for, people, scene) -> None:
    with time_machine.travel(local(2026, 9, 30, 10, 0), tick=False):
        response = _start(client_for, people, scene)
    assert response.status_code == 200, response.json()
    body = response.json()
    # 09-30 is day 1, then 10-01..10-07 holiday, 10-08, 10-09: 3 days… five working days end on 10-10 (调休 Saturday)
    # and 10-12: 09-30, 10-08, 10-09, 10-10, 10-12.
    assert body["ends_at"] == "2026-10-12T23:59:59+08:00"
    assert body["starts_at"] == "2026-09-30T10:00:00+08:00"
    assert sorted(body["nominations"]) == sorted([scene.first.pk, scene.second.pk, scene.other.pk])
    assert set(Nomination.objects.values_list("status", flat=True)) == {"in_publicity"}
    scene.campaign.refresh_from_db()
    assert scene.campaign.status == Campaign.Status.PUBLICITY
    assert _events(scene.campaign, "publicity.started") == 1
    assert _events(scene.first, "publicity.started") == 1


def test_start_in_calendar_days_without_counting_the_publication_day(client_for, people, scene) -> None:
    Campaign.objects.filter(pk=scene.campaign.pk).update(
        publicity_days=7, publicity_working_days=False, publicity_counts_publication_day=False
    )
    with time_machine.travel(local(2025, 12, 28, 9, 0), tick=False):
        response = _start(client_for, people, scene)
    assert response.json()["ends_at"] == "2026-01-04T23:59:59+08:00"


def test_start_with_an_explicit_window(client_for, people, scene) -> None:
    response = _start(client_for, people, scene, starts_at="2026-03-02T09:00:00+08:00", ends_at="2026-03-06")
    assert response.status_code == 200
    assert response.json()["ends_at"] == "2026-03-06T23:59:59+08:00"
    bad = _start(client_for, people, scene, starts_at="2026-03-02T09:00:00+08:00", ends_at="2026-03-01")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_window"
    # Nothing approved is left for a second round.
    again = _start(client_for, people, scene, starts_at="2026-03-02T09:00:00+08:00", ends_at="2026-03-09")
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_to_publicise"


def test_start_refuses_a_window_into_an_uncovered_year_and_changes_nothing(client_for, people, scene) -> None:
    with time_machine.travel(local(2026, 12, 28, 9, 0), tick=False):
        response = _start(client_for, people, scene)
    assert response.status_code == 409
    assert response.json()["code"] == "calendar_not_covered"
    assert "2027" in response.json()["detail"]
    assert set(Nomination.objects.values_list("status", flat=True)) == {"approved"}
    assert not PublicityRound.objects.exists()


@pytest.mark.parametrize("who", ["campaign_admin", "judge", "district_reviewer", "submitter", "other_committee"])
def test_only_the_host_committee_starts_publicity(client_for, people, scene, who) -> None:
    response = client_for(getattr(people, who)).post(
        f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json"
    )
    assert response.status_code in (403, 404)
    assert not PublicityRound.objects.exists()


# --- the public list ----------------------------------------------------------------------------


def test_public_list_masks_personal_data_and_is_served_from_the_cache(
    client_for, people, scene, django_assert_num_queries
) -> None:
    _start(client_for, people, scene)
    anonymous = APIClient()
    url = f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity"
    response = anonymous.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "11010519491231002X" not in text
    assert "13812345678" not in text
    assert "1101**********002X" in text
    assert "138****5678" in text
    # Fields outside the summary (contact phone, ID of the leader, members) are absent.
    assert "张三" not in text
    assert "contact_phone" not in text
    entries = response.json()["rounds"][0]["entries"]
    assert {e["title"] for e in entries} == {"陆家嘴助老服务", "陆家嘴便民服务", "南京东路案例"}
    assert response.json()["rounds"][0]["open"] is True
    with django_assert_num_queries(0):
        assert anonymous.get(url).content == response.content
    page = anonymous.get(f"/publicity/{scene.campaign.pk}")
    assert page.status_code == 200
    assert "陆家嘴助老服务" in page.content.decode()


def test_public_list_is_invalidated_when_a_nomination_is_revoked(
    client_for, people, scene, django_capture_on_commit_callbacks
) -> None:
    _start(client_for, people, scene)
    url = f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity"
    assert len(APIClient().get(url).json()["rounds"][0]["entries"]) == 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(people.committee).post(
            f"/api/v1/nominations/{scene.second.pk}/revoke", {"reason": "材料不实"}, format="json"
        )
    assert len(callbacks) == 1  # the cache invalidation (the notification is an outbox row)
    assert OutboxMessage.objects.filter(kind="nomination_revoked", payload__nomination=scene.second.pk).count() == 1
    assert response.status_code == 200, response.json()
    titles = {e["title"] for e in APIClient().get(url).json()["rounds"][0]["entries"]}
    assert titles == {"陆家嘴助老服务", "南京东路案例"}


def test_public_list_of_a_campaign_without_publicity_is_404(scene) -> None:
    assert APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity").status_code == 404


# --- objections at the window's edges -------------------------------------------------------------


def _explicit_window(client_for, people, scene) -> None:
    response = _start(client_for, people, scene, starts_at="2026-03-02T09:00:00+08:00", ends_at="2026-03-06")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (local(2026, 3, 2, 8, 59, 59), 409),  # a second before the window opens
        (local(2026, 3, 2, 9, 0, 0), 201),  # the first second
        (local(2026, 3, 6, 23, 59, 59), 201),  # the last second
        (local(2026, 3, 7, 0, 0, 0), 409),  # a second after
    ],
)
def test_objection_window_boundaries_at_the_second(client_for, people, scene, when, expected) -> None:
    _explicit_window(client_for, people, scene)
    with time_machine.travel(when, tick=False):
        response = APIClient().post("/api/v1/public/objections", objection_body(scene.first), format="json")
    assert response.status_code == expected, response.json()
    if expected == 409:
        assert response.json()["code"] == "publicity_closed"
        assert not Objection.objects.exists()
    else:
        assert len(response.json()["receipt"]) == 24


def test_anonymous_and_malformed_objections_are_400(client_for, people, scene) -> None:
    _explicit_window(client_for, people, scene)
    api = APIClient()
    with time_machine.travel(local(2026, 3, 3, 10, 0), tick=False):
        anonymous = api.post("/api/v1/public/objections", objection_body(scene.first, name=""), format="json")
        assert anonymous.status_code == 400
        assert anonymous.json()["code"] == "objection_anonymous"
        assert "匿名异议不予受理" in anonymous.json()["detail"]
        unit = api.post("/api/v1/public/objections", objection_body(scene.first, objector_kind="unit"), format="json")
        assert unit.json()["code"] == "objection_anonymous"
        assert set(unit.json()["errors"]) == {"unit_name", "unit_contact"}
        assert (
            api.post("/api/v1/public/objections", objection_body(scene.first, content=" "), format="json").status_code
            == 400
        )
        assert (
            api.post("/api/v1/public/objections", objection_body(scene.first, phone="12ab"), format="json").status_code
            == 400
        )
        malformed = api.post("/api/v1/public/objections", "{not json", content_type="application/json")
        assert malformed.status_code == 400
        assert (
            api.post(
                "/api/v1/public/objections", {**objection_body(scene.first), "nomination": 999999}, format="json"
            ).status_code
            == 404
        )
    assert not Objection.objects.exists()


def test_objection_with_evidence_and_receipt_shows_status_and_response_only(client_for, people, scene) -> None:
    import io

    from PIL import Image

    _explicit_window(client_for, people, scene)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "签名扫描件.png"
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf at all")
    fake.name = "evidence.pdf"
    with time_machine.travel(local(2026, 3, 3, 10, 0), tick=False):
        rejected = APIClient().post("/api/v1/public/objections", {**objection_body(scene.first), "evidence": fake})
        assert rejected.status_code == 400
        response = APIClient().post("/api/v1/public/objections", {**objection_body(scene.first), "evidence": buffer})
    assert response.status_code == 201, response.json()
    objection = Objection.objects.get()
    assert objection.evidence.get().type == "png"
    receipt = response.json()["receipt"]
    view = APIClient().get(f"/api/v1/public/objections/{receipt}").json()
    assert view["status"] == "received"
    assert view["response"] == ""
    assert "赵异议" not in str(view)
    assert "13900001111" not in str(view)
    assert APIClient().get("/api/v1/public/objections/AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404


# --- decide, revoke, finalise ------------------------------------------------------------------------


def _file(scene: Scene, nomination: Nomination | None = None) -> Objection:
    return objection_actions.file_objection(
        (nomination or scene.first).pk,
        objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
        content="该案例的服务对象数量与实际不符，请核实。",
    )


def test_upheld_revokes_the_nomination_in_the_same_transaction(client_for, people, scene) -> None:
    _start(client_for, people, scene)
    objection = _file(scene)
    response = client_for(people.committee).post(
        f"/api/v1/objections/{objection.pk}/decide", {"outcome": "upheld", "finding": "经核实服务对象数量虚报。"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    scene.first.refresh_from_db()
    assert scene.first.status == Nomination.Status.REVOKED
    revocation = Revocation.objects.get(nomination=scene.first)
    assert revocation.objection_id == objection.pk
    assert revocation.status_before == "in_publicity"
    assert _events(objection, "objection.decided") == 1
    assert _events(scene.first, "nomination.revoked") == 1
    receipt = APIClient().get(f"/api/v1/public/objections/{objection.receipt}").json()
    assert receipt["status"] == "upheld"
    assert "异议成立" in receipt["response"]
    again = client_for(people.committee).post(
        f"/api/v1/objections/{objection.pk}/decide", {"outcome": "dismissed", "finding": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "objection_already_decided"


def test_a_failing_revocation_rolls_back_the_decision(client_for, people, scene) -> None:
    _start(client_for, people, scene)
    objection = _file(scene)
    # A stray revocation row makes the revocation's insert fail (one per nomination) after the
    # objection row has been updated: nothing of the decision may remain.
    Revocation.objects.create(
        nomination=scene.first, reason="stray", status_before="x", revoked_by=people.committee,
        revoked_at=scene.first.created_at,
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        objection_actions.decide_objection(objection.pk, actor=people.committee, outcome="upheld", finding="核实属实")
    objection.refresh_from_db()
    scene.first.refresh_from_db()
    assert objection.status == Objection.Status.RECEIVED
    assert objection.finding == ""
    assert scene.first.status == Nomination.Status.IN_PUBLICITY
    assert _events(objection, "objection.decided") == 0
    assert _events(scene.first, "nomination.revoked") == 0


def test_dismissed_keeps_the_nomination_and_publishes_the_response(client_for, people, scene) -> None:
    _start(client_for, people, scene)
    objection = _file(scene)
    objection_actions.decide_objection(
        objection.pk,
        actor=people.committee,
        outcome="dismissed",
        finding="经核实情况属实。",
        response="经核实，异议不成立。",
    )
    scene.first.refresh_from_db()
    assert scene.first.status == Nomination.Status.IN_PUBLICITY
    assert (
        APIClient().get(f"/api/v1/public/objections/{objection.receipt}").json()["response"] == "经核实，异议不成立。"
    )


def test_finalize_refused_while_the_window_runs_or_an_objection_is_open_then_allowed(
    client_for, people, scene
) -> None:
    committee = client_for(people.committee)
    url = f"/api/v1/campaigns/{scene.campaign.pk}/finalize"
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        _explicit_window(client_for, people, scene)
        objection = _file(scene, scene.second)
        running = committee.post(url)
    assert running.status_code == 409
    assert running.json()["code"] == "publicity_running"
    with time_machine.travel(local(2026, 3, 7, 0, 0, 1), tick=False):
        still_open = committee.post(url)
        assert still_open.status_code == 409
        assert still_open.json()["code"] == "objections_open"
        objection_actions.decide_objection(objection.pk, actor=people.committee, outcome="upheld", finding="属实")
        assert client_for(people.campaign_admin).post(url).status_code == 403
        done = committee.post(url)
    assert done.status_code == 200, done.json()
    assert sorted(done.json()["final"]) == sorted([scene.first.pk, scene.other.pk])
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses == {scene.first.pk: "final", scene.other.pk: "final", scene.second.pk: "revoked"}
    scene.campaign.refresh_from_db()
    assert scene.campaign.status == Campaign.Status.FINISHED
    assert _events(scene.campaign, "campaign.finalized") == 1
    assert committee.post(url).status_code == 409


def test_revoke_after_final_records_claw_back_and_bars_the_unit(client_for, people, scene) -> None:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        _explicit_window(client_for, people, scene)
    committee = client_for(people.committee)
    early = committee.post(
        f"/api/v1/nominations/{scene.first.pk}/revoke",
        {"reason": "材料造假", "recover": {"prize_money": "2000.00", "certificate": True}},
        format="json",
    )
    assert early.status_code == 400
    assert early.json()["code"] == "recovery_only_after_final"
    with time_machine.travel(local(2026, 3, 9, 9, 0), tick=False):
        assert committee.post(f"/api/v1/campaigns/{scene.campaign.pk}/finalize").status_code == 200
        response = committee.post(
            f"/api/v1/nominations/{scene.first.pk}/revoke",
            {"reason": "获奖后发现材料造假", "recover": {"prize_money": "2000.00", "certificate": True},
             "bar": {"years": 6, "unit": True}, "publish": True},
            format="json",
        )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "revoked"
    assert body["recover_certificate"] is True
    assert body["bars"][0]["until"] == "2032-03-09"
    revocation = Revocation.objects.get(nomination=scene.first)
    assert str(revocation.recover_prize_money) == "2000.00"
    assert revocation.status_before == "final"
    notice = PublicityRound.objects.get(kind=PublicityRound.Kind.REVOCATION)
    public = APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity").json()
    assert public["rounds"][0]["kind"] == "revocation"
    assert public["rounds"][0]["title"] == notice.title
    assert public["rounds"][0]["entries"][0]["title"] == "陆家嘴助老服务"
    # A later campaign: the barred unit may not submit.
    from approvals.actions import create_nomination, submit_nomination
    from tests.campaigns import make_campaign, valid_case_form

    later = make_campaign(scene.campaign.host_org, title="下一届")
    draft = create_nomination(
        actor=people.submitter,
        campaign=later,
        unit=scene.first.unit,
        kind="case",
        title="新申报",
        form=valid_case_form(),
    )
    with pytest.raises(SubmissionBarred):
        submit_nomination(draft.pk, actor=people.submitter)


def test_revoke_is_refused_before_approval_and_for_non_committee(client_for, people, scene) -> None:
    Nomination.objects.filter(pk=scene.first.pk).update(status=Nomination.Status.IN_REVIEW)
    response = client_for(people.committee).post(
        f"/api/v1/nominations/{scene.first.pk}/revoke", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "nomination_not_revocable"
    response = client_for(people.district_reviewer).post(
        f"/api/v1/nominations/{scene.second.pk}/revoke", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not Revocation.objects.exists()


def test_two_rounds_of_publicity(client_for, people, scene) -> None:
    Nomination.objects.filter(pk=scene.other.pk).update(status=Nomination.Status.IN_REVIEW)
    assert _start(client_for, people, scene).status_code == 200
    Nomination.objects.filter(pk=scene.other.pk).update(status=Nomination.Status.APPROVED)
    second = _start(client_for, people, scene, title="复审结果公示")
    assert second.status_code == 200
    assert second.json()["number"] == 2
    assert second.json()["nominations"] == [scene.other.pk]
    public = APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity").json()
    assert [r["number"] for r in public["rounds"]] == [2, 1]


def test_window_is_stored_as_two_instants(client_for, people, scene) -> None:
    with time_machine.travel(local(2022, 10, 31, 9, 30), tick=False):
        _start(client_for, people, scene)
    publicity_round = PublicityRound.objects.get()
    assert publicity_round.ends_at - publicity_round.starts_at == timedelta(days=4, hours=14, minutes=29, seconds=59)
