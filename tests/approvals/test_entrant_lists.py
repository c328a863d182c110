"""Entrant lists with 顺延 [002]: only listed units holding a place draft in the kind; a decline
passes the place to the next reserve in rank, audited and notified; the committee sets the list
before intake opens and reads it with places, reserves and declines (actions and API)."""

from __future__ import annotations

import pytest

from accounts.roles import OrgKind, Role
from approvals.actions import create_nomination, decline_entrant_place, set_entrant_list, submit_nomination
from approvals.exceptions import (
    EntrantListLocked,
    EntrantPlaceAlreadyDeclined,
    EntrantPlaceInUse,
    NotOnEntrantList,
)
from approvals.models import Nomination
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted
from notifications.models import OutboxMessage
from tests.approvals.test_quotas import GROUPS_FORM
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role
from workflows import entrants
from workflows.models import Campaign, EntrantListEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(tree):
    return user_with_role(Role.COMMITTEE, tree.committee, username="cmt")


@pytest.fixture
def third_unit(tree):
    return OrganizationFactory.create(name="花木中心", code="T-HMC", kind=OrgKind.UNIT, parent=tree.township)


@pytest.fixture
def draft_campaign(tree):
    return make_campaign(tree.committee, status=Campaign.Status.DRAFT)


@pytest.fixture
def ranked(tree, committee, draft_campaign, third_unit):
    """陆家嘴 and 南京东路 hold the two places, 花木 is the reserve; then intake opens."""
    set_entrant_list(
        draft_campaign.pk, actor=committee, kind="case", places=2, units=[tree.unit, tree.other_unit, third_unit]
    )
    Campaign.objects.filter(pk=draft_campaign.pk).update(status=Campaign.Status.OPEN)
    draft_campaign.refresh_from_db()
    return draft_campaign


def _standings(campaign):
    lst = campaign.entrant_lists.get()
    return [(row.entry.unit.name, row.standing) for row in entrants.standings(lst)]


def test_listed_units_hold_the_first_places_and_the_rest_are_reserves(ranked):
    assert _standings(ranked) == [("陆家嘴中心", "place"), ("南京东路中心", "place"), ("花木中心", "reserve")]
    event = AuditEvent.objects.get(action="entrant_list.set")
    assert (event.data["places"], len(event.data["units"])) == (2, 3)


def test_a_unit_holding_a_place_drafts_and_submits(ranked, tree, submitter):
    nomination = create_nomination(
        actor=submitter, campaign=ranked, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )

    assert submit_nomination(nomination.pk, actor=submitter).status == Nomination.Status.IN_REVIEW


def test_a_reserve_may_not_draft_until_a_place_passes_to_it(ranked, third_unit):
    reserve_submitter = user_with_role(Role.SUBMITTER, third_unit, username="hm")

    with pytest.raises(NotOnEntrantList) as refused:
        create_nomination(
            actor=reserve_submitter, campaign=ranked, unit=third_unit, kind="case", title="案例", form={}
        )

    assert refused.value.code == "unit_not_on_entrant_list"
    assert "候补" in refused.value.errors["unit"][0]
    assert not Nomination.objects.exists()


def test_a_unit_not_on_the_list_is_refused(ranked, tree):
    outsider = OrganizationFactory.create(name="张江中心", code="T-ZJC", kind=OrgKind.UNIT, parent=tree.township)
    outsider_submitter = user_with_role(Role.SUBMITTER, outsider, username="zj")

    with pytest.raises(NotOnEntrantList, match="不在本类别的参赛名单上"):
        create_nomination(actor=outsider_submitter, campaign=ranked, unit=outsider, kind="case", title="x", form={})


