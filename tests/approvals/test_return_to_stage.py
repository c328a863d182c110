"""退回到指定环节: a signer returns a nomination to an earlier stage, the later stages run again."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals import audit_events, documents, seals
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.models import Nomination, Seal, SignOff
from approvals.web.nominations import timeline
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role
from workflows.models import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@dataclass
class Chain:
    unit: Organization
    nomination: Nomination
    signers: dict[str, User]


STAGES = [
    ("unit_opinion", "单位意见", Role.UNIT_LEADER, "unit", False),
    ("district_review", "区民政局推荐", Role.DISTRICT_REVIEWER, "district", True),
    ("city_review", "市民政局审核", Role.CITY_REVIEWER, "city", True),
    ("committee_review", "组委会意见", Role.COMMITTEE, "host", True),
]


@pytest.fixture
def chain(db) -> Chain:
    """单位 → 区民政局 (seal) → 市民政局 (seal) → 组委会 (seal), one nomination submitted."""
    city = OrganizationFactory.create(name="济宁市民政局", code="R-JN", kind=OrgKind.CITY)
    committee = OrganizationFactory.create(name="评审组委会", code="R-JN-CMT", kind=OrgKind.COMMITTEE, parent=city)
    district = OrganizationFactory.create(name="泗水县民政局", code="R-JN-SS", kind=OrgKind.DISTRICT, parent=city)
    unit = OrganizationFactory.create(
        name="泗水县儿童福利指导中心", code="R-JN-SS-U", kind=OrgKind.UNIT, parent=district
    )
    campaign = make_campaign(committee)
    campaign.stages.all().delete()
    for i, (key, name, role, where, seal) in enumerate(STAGES):
        Stage.objects.create(campaign=campaign, position=i, key=key, name=name, role=role, signer_org=where, seal=seal)
    submitter = user_with_role(Role.SUBMITTER, unit, username="r_sub")
    signers = {
        "unit_opinion": user_with_role(Role.UNIT_LEADER, unit, username="r_leader"),
        "district_review": user_with_role(Role.DISTRICT_REVIEWER, district, username="r_district"),
        "city_review": user_with_role(Role.CITY_REVIEWER, city, username="r_city"),
        "committee_review": user_with_role(Role.COMMITTEE, committee, username="r_committee"),
    }
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=unit, kind="case", title="呵护农村孤困儿童成长",
        form=valid_case_form(),
    )  # fmt: skip
    return Chain(unit, submit_nomination(nomination.pk, actor=submitter), signers)


def post(client_for, user: User, nomination: Nomination, decision: str, body: dict):
    nomination.refresh_from_db()
    return client_for(user).post(f"/api/v1/tasks/{nomination.task_id}/{decision}", body, format="json")


def approve(client_for, chain: Chain, stage: str) -> None:
    chain.nomination.refresh_from_db()
    assert chain.nomination.stage == stage
    response = post(client_for, chain.signers[stage], chain.nomination, "approve", {"opinion": "同意推荐"})
    assert response.status_code == 200, response.json()


def test_city_returns_to_the_district_which_signs_again_then_the_city(chain, client_for):
    # given: the unit and the district approved, the nomination waits at the city
    approve(client_for, chain, "unit_opinion")
    approve(client_for, chain, "district_review")
    first_district_seal = Seal.objects.get(nomination=chain.nomination, stage="district_review")

    # when: the city returns it to the district
    response = post(
        client_for, chain.signers["city_review"], chain.nomination, "return",
        {"opinion": "请区民政局核实服务人数", "to_stage": "district_review"},
    )  # fmt: skip

    # then: it stays in review at the district, in the same round, with a new open task there
    assert response.status_code == 200, response.json()
    assert response.json()["to_stage"] == "district_review"
    n = Nomination.objects.get(pk=chain.nomination.pk)
    assert (n.status, n.stage, n.round) == ("in_review", "district_review", 1)
    assert n.stage_org is not None
    assert n.stage_org.kind == OrgKind.DISTRICT
    assert Task.objects.get(pk=n.task_id).status == STATUS.NEW
    assert Task.objects.get(pk=n.task_id).process_id == n.process_id
    event = AuditEvent.objects.filter(object_id=str(n.pk), action=audit_events.NOMINATION_RETURNED_TO_STAGE).get()
    assert event.data["to_stage"] == "district_review"
    assert event.data["stage"] == "city_review"
    # the district's first seal is still on record
    assert Seal.objects.filter(pk=first_district_seal.pk).exists()

    # when: the district signs again, then the city, then the committee
    approve(client_for, chain, "district_review")
    approve(client_for, chain, "city_review")
    approve(client_for, chain, "committee_review")

    # then: approved; both rounds of the district's seal are kept and the whole chain verifies
    n.refresh_from_db()
    assert n.status == "approved"
    assert list(Seal.objects.filter(nomination=n).order_by("sequence").values_list("stage", flat=True)) == [
        "district_review", "district_review", "city_review", "committee_review",
    ]  # fmt: skip
    assert seals.verify_nomination(n) == []
    walk = list(SignOff.objects.filter(nomination=n).order_by("id").values_list("stage", "decision", "to_stage"))
    assert walk == [
        ("unit_opinion", "approve", ""), ("district_review", "approve", ""),
        ("city_review", "return", "district_review"), ("district_review", "approve", ""),
        ("city_review", "approve", ""), ("committee_review", "approve", ""),
    ]  # fmt: skip


def test_the_form_and_the_timeline_show_the_return_and_the_rerun(chain, client_for):
    approve(client_for, chain, "unit_opinion")
    approve(client_for, chain, "district_review")
    post(
        client_for, chain.signers["city_review"], chain.nomination, "return",
        {"opinion": "请区民政局核实服务人数", "to_stage": "district_review"},
    )  # fmt: skip

    # while the district runs again, the form's city and district slots are open; the return is history
    n = Nomination.objects.get(pk=chain.nomination.pk)
    doc = documents.build(n, reveal=False, verify_url="")
    slots = {o.stage: o.decision for o in doc.opinions}
    assert slots == {"单位意见": "同意", "区民政局推荐": "", "市民政局审核": "", "组委会意见": ""}
    assert [(h.stage, h.decision) for h in doc.history] == [
        ("区民政局推荐", "同意"), ("市民政局审核", "退回至“区民政局推荐”"),
    ]  # fmt: skip
    titles = [e["title"] for e in timeline(n)]
    assert "市民政局审核：退回至“区民政局推荐”" in titles
    assert titles[-1] == "区民政局推荐：待办理"

    # after the re-run the slots carry the new opinions, the earlier ones stay in the history
    approve(client_for, chain, "district_review")
    approve(client_for, chain, "city_review")
    n.refresh_from_db()
    doc = documents.build(n, reveal=False, verify_url="")
    assert {o.stage: o.decision for o in doc.opinions}["市民政局审核"] == "同意"
    assert {o.stage: o.decision for o in doc.opinions}["区民政局推荐"] == "同意"
    assert len(doc.history) == 2


@pytest.mark.parametrize("to_stage", ["city_review", "committee_review", "nowhere", "UNIT_OPINION"])
def test_a_stage_that_is_not_earlier_is_refused_and_nothing_changes(chain, client_for, to_stage):
    approve(client_for, chain, "unit_opinion")
    approve(client_for, chain, "district_review")
    before = Nomination.objects.values().get(pk=chain.nomination.pk)

    response = post(
        client_for, chain.signers["city_review"], chain.nomination, "return", {"opinion": "退回", "to_stage": to_stage}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_to_stage"
    assert "to_stage" in response.json()["errors"]
    assert Nomination.objects.values().get(pk=chain.nomination.pk) == before
    assert SignOff.objects.filter(nomination=chain.nomination).count() == 2


def test_to_stage_is_only_for_a_return(chain, client_for):
    approve(client_for, chain, "unit_opinion")
    response = post(
        client_for, chain.signers["district_review"], chain.nomination, "approve",
        {"opinion": "同意", "to_stage": "unit_opinion"},
    )  # fmt: skip
    assert response.status_code == 400
    with pytest.raises(Exception, match="只有退回修改"):
        sign_off(
            chain.nomination.task_id, actor=chain.signers["district_review"], decision="reject", opinion="不同意",
            to_stage="unit_opinion",
        )  # fmt: skip
    assert SignOff.objects.filter(nomination=chain.nomination).count() == 1


def test_without_to_stage_a_return_goes_back_to_the_unit(chain, client_for):
    approve(client_for, chain, "unit_opinion")
    response = post(client_for, chain.signers["district_review"], chain.nomination, "return", {"opinion": "请补充"})
    assert response.status_code == 200
    n = Nomination.objects.get(pk=chain.nomination.pk)
    assert n.status == "returned"
    assert n.task_id is None


def test_a_return_to_the_first_stage_lets_its_signer_sign_again(chain, client_for):
    approve(client_for, chain, "unit_opinion")
    approve(client_for, chain, "district_review")
    response = post(
        client_for, chain.signers["city_review"], chain.nomination, "return",
        {"opinion": "请单位负责人重新出具意见", "to_stage": "unit_opinion"},
    )  # fmt: skip
    assert response.status_code == 200
    approve(client_for, chain, "unit_opinion")
    approve(client_for, chain, "district_review")
    approve(client_for, chain, "city_review")
    n = Nomination.objects.get(pk=chain.nomination.pk)
    assert n.stage == "committee_review"
    assert n.status == "in_review"
    assert seals.verify_nomination(n) == []
