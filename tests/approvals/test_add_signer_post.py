"""加签 of a post (a role at an organisation): whoever holds that grant decides the added seat;
and who may be added at all (nobody who could not then sign the stage)."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals import audit_events, documents, seals, selectors
from approvals.actions import add_signer, sign_off
from approvals.exceptions import ConsecutiveSignOffForbidden, SeatNotOpenYet
from approvals.models import Nomination, StageSeat
from audit.models import AuditEvent
from config.errors import InvalidInput
from notifications.models import OutboxMessage
from tests.approvals.test_add_signer import at_district, people, task_of  # noqa: F401
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def secretaries(tree):
    return [
        user_with_role(Role.PARTY_SECRETARY, tree.party, username="as_secretary", display_name="赵书记"),
        user_with_role(Role.PARTY_SECRETARY, tree.party, username="as_secretary2", display_name="钱书记"),
    ]


def test_a_post_added_before_is_decided_by_one_of_its_holders_then_the_signer(tree, people, at_district, secretaries):  # noqa: E501, F811
    task = task_of(at_district)
    seat = add_signer(task, actor=people["chief"], role="party_secretary", org_id=tree.party.pk, position="before",
                      reason="请党组织把关")  # fmt: skip
    assert (seat.kind, seat.status, seat.user_id, seat.role, seat.org_id) == (
        "before", "open", None, "party_secretary", tree.party.pk
    )  # fmt: skip
    event = AuditEvent.objects.get(object_id=str(at_district.pk), action=audit_events.SIGNER_ADDED)
    assert (event.data["added_role"], event.data["added_org"], "added" in event.data) == (
        "party_secretary", tree.party.pk, False
    )  # fmt: skip
    message = OutboxMessage.objects.get(kind="signer_added")
    assert message.recipients == {"roles": [["party_secretary", tree.party.pk]]}
    for secretary in secretaries:  # every holder of the post finds it in the inbox
        assert selectors.list_inbox(secretary).filter(pk=at_district.pk).exists()
    with pytest.raises(SeatNotOpenYet):
        sign_off(task, actor=people["chief"], decision="approve", opinion="同意")

    signoff = sign_off(task, actor=secretaries[1], decision="approve", opinion="党组织同意")
    assert (signoff.role, signoff.org_id, signoff.seat_id) == ("party_secretary", tree.party.pk, seat.pk)
    assert not selectors.list_inbox(secretaries[0]).filter(pk=at_district.pk).exists()  # decided once
    sign_off(task, actor=people["chief"], decision="approve", opinion="同意推荐")
    at_district.refresh_from_db()
    assert at_district.stage == "committee_review"
    assert seals.verify_nomination(at_district) == []
    doc = documents.build(at_district, reveal=False, verify_url="")
    assert [(o.stage, o.opinion) for o in doc.opinions if o.stage.startswith("区民政局意见")] == [
        ("区民政局意见（前加签）", "党组织同意"), ("区民政局意见", "同意推荐"),
    ]  # fmt: skip


def test_a_post_added_after_opens_only_when_the_signer_approved(tree, people, at_district, secretaries):  # noqa: F811
    task = task_of(at_district)
    add_signer(task, actor=people["chief"], role="party_secretary", org_id=tree.party.pk, position="after",
               reason="请党组织复核")  # fmt: skip
    with pytest.raises(SeatNotOpenYet):
        sign_off(task, actor=secretaries[0], decision="approve", opinion="同意")
    sign_off(task, actor=people["chief"], decision="approve", opinion="同意")
    at_district.refresh_from_db()
    assert at_district.stage == "district_review"  # the post still to sign
    sign_off(task, actor=secretaries[0], decision="approve", opinion="党组织同意")
    at_district.refresh_from_db()
    assert at_district.stage == "committee_review"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ({}, "invalid_add_signer_target"),
        ({"user_id": "expert", "role": "party_secretary", "org_id": "party"}, "invalid_add_signer_target"),
        ({"role": "party_secretary"}, "invalid_add_signer_target"),
        ({"org_id": "party"}, "invalid_add_signer_target"),
        ({"role": "submitter", "org_id": "unit"}, "invalid_added_signer"),  # not a signing role
        ({"role": "district_reviewer", "org_id": "district"}, "invalid_added_signer"),  # the signer's own post
        ({"role": "unit_leader", "org_id": "unit"}, "invalid_added_signer"),  # held only by the previous signer
        ({"role": "district_reviewer", "org_id": "other_district"}, "invalid_added_signer"),  # cannot read it
        ({"user_id": "leader"}, "invalid_added_signer"),  # signed the previous stage
    ],
)
def test_a_bad_choice_of_person_or_post_is_refused(tree, people, at_district, secretaries, target, code):  # noqa: F811
    values = {"party": tree.party.pk, "unit": tree.unit.pk, "district": tree.district.pk,
              "other_district": tree.other_district.pk, "expert": people["expert"].pk,
              "leader": people["leader"].pk}  # fmt: skip
    kwargs = {key: values.get(value, value) for key, value in target.items()}
    with pytest.raises(InvalidInput) as refused:
        add_signer(task_of(at_district), actor=people["chief"], position="before", reason="请把关", **kwargs)
    assert refused.value.code == code
    assert not StageSeat.objects.filter(task_id=task_of(at_district)).exists()


@pytest.mark.parametrize("position", ["before", "after"])
def test_an_added_signer_signed_the_stage_and_may_not_sign_the_next_one(people, at_district, position):  # noqa: F811
    task = task_of(at_district)
    add_signer(task, actor=people["chief"], user_id=people["committee"].pk, position=position, reason="请组委会把关")
    order = ["committee", "chief"] if position == "before" else ["chief", "committee"]
    for who in order:
        sign_off(task, actor=people[who], decision="approve", opinion="同意")
    at_district.refresh_from_db()
    assert at_district.stage == "committee_review"
    # Nobody signs two stages in a row: the added person signed the district's stage.
    with pytest.raises(ConsecutiveSignOffForbidden):
        sign_off(task_of(at_district), actor=people["committee"], decision="approve", opinion="同意")
    assert Nomination.objects.get(pk=at_district.pk).stage == "committee_review"