def test_a_decline_passes_the_place_to_the_next_reserve_audited_and_notified(ranked, tree, third_unit):
    leader = user_with_role(Role.UNIT_LEADER, tree.other_unit, username="njd_leader")

    entry = decline_entrant_place(ranked.pk, actor=leader, kind="case", unit=tree.other_unit, reason="人员调整")

    assert (entry.declined_by, entry.decline_reason) == (leader, "人员调整")
    assert _standings(ranked) == [("陆家嘴中心", "place"), ("南京东路中心", "declined"), ("花木中心", "place")]
    event = AuditEvent.objects.get(action="entrant_place.declined")
    assert event.data == {
        "kind": "case", "unit": tree.other_unit.pk, "rank": 2, "reason": "人员调整", "had_place": True,
        "passed_to": third_unit.pk, "passed_to_rank": 3,
    }  # fmt: skip
    message = OutboxMessage.objects.get(kind="entrant_place_passed")
    assert [Role.SUBMITTER.value, third_unit.pk] in message.recipients["roles"]
    from notifications.delivery import render

    text = render(message.kind, message.payload)
    assert text.title == "【参赛名额顺延】测试评选活动"
    assert "南京东路中心放弃了“测试评选活动”的参赛名额" in text.body
    assert "排名第 3 位" in text.body
    # the reserve now drafts; the unit that declined no longer may
    reserve_submitter = user_with_role(Role.SUBMITTER, third_unit, username="hm")
    create_nomination(actor=reserve_submitter, campaign=ranked, unit=third_unit, kind="case", title="x", form={})
    declined_submitter = user_with_role(Role.SUBMITTER, tree.other_unit, username="njd")
    with pytest.raises(NotOnEntrantList, match="已放弃"):
        create_nomination(
            actor=declined_submitter, campaign=ranked, unit=tree.other_unit, kind="case", title="x", form={}
        )


def test_a_draft_of_a_unit_that_declined_cannot_be_submitted(ranked, tree, submitter, committee):
    nomination = create_nomination(
        actor=submitter, campaign=ranked, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )
    decline_entrant_place(ranked.pk, actor=committee, kind="case", unit=tree.unit, reason="单位书面申请放弃")

    with pytest.raises(NotOnEntrantList):
        submit_nomination(nomination.pk, actor=submitter)

    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.DRAFT


def test_a_reserve_declining_passes_nothing_on(ranked, third_unit, committee):
    decline_entrant_place(ranked.pk, actor=committee, kind="case", unit=third_unit, reason="放弃候补")

    assert AuditEvent.objects.get(action="entrant_place.declined").data["passed_to"] is None
    assert not OutboxMessage.objects.filter(kind="entrant_place_passed").exists()


def test_declining_needs_a_reason_the_right_person_and_a_place_not_yet_used(ranked, tree, submitter, third_unit):
    with pytest.raises(InvalidInput) as no_reason:
        decline_entrant_place(ranked.pk, actor=submitter, kind="case", unit=tree.unit, reason="  ")
    assert no_reason.value.code == "decline_reason_required"
    # a submitter of another unit may not decline for 花木
    with pytest.raises(NotPermitted):
        decline_entrant_place(ranked.pk, actor=submitter, kind="case", unit=third_unit, reason="代为放弃")
    nomination = create_nomination(
        actor=submitter, campaign=ranked, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )
    submit_nomination(nomination.pk, actor=submitter)
    with pytest.raises(EntrantPlaceInUse):
        decline_entrant_place(ranked.pk, actor=submitter, kind="case", unit=tree.unit, reason="放弃")
    assert not EntrantListEntry.objects.filter(declined_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="entrant_place.declined").exists()


def test_a_place_is_declined_once(ranked, tree, committee):
    decline_entrant_place(ranked.pk, actor=committee, kind="case", unit=tree.unit, reason="放弃")

    with pytest.raises(EntrantPlaceAlreadyDeclined):
        decline_entrant_place(ranked.pk, actor=committee, kind="case", unit=tree.unit, reason="再次放弃")


