"""会签 / 或签: a stage signed by several holders (the district's 民政局 and its 社工部)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Grant
from accounts.roles import OrgKind, Role
from approvals import audit_events, documents, seals, selectors
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.actions.delegations import create_delegation
from approvals.actions.sign_offs import sign_off_batch, transfer_task
from approvals.exceptions import AlreadySignedStage, ConsecutiveSignOffForbidden, TaskAlreadyDecided
from approvals.models import Nomination, SignOff, StageSeat
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted, NotVisible
from notifications.models import OutboxMessage
from tests.approvals.test_paper_documents import docx_all_text, pdf_text, squeeze
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

HOLDERS = [
    {"role": "district_reviewer", "signer_org": "district", "department": ""},
    {"role": "district_reviewer", "signer_org": "district", "department": "社工部"},
]


@pytest.fixture
def people(tree):
    social = OrganizationFactory.create(
        name="浦东新区社工部", code="T-PDSG", kind=OrgKind.DISTRICT, parent=tree.district
    )
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="cs_leader"),
        "bureau": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="cs_bureau"),
        "social": user_with_role(Role.DISTRICT_REVIEWER, social, username="cs_social"),
        "social_deputy": user_with_role(Role.SUBMITTER, social, username="cs_social_deputy"),
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="cs_committee"),
        "other": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="cs_other"),
        "social_org": social,
    }


def task_of(n: Nomination) -> int:
    assert n.task_id is not None
    return n.task_id


def position_of(signoff: SignOff) -> int:
    assert signoff.seat is not None
    return signoff.seat.position


def at_district(tree, submitter, people, mode: str, title: str = "会签案例") -> Nomination:
    campaign = make_campaign(tree.committee, title=f"会签活动{mode}{title}")
    campaign.stages.filter(key="district_review").update(holders=HOLDERS, mode=mode)
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=title,
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    assert n.task_id is not None
    sign_off(task_of(n), actor=people["leader"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "district_review"
    return n


def test_cosign_all_waits_for_every_holder_and_seals_each_with_its_own_org(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    seats = list(StageSeat.objects.filter(task_id=task_of(n)).order_by("position"))
    assert [(s.org_id, s.status) for s in seats] == [(tree.district.pk, "open"), (people["social_org"].pk, "open")]
    # both holders find it in their inbox; the other district does not
    assert selectors.list_inbox(people["bureau"]).filter(pk=n.pk).exists()
    assert selectors.list_inbox(people["social"]).filter(pk=n.pk).exists()
    assert not selectors.list_inbox(people["other"]).filter(pk=n.pk).exists()
    task = task_of(n)

    first = sign_off(task, actor=people["social"], decision="approve", opinion="社工部同意")
    n.refresh_from_db()
    assert (n.stage, n.task_id, first.org_id, position_of(first)) == (
        "district_review",
        task,
        people["social_org"].pk,
        1,
    )
    assert not selectors.list_inbox(people["social"]).filter(pk=n.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(n.pk), action=audit_events.NOMINATION_COSIGNED).count() == 1
    # one decision per signer: the 社工部 reviewer cannot take the bureau's seat too
    with pytest.raises(AlreadySignedStage):
        sign_off(task, actor=people["social"], decision="approve", opinion="再签")

    second = sign_off(task, actor=people["bureau"], decision="approve", opinion="民政局同意")
    n.refresh_from_db()
    assert n.stage == "committee_review"
    assert n.task_id != task
    assert first.seal is not None
    assert second.seal is not None
    assert first.seal.key.org_id == people["social_org"].pk
    assert second.seal.key.org_id == tree.district.pk
    assert seals.verify_nomination(n) == []
    assert set(StageSeat.objects.filter(task_id=task).values_list("status", flat=True)) == {"approved"}

    # the 申报表 prints both holders' opinions, each with its seal
    doc = documents.build(n, reveal=False, verify_url="")
    district = [o for o in doc.opinions if o.stage.startswith("区民政局意见")]
    assert [(o.opinion, o.seal_org) for o in district] == [
        ("社工部同意", "浦东新区社工部"), ("民政局同意", "浦东新区民政局"),
    ]  # fmt: skip
    assert all(o.stage == "区民政局意见（会签）" for o in district)
    pdf = squeeze(pdf_text(documents.render_pdf(doc)))
    word = squeeze(docx_all_text(documents.render_docx(doc)))
    for printed in (pdf, word):
        assert "社工部同意" in printed
        assert "民政局同意" in printed
        assert "浦东新区社工部" in printed


def test_huo_qian_any_one_approval_decides_and_cancels_the_other_seat(tree, submitter, people):
    n = at_district(tree, submitter, people, "any")
    task = task_of(n)
    sign_off(task, actor=people["bureau"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "committee_review"
    assert dict(StageSeat.objects.filter(task_id=task).values_list("position", "status")) == {
        0: "approved",
        1: "cancelled",
    }
    event = AuditEvent.objects.get(
        object_id=str(n.pk), action=audit_events.NOMINATION_SIGNED_OFF, data__stage="district_review"
    )
    assert event.data["cancelled_seats"] == [1]
    assert not selectors.list_inbox(people["social"]).filter(pk=n.pk).exists()


def test_a_return_by_one_holder_decides_the_stage_at_once(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    task = task_of(n)
    sign_off(task, actor=people["bureau"], decision="approve", opinion="同意")
    sign_off(task, actor=people["social"], decision="return", opinion="请补充服务对象名单")
    n.refresh_from_db()
    assert n.status == Nomination.Status.RETURNED
    assert dict(StageSeat.objects.filter(task_id=task).values_list("position", "status")) == {
        0: "approved",
        1: "returned",
    }
    # nobody can decide the stage after it was decided
    with pytest.raises(TaskAlreadyDecided):
        sign_off(task, actor=people["bureau"], decision="approve", opinion="同意")


def test_a_rejection_cancels_the_open_seats(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    task = task_of(n)
    sign_off(task, actor=people["social"], decision="reject", opinion="不符合条件")
    n.refresh_from_db()
    assert n.status == Nomination.Status.REJECTED
    assert dict(StageSeat.objects.filter(task_id=task).values_list("position", "status")) == {
        0: "cancelled",
        1: "rejected",
    }
    event = AuditEvent.objects.get(object_id=str(n.pk), action=audit_events.NOMINATION_REJECTED)
    assert event.data["cancelled_seats"] == [0]


def test_a_proxy_acts_for_a_cosign_holder_and_is_printed_with_both_names(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    now = timezone.now()
    create_delegation(
        actor=people["social"], delegate_id=people["social_deputy"].pk, role=Role.DISTRICT_REVIEWER,
        org_id=people["social_org"].pk, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3),
        reason="出差",
    )  # fmt: skip
    proxied = sign_off(task_of(n), actor=people["social_deputy"], decision="approve", opinion="同意")
    assert (proxied.on_behalf_of_id, position_of(proxied), proxied.org_id) == (
        people["social"].pk,
        1,
        people["social_org"].pk,
    )
    # the principal cannot then sign the stage again in person
    with pytest.raises(AlreadySignedStage):
        sign_off(task_of(n), actor=people["social"], decision="approve", opinion="同意")
    sign_off(task_of(n), actor=people["bureau"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert seals.verify_nomination(n) == []
    doc = documents.build(n, reveal=False, verify_url="")
    assert any("代签" in o.signer for o in doc.opinions)


def test_outsiders_are_refused_and_cosign_tasks_are_not_transferred(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    with pytest.raises(NotVisible):
        sign_off(task_of(n), actor=people["other"], decision="approve", opinion="同意")
    with pytest.raises(NotPermitted):
        sign_off(task_of(n), actor=people["committee"], decision="approve", opinion="同意")
    colleague = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="cs_colleague")
    with pytest.raises(InvalidInput) as refused:
        transfer_task(task_of(n), actor=people["bureau"], to_user_id=colleague.pk, reason="请同事办理")
    assert refused.value.code == "invalid_transfer_target"
    assert not SignOff.objects.filter(nomination=n, stage="district_review").exists()


def test_every_open_holder_is_notified_when_the_stage_opens(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    message = OutboxMessage.objects.get(kind="task_arrived", dedupe_key=f"task_arrived:task:{n.task_id}")
    assert sorted(map(tuple, message.recipients["roles"])) == sorted(
        [("district_reviewer", tree.district.pk), ("district_reviewer", people["social_org"].pk)]
    )


def test_a_social_department_holder_reads_the_nomination(tree, submitter, people):
    n = at_district(tree, submitter, people, "all")
    assert selectors.visible_nominations(people["social"]).filter(pk=n.pk).exists()
    assert not selectors.visible_nominations(people["other"]).filter(pk=n.pk).exists()


def test_batch_approval_takes_the_actors_seat_through_the_same_rules(tree, submitter, people):
    a = at_district(tree, submitter, people, "all", title="会签案例甲")
    campaign = a.campaign
    b = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="会签案例乙",
                          form=valid_case_form())  # fmt: skip
    b = submit_nomination(b.pk, actor=submitter)
    sign_off(task_of(b), actor=people["leader"], decision="approve", opinion="同意")
    b.refresh_from_db()
    done = sign_off_batch([task_of(a), task_of(b)], actor=people["social"], opinion="社工部同意")
    assert [(position_of(s), s.org_id) for s in done] == [(1, people["social_org"].pk)] * 2
    a.refresh_from_db()
    assert a.stage == "district_review"  # the bureau has still to sign
    with pytest.raises(AlreadySignedStage):
        sign_off_batch([task_of(a)], actor=people["social"], opinion="再签")


def test_the_next_stage_refuses_every_cosign_signer_of_the_previous_stage(tree, submitter, people):
    campaign = make_campaign(tree.committee, title="连续签署")
    # one person holding both the bureau's role and the committee's signed the 会签 stage: they
    # may not sign the committee's stage right after it, although the 社工部 signed last.
    campaign.stages.filter(key="district_review").update(holders=HOLDERS, mode="all")
    both = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="cs_both")
    Grant.objects.create(user=both, role=Role.COMMITTEE, org=tree.committee)
    n = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="连续",
                          form=valid_case_form())  # fmt: skip
    n = submit_nomination(n.pk, actor=submitter)
    sign_off(task_of(n), actor=people["leader"], decision="approve", opinion="同意")
    n.refresh_from_db()
    sign_off(task_of(n), actor=both, decision="approve", opinion="同意")
    sign_off(task_of(n), actor=people["social"], decision="approve", opinion="同意")
    n.refresh_from_db()
    assert n.stage == "committee_review"
    with pytest.raises(ConsecutiveSignOffForbidden):
        sign_off(task_of(n), actor=both, decision="approve", opinion="同意")
