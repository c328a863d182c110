"""加签: a signer with an open task adds another signer before (前加签) or after (后加签) themselves."""

from __future__ import annotations

import pytest

from accounts.models import Grant
from accounts.roles import OrgKind, Role
from approvals import audit_events, documents, seals, selectors
from approvals.actions import add_signer, create_nomination, sign_off, submit_nomination
from approvals.exceptions import AlreadySignedStage, SeatNotOpenYet
from approvals.models import Nomination, SignOff, StageSeat
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted, NotVisible
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def people(tree):
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="as_leader"),
        "chief": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="as_chief", display_name="王科长"),
        "expert": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="as_expert", display_name="李专家"),
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="as_committee"),
        "other": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="as_other"),
    }


@pytest.fixture
def at_district(tree, submitter, people) -> Nomination:
    campaign = make_campaign(tree.committee)
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="加签案例",
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    sign_off(task_of(n), actor=people["leader"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "district_review"
    return n


def task_of(n: Nomination) -> int:
    assert n.task_id is not None
    return n.task_id


def test_before_the_added_signer_decides_first_then_the_task_returns_to_the_signer(people, at_district):
    task = task_of(at_district)
    seat = add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="before", reason="请专家把关")
    assert (seat.kind, seat.status, seat.user_id) == ("before", "open", people["expert"].pk)
    assert selectors.list_inbox(people["expert"]).filter(pk=at_district.pk).exists()
    event = AuditEvent.objects.get(object_id=str(at_district.pk), action=audit_events.SIGNER_ADDED)
    assert (event.data["added"], event.data["placement"], event.data["reason"]) == (
        people["expert"].pk, "before", "请专家把关"
    )  # fmt: skip
    message = OutboxMessage.objects.get(kind="signer_added")
    assert message.recipients == {"users": [people["expert"].pk]}
    # the signer waits for the added one
    with pytest.raises(SeatNotOpenYet):
        sign_off(task, actor=people["chief"], decision="approve", opinion="同意")

    expert = sign_off(task, actor=people["expert"], decision="approve", opinion="数据属实")
    at_district.refresh_from_db()
    assert at_district.stage == "district_review"  # back with the signer
    assert expert.org_id == at_district.stage_org_id
    sign_off(task, actor=people["chief"], decision="approve", opinion="同意推荐")
    at_district.refresh_from_db()
    assert at_district.stage == "committee_review"
    assert seals.verify_nomination(at_district) == []
    doc = documents.build(at_district, reveal=False, verify_url="")
    assert [(o.stage, o.opinion) for o in doc.opinions if o.stage.startswith("区民政局意见")] == [
        ("区民政局意见（前加签）", "数据属实"), ("区民政局意见", "同意推荐"),
    ]  # fmt: skip


def test_after_the_added_signer_must_approve_before_the_stage_completes(people, at_district):
    task = task_of(at_district)
    add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="after", reason="请专家复核")
    with pytest.raises(InvalidInput) as refused:  # added once
        add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="before", reason="再加")
    assert refused.value.code == "invalid_added_signer"
    with pytest.raises(SeatNotOpenYet):
        sign_off(task, actor=people["expert"], decision="approve", opinion="同意")
    sign_off(task, actor=people["chief"], decision="approve", opinion="同意")
    at_district.refresh_from_db()
    assert at_district.stage == "district_review"
    assert selectors.list_inbox(people["expert"]).filter(pk=at_district.pk).exists()
    assert not selectors.list_inbox(people["chief"]).filter(pk=at_district.pk).exists()
    sign_off(task, actor=people["expert"], decision="approve", opinion="复核无误")
    at_district.refresh_from_db()
    assert at_district.stage == "committee_review"
    decided = list(
        SignOff.objects.filter(nomination=at_district, stage="district_review").values_list("signer_id", "seal_id")
    )
    assert [signer for signer, _seal in decided] == [people["chief"].pk, people["expert"].pk]
    assert all(seal is not None for _signer, seal in decided)
    assert seals.verify_nomination(at_district) == []