def test_the_list_is_set_only_before_intake_opens_and_only_by_the_committee(ranked, tree, submitter, committee):
    with pytest.raises(EntrantListLocked):
        set_entrant_list(ranked.pk, actor=committee, kind="case", places=1, units=[tree.unit])
    Campaign.objects.filter(pk=ranked.pk).update(status=Campaign.Status.DRAFT)
    with pytest.raises(NotPermitted):
        set_entrant_list(ranked.pk, actor=submitter, kind="case", places=1, units=[tree.unit])
    with pytest.raises(InvalidInput) as wrong:
        set_entrant_list(
            ranked.pk, actor=committee, kind="case", places=3, units=[tree.unit, tree.unit, tree.township]
        )
    assert sorted(wrong.value.errors) == ["units[1]", "units[2]"]
    replaced = set_entrant_list(ranked.pk, actor=committee, kind="case", places=1, units=[tree.other_unit])
    assert [e.unit_id for e in replaced.entries.all()] == [tree.other_unit.pk]


def test_a_list_over_one_answer_leaves_the_other_answers_open(tree, committee, submitter):
    """[002]: the 受理中心组 is ranked; a 区运管团队 enters the same kind freely."""
    campaign = make_campaign(
        tree.committee, status=Campaign.Status.DRAFT, kinds=["collective"], forms={"collective": GROUPS_FORM},
        eligibility={},
    )  # fmt: skip
    set_entrant_list(
        campaign.pk, actor=committee, kind="collective", places=1, units=[tree.other_unit],
        field="group", value="受理中心组",
    )  # fmt: skip
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN)

    team = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="collective", title="运管团队",
        form={"group": "区运管团队组", "name": "浦东新区运管团队"},
    )  # fmt: skip
    assert submit_nomination(team.pk, actor=submitter).status == Nomination.Status.IN_REVIEW
    with pytest.raises(NotOnEntrantList):
        create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="collective", title="中心",
            form={"group": "受理中心组", "name": "陆家嘴中心"},
        )  # fmt: skip
    # a draft that has not chosen its group yet is kept; its submission as 受理中心组 is refused
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="collective", title="中心", form={}
    )
    Nomination.objects.filter(pk=draft.pk).update(form={"group": "受理中心组", "name": "陆家嘴中心"})
    with pytest.raises(NotOnEntrantList):
        submit_nomination(draft.pk, actor=submitter)


# --- API -----------------------------------------------------------------------------------------


def url(campaign, tail=""):
    return f"/api/v1/campaigns/{campaign.pk}/entrants{tail}"


def test_committee_sets_and_reads_the_list_through_the_api(tree, committee, draft_campaign, third_unit, client_for):
    client = client_for(committee)
    body = {"places": 2, "units": [tree.unit.pk, tree.other_unit.pk, third_unit.pk]}

    response = client.put(url(draft_campaign, "/case"), body, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["places"], data["holding"], data["reserves"], data["declined"]) == (2, 2, 1, 0)
    assert [(e["rank"], e["unit_name"], e["standing"]) for e in data["entries"]] == [
        (1, "陆家嘴中心", "place"), (2, "南京东路中心", "place"), (3, "花木中心", "reserve"),
    ]  # fmt: skip
    Campaign.objects.filter(pk=draft_campaign.pk).update(status=Campaign.Status.OPEN)
    declined = client.post(
        url(draft_campaign, "/case/decline"), {"unit": tree.unit.pk, "reason": "书面放弃"}, format="json"
    )
    assert declined.status_code == 200, declined.content
    row = declined.json()["entries"][0]
    assert (row["standing"], row["reason"], row["declined_by"]) == ("declined", "书面放弃", committee.pk)
    listed = client.get(url(draft_campaign)).json()["results"]
    assert [e["standing"] for e in listed[0]["entries"]] == ["declined", "place", "place"]


