"""代签 (proxy): a stage holder names a delegate for a period; the delegate decides as the holder could."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Grant
from accounts.roles import Role
from approvals import audit_events, documents, seals, selectors
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.actions.delegations import create_delegation, revoke_delegation
from approvals.models import Delegation, Nomination, SignOff
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def people(tree):
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="d_chief")
    deputy = user_with_role(Role.SUBMITTER, tree.district, username="d_deputy")  # a colleague, not a reviewer
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="u_leader"),
        "district": district,
        "deputy": deputy,
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="c_member"),
        "outsider": user_with_role(Role.SUBMITTER, tree.other_district, username="o_user"),
    }


@pytest.fixture
def at_district(tree, submitter, people):
    campaign = make_campaign(tree.committee)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    nomination = submit_nomination(nomination.pk, actor=submitter)
    assert nomination.task_id is not None
    sign_off(nomination.task_id, actor=people["leader"], decision="approve", opinion="同意")
    nomination.refresh_from_db()
    assert nomination.stage == "district_review"
    return nomination


def delegate(people, tree, **kwargs):
    now = timezone.now()
    args = {"actor": people["district"], "delegate_id": people["deputy"].pk, "role": Role.DISTRICT_REVIEWER,
            "org_id": tree.district.pk, "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7),
            "reason": "出差"}  # fmt: skip
    args.update(kwargs)
    return create_delegation(**args)


def test_the_delegate_sees_decides_and_is_printed_as_proxy_with_both_names(tree, people, at_district, client_for):
    # given: the district reviewer names a colleague as delegate for a week
    response = client_for(people["district"]).post(
        "/api/v1/delegations",
        {"delegate": people["deputy"].pk, "role": "district_reviewer", "org": tree.district.pk,
         "starts_at": (timezone.now() - timedelta(hours=1)).isoformat(),
         "ends_at": (timezone.now() + timedelta(days=7)).isoformat(), "reason": "出差"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["active"] is True

    # then: the task is in the delegate's inbox
    inbox = client_for(people["deputy"]).get("/api/v1/tasks").json()["results"]
    assert [t["id"] for t in inbox] == [at_district.task_id]

    # when: the delegate approves
    decided = client_for(people["deputy"]).post(
        f"/api/v1/tasks/{at_district.task_id}/approve", {"opinion": "同意推荐"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["on_behalf_of"] == people["district"].label
    assert decided.json()["signer"] == people["deputy"].label

    # then: recorded with both names, sealed with the district's seal, audited as a proxy decision
    signoff = SignOff.objects.get(nomination=at_district, stage="district_review")
    assert (signoff.signer_id, signoff.on_behalf_of_id) == (people["deputy"].pk, people["district"].pk)
    assert signoff.seal is not None
    assert signoff.seal.key.org_id == tree.district.pk
    event = AuditEvent.objects.get(
        object_id=str(at_district.pk), action=audit_events.NOMINATION_SIGNED_OFF, data__stage="district_review"
    )
    assert event.data["on_behalf_of"] == people["district"].pk
    assert event.actor_id == people["deputy"].pk
    n = Nomination.objects.get(pk=at_district.pk)
    assert seals.verify_nomination(n) == []
    doc = documents.build(n, reveal=False, verify_url="")
    printed = {o.stage: o.signer for o in doc.opinions}
    assert (
        printed["区民政局意见"] == f"{people['district'].display_name}（{people['deputy'].display_name}代签）"
    )  # names, no accounts
    assert AuditEvent.objects.filter(action=audit_events.DELEGATION_CREATED).count() == 1


def test_a_revoked_or_expired_delegation_lets_nothing_through(tree, people, at_district, client_for):
    d = delegate(people, tree)
    revoke_delegation(d.pk, actor=people["district"])
    assert AuditEvent.objects.filter(action=audit_events.DELEGATION_REVOKED, object_id=str(d.pk)).exists()
    response = client_for(people["deputy"]).post(
        f"/api/v1/tasks/{at_district.task_id}/approve", {"opinion": ""}, format="json"
    )
    assert response.status_code == 404
    assert not selectors.list_inbox(people["deputy"]).exists()

    later = delegate(people, tree, starts_at=timezone.now() + timedelta(days=1))
    assert not selectors.list_inbox(people["deputy"]).exists()
    assert (
        client_for(people["deputy"])
        .post(f"/api/v1/tasks/{at_district.task_id}/approve", {}, format="json")
        .status_code
        == 404
    )
    assert later.pk
    assert not SignOff.objects.filter(nomination=at_district, stage="district_review").exists()


def test_a_proxy_cannot_approve_what_its_principal_could_not(tree, people, at_district, client_for):
    # given: the principal lost the role after naming the delegate
    delegate(people, tree)
    Grant.objects.filter(user=people["district"], role=Role.DISTRICT_REVIEWER).delete()

    response = client_for(people["deputy"]).post(
        f"/api/v1/tasks/{at_district.task_id}/approve", {"opinion": ""}, format="json"
    )

    assert response.status_code == 404
    assert not SignOff.objects.filter(nomination=at_district, stage="district_review").exists()


def test_a_proxy_never_decides_work_its_principal_or_itself_wrote(tree, people, submitter, client_for):
    # the principal wrote it: the proxy may not approve it for them
    campaign = make_campaign(tree.committee)
    unit_sub = user_with_role(Role.UNIT_LEADER, tree.unit, username="u_leader2")
    Grant.objects.create(user=unit_sub, role=Role.SUBMITTER, org=tree.unit)
    colleague = user_with_role(Role.SUBMITTER, tree.unit, username="u_colleague")
    n = create_nomination(
        actor=unit_sub, campaign=campaign, unit=tree.unit, kind="case", title="自写", form=valid_case_form()
    )
    n = submit_nomination(n.pk, actor=unit_sub)
    now = timezone.now()
    create_delegation(actor=unit_sub, delegate_id=colleague.pk, role=Role.UNIT_LEADER, org_id=tree.unit.pk,
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))  # fmt: skip
    response = client_for(colleague).post(f"/api/v1/tasks/{n.task_id}/approve", {"opinion": ""}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "self_approval_forbidden"

    # the delegate wrote it: nor its own work
    own = create_nomination(actor=colleague, campaign=make_campaign(tree.committee), unit=tree.unit, kind="case",
                            title="代签人自写", form=valid_case_form())  # fmt: skip
    own = submit_nomination(own.pk, actor=colleague)
    response = client_for(colleague).post(f"/api/v1/tasks/{own.task_id}/approve", {"opinion": ""}, format="json")
    assert response.status_code == 403
    assert not SignOff.objects.filter(nomination__in=[n, own]).exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"role": Role.CITY_REVIEWER}, "invalid_role"),
        ({"delegate_id": "outsider"}, "invalid_delegate"),
        ({"delegate_id": "district"}, "invalid_delegate"),
        ({"ends_at": "past"}, "invalid_period"),
        ({"ends_at": "long"}, "invalid_period"),
    ],
)
def test_a_delegation_is_refused_for_a_role_not_held_a_stranger_or_a_bad_period(tree, people, change, code):
    from config.errors import InvalidInput

    now = timezone.now()
    values = {"past": now - timedelta(minutes=1), "long": now + timedelta(days=400)}
    kwargs = {k: people[v].pk if k == "delegate_id" else values.get(v, v) for k, v in change.items()}
    with pytest.raises(InvalidInput) as refused:
        delegate(people, tree, **kwargs)
    assert refused.value.code == code
    assert not Delegation.objects.exists()


def test_only_the_principal_revokes_and_only_once(tree, people):
    from config.errors import NotVisible, StateConflict

    d = delegate(people, tree)
    with pytest.raises(NotVisible):
        revoke_delegation(d.pk, actor=people["deputy"])
    revoke_delegation(d.pk, actor=people["district"])
    with pytest.raises(StateConflict):
        revoke_delegation(d.pk, actor=people["district"])
