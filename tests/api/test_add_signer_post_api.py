"""加签 of a post through the API: ``{"role", "org"}`` instead of ``{"user"}``, exactly one of them."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def test_a_post_is_added_through_the_api_and_bad_combinations_are_400(tree, submitter, client_for):
    chief = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="api_post_chief")
    expert = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="api_post_expert")
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="api_post_leader")
    secretary = user_with_role(Role.PARTY_SECRETARY, tree.party, username="api_post_secretary")
    n = create_nomination(actor=submitter, campaign=make_campaign(tree.committee), unit=tree.unit, kind="case",
                          title="岗位加签", form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    assert n.task_id is not None
    sign_off(n.task_id, actor=leader, decision="approve", opinion="同意")
    n.refresh_from_db()
    url = f"/api/v1/tasks/{n.task_id}/add-signer"
    post = {"role": "party_secretary", "org": tree.party.pk}

    for bad in ({}, {"user": expert.pk, **post}, {"role": "party_secretary"}, {"org": tree.party.pk}):
        refused = client_for(chief).post(url, {**bad, "position": "before", "reason": "请把关"}, format="json")
        assert refused.status_code == 400, bad
        assert refused.json()["code"] == "invalid_add_signer_target", bad
        assert "二者选其一" in str(refused.json())
    own = client_for(chief).post(
        url, {"role": "district_reviewer", "org": tree.district.pk, "position": "before", "reason": "请把关"},
        format="json",
    )  # fmt: skip
    assert (own.status_code, own.json()["code"]) == (400, "invalid_added_signer")

    added = client_for(chief).post(url, {**post, "position": "after", "reason": "请党组织复核"}, format="json")
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["kind"], body["user"], body["role"], body["org"], body["status"]) == (
        "after", None, "party_secretary", tree.party.pk, "pending"
    )  # fmt: skip
    early = client_for(secretary).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "seat_not_open_yet")
    signed = client_for(chief).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert signed.status_code == 200, signed.content
    assert [t["id"] for t in client_for(secretary).get("/api/v1/tasks").json()["results"]] == [n.task_id]
    done = client_for(secretary).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": "同意"}, format="json")
    assert done.status_code == 200, done.content
    assert client_for(chief).get(f"/api/v1/nominations/{n.pk}").json()["stage"] == "committee_review"