def test_api_refusals_carry_their_codes(ranked, tree, submitter, committee, client_for):
    locked = client_for(committee).put(url(ranked, "/case"), {"places": 1, "units": [tree.unit.pk]}, format="json")
    assert (locked.status_code, locked.json()["code"]) == (409, "entrant_list_locked")
    reserve = OrganizationFactory.create(name="张江中心", code="T-ZJC", kind=OrgKind.UNIT, parent=tree.township)
    reserve_submitter = user_with_role(Role.SUBMITTER, reserve, username="zj")
    created = client_for(reserve_submitter).post(
        "/api/v1/nominations",
        {"campaign": ranked.pk, "unit": reserve.pk, "kind": "case", "title": "x", "form": {}},
        format="json",
    )
    assert (created.status_code, created.json()["code"]) == (400, "unit_not_on_entrant_list")
    no_reason = client_for(submitter).post(
        url(ranked, "/case/decline"), {"unit": tree.unit.pk, "reason": ""}, format="json"
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "decline_reason_required")


def test_a_listed_unit_reads_the_list_without_who_declined_and_why(ranked, tree, submitter, committee, client_for):
    decline_entrant_place(ranked.pk, actor=committee, kind="case", unit=tree.other_unit, reason="内部原因")

    data = client_for(submitter).get(url(ranked, "/case")).json()

    row = data["entries"][1]
    assert (row["standing"], row["reason"], row["declined_by"]) == ("declined", None, None)
    elsewhere = OrganizationFactory.create(name="张江中心", code="T-ZJC", kind=OrgKind.UNIT, parent=tree.township)
    outsider = user_with_role(Role.SUBMITTER, elsewhere, username="zj")
    assert client_for(outsider).get(url(ranked)).status_code == 403


def test_the_demo_ranks_002s_service_centres_with_a_reserve(settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo")
    call_command("load_demo")  # a second load adds nothing

    shanghai = Campaign.objects.get(title__startswith="2024年上海市")
    lst = shanghai.entrant_lists.get()
    assert (lst.kind, lst.field, lst.value, lst.places) == ("collective", "group", "受理中心组", 3)
    assert [(row.entry.unit.code, row.standing) for row in entrants.standings(lst)] == [
        ("SH-PD-LJZ-C", "place"), ("SH-XH-XJH-C", "place"), ("SH-HP-NJD-C", "place"), ("SH-PD-HM-C", "reserve"),
    ]  # fmt: skip
    assert shanghai.status == Campaign.Status.OPEN
    assert AuditEvent.objects.filter(action="entrant_list.set", object_id=str(shanghai.pk)).count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_the_new_nomination_page_offers_a_ranked_kind_only_to_units_holding_a_place(ranked, third_unit, client):
    reserve_submitter = user_with_role(Role.SUBMITTER, third_unit, username="hm")
    client.force_login(reserve_submitter)

    page = client.get(f"/campaigns/{ranked.pk}/nominations/new").content.decode()

    assert 'value="case"' not in page
    assert "只接受参赛名单上持有参赛名额的单位申报" in page
    assert f"/campaigns/{ranked.pk}/entrants/" in page


def test_the_entrants_page_is_for_the_committee_and_listed_units_only(ranked, tree, submitter, client):
    elsewhere = OrganizationFactory.create(name="张江中心", code="T-ZJC", kind=OrgKind.UNIT, parent=tree.township)
    client.force_login(user_with_role(Role.SUBMITTER, elsewhere, username="zj"))
    assert client.get(f"/campaigns/{ranked.pk}/entrants/").status_code == 404

    client.force_login(submitter)
    page = client.get(f"/campaigns/{ranked.pk}/entrants/").content.decode()
    assert "本单位" in page
    assert page.count("放弃参赛名额</summary>") == 1  # its own row only
    declined = client.post(
        f"/campaigns/{ranked.pk}/entrants/case/decline", {"unit": tree.unit.pk, "reason": "人员不足"}, follow=True
    )
    assert "已记录“陆家嘴中心”放弃参赛名额" in declined.content.decode()
    assert _standings(ranked)[0] == ("陆家嘴中心", "declined")