def test_a_return_by_the_added_signer_decides_the_stage(people, at_district):
    task = task_of(at_district)
    add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="before", reason="请专家把关")
    sign_off(task, actor=people["expert"], decision="return", opinion="请补充数据")
    at_district.refresh_from_db()
    assert at_district.status == Nomination.Status.RETURNED
    assert dict(StageSeat.objects.filter(task_id=task).values_list("kind", "status")) == {
        "holder": "cancelled", "before": "returned"
    }  # fmt: skip


def test_refusals_have_their_codes(people, at_district, submitter):
    task = task_of(at_district)
    with pytest.raises(InvalidInput) as refused:
        add_signer(task, actor=people["chief"], user_id=people["chief"].pk, position="before", reason="自己")
    assert refused.value.code == "invalid_added_signer"
    with pytest.raises(InvalidInput) as refused:  # cannot read the nomination
        add_signer(task, actor=people["chief"], user_id=people["other"].pk, position="before", reason="外区")
    assert refused.value.code == "invalid_added_signer"
    with pytest.raises(InvalidInput) as refused:  # wrote it
        add_signer(task, actor=people["chief"], user_id=submitter.pk, position="after", reason="填报人")
    assert refused.value.code == "invalid_added_signer"
    with pytest.raises(InvalidInput) as refused:
        add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="middle", reason="理由")
    assert refused.value.code == "invalid_position"
    with pytest.raises(InvalidInput) as refused:
        add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="after", reason="  ")
    assert refused.value.code == "add_signer_reason_required"
    with pytest.raises(NotPermitted):  # reads it, but this task is not theirs
        add_signer(task, actor=people["committee"], user_id=people["expert"].pk, position="after", reason="理由")
    with pytest.raises(NotVisible):
        add_signer(task, actor=people["other"], user_id=people["expert"].pk, position="after", reason="理由")
    assert not StageSeat.objects.filter(task_id=task).exists()  # nothing written by a refusal
    # the added signer adds nobody, and is added once
    add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="before", reason="请专家把关")
    with pytest.raises(NotPermitted):
        add_signer(task, actor=people["expert"], user_id=people["committee"].pk, position="after", reason="再加")
    with pytest.raises(SeatNotOpenYet):  # the signer waits for the one they added
        add_signer(task, actor=people["chief"], user_id=people["committee"].pk, position="after", reason="再加")


def test_an_added_signer_signs_once_per_visit(people, at_district):
    task = task_of(at_district)
    add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="before", reason="请专家把关")
    sign_off(task, actor=people["expert"], decision="approve", opinion="同意")
    # the expert also holds the stage's role: their one decision at this visit is made
    with pytest.raises(AlreadySignedStage):
        sign_off(task, actor=people["expert"], decision="approve", opinion="再签")


def test_adding_a_signer_to_a_cosign_holder_keeps_the_other_holder(tree, submitter, people):
    social = OrganizationFactory.create(
        name="浦东新区社工部", code="AS-PDSG", kind=OrgKind.DISTRICT, parent=tree.district
    )
    social_reviewer = user_with_role(Role.DISTRICT_REVIEWER, social, username="as_social")
    campaign = make_campaign(tree.committee, title="会签加签")
    campaign.stages.filter(key="district_review").update(
        holders=[{"role": "district_reviewer", "signer_org": "district", "department": ""},
                 {"role": "district_reviewer", "signer_org": "district", "department": "社工部"}],
        mode="any",
    )  # fmt: skip
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="或签加签",
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    sign_off(task_of(n), actor=people["leader"], decision="approve", opinion="同意")
    n.refresh_from_db()
    task = task_of(n)
    add_signer(task, actor=people["chief"], user_id=people["expert"].pk, position="after", reason="请专家复核")
    sign_off(task, actor=people["chief"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "district_review"  # 或签, but the bureau's group waits for its 后加签
    assert Grant.objects.filter(user=social_reviewer).exists()
    sign_off(task, actor=people["expert"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "committee_review"
    assert dict(StageSeat.objects.filter(task_id=task).values_list("position", "status")) == {
        0: "approved", 1: "cancelled", 2: "approved"
    }  # fmt: skip
