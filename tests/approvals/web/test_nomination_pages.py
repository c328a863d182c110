"""The web pages of a nomination's life, through Django's test client with real sessions and CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination, SignOff
from audit import audit_events
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def people(tree):
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="leader"),
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district"),
        "district2": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district2"),
        "other_district": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="other_district"),
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="committee"),
    }


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


@pytest.fixture
def submitted(tree, submitter, campaign):
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    return submit_nomination(nomination.pk, actor=submitter)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_post(data: dict) -> dict:
    """The edit form's inputs for the test campaign's case form (workflows definition in tests/campaigns.py)."""
    post = {"title": data.get("title", "助老服务案例"), "members-rows": "3"}
    for key in ("summary", "carried_out_on", "contact_phone", "leader_id"):
        if data.get(key):
            post[key] = data[key]
    for i, member in enumerate(data.get("members", [])):
        post[f"members-{i}-name"] = member["name"]
    return post


def decide(user, nomination, decision="approve", opinion="同意推荐"):
    nomination.refresh_from_db()
    return login(user).post(
        f"/tasks/{nomination.task_id}/decide", {"decision": decision, "opinion": opinion, "nomination": nomination.pk}
    )


def test_submitter_creates_fills_and_submits_a_nomination_in_the_browser_pages(tree, submitter, campaign):
    client = login(submitter)
    campaigns = client.get("/campaigns/").content.decode()
    assert f"/campaigns/{campaign.pk}/nominations/new" in campaigns

    response = client.post(
        f"/campaigns/{campaign.pk}/nominations/new", {"unit": tree.unit.pk, "kind": "case", "title": "助老"}
    )
    nomination = Nomination.objects.get(title="助老")
    assert response.status_code == 302
    assert response["Location"] == f"/nominations/{nomination.pk}/edit"

    edit = client.get(f"/nominations/{nomination.pk}/edit").content.decode()
    assert "案例简介" in edit
    assert "团队成员" in edit
    assert "已保存" in edit

    response = client.post(f"/nominations/{nomination.pk}/edit", {**form_post(valid_case_form()), "action": "submit"})
    assert response.status_code == 302, response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.IN_REVIEW
    assert nomination.form["members"] == [{"name": "张三"}, {"name": "李四"}]
    page = client.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "提交申报" in page
    assert "单位意见：待办理" in page


def test_autosave_answers_the_saved_time_and_keeps_a_half_filled_draft(tree, submitter, campaign):
    nomination = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="", form={})
    response = login(submitter).post(
        f"/nominations/{nomination.pk}/autosave", {"title": "草稿", "summary": "写了一半", "members-rows": "2"}
    )
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json()["saved_at"])
    nomination.refresh_from_db()
    assert nomination.form == {"summary": "写了一半"}


def test_autosave_shows_the_validators_messages_and_saves_nothing(tree, submitter, campaign):
    nomination = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="", form={})
    response = login(submitter).post(
        f"/nominations/{nomination.pk}/autosave",
        {"title": "草稿", "summary": "字" * 501, "leader_id": "12345x", "members-rows": "0"},
    )
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "nomination_invalid"
    assert any("案例简介" in m for m in body["errors"]["form.summary"])
    assert "form.leader_id" in body["errors"]
    nomination.refresh_from_db()
    assert nomination.form == {}
    assert nomination.title == ""


def test_submitting_an_incomplete_form_shows_chinese_errors_inline_and_stays_a_draft(tree, submitter, campaign):
    nomination = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="", form={})
    response = login(submitter).post(
        f"/nominations/{nomination.pk}/edit",
        {"title": "助老", "summary": "太短", "action": "submit", "members-rows": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“实施日期”不能为空" in page
    assert "申报表填写不完整或有误" in page
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DRAFT


def test_each_level_approves_from_its_inbox_and_the_timeline_shows_every_stage(submitted, people):
    for who in ("leader", "district", "committee"):
        inbox = login(people[who]).get("/tasks/").content.decode()
        assert "助老服务案例" in inbox, who
        response = decide(people[who], submitted)
        assert response.status_code == 302
        assert response["Location"] == "/tasks/"
    submitted.refresh_from_db()
    assert submitted.status == Nomination.Status.APPROVED
    page = login(people["committee"]).get(f"/nominations/{submitted.pk}/").content.decode()
    for text in ("单位意见：同意", "区民政局意见：同意", "组委会意见：同意", "印章校验通过", "浦东新区民政局"):
        assert text in page
    assert page.count('class="seal-mark"') == 2


def test_return_shows_the_reason_on_top_and_the_unit_resubmits(submitted, submitter, people):
    decide(people["leader"], submitted)
    response = decide(people["district"], submitted, "return", "请补充服务成效数据")
    assert response.status_code == 302
    client = login(submitter)
    home = client.get("/").content.decode()
    assert "被退回待修改的申报" in home
    assert "助老服务案例" in home
    edit = client.get(f"/nominations/{submitted.pk}/edit").content.decode()
    assert edit.index("请补充服务成效数据") < edit.index("案例简介")
    form = valid_case_form()
    form["summary"] = "社区助老服务案例，覆盖三个小区，服务 1200 人次。"
    response = client.post(f"/nominations/{submitted.pk}/edit", {**form_post(form), "action": "submit"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Nomination.Status.IN_REVIEW
    assert submitted.round == 2
    assert "1200 人次" in submitted.form["summary"]


def test_return_without_an_opinion_is_refused_in_chinese_and_nothing_changes(submitted, people):
    client = login(people["leader"])
    response = client.post(
        f"/tasks/{submitted.task_id}/decide", {"decision": "return", "opinion": "", "nomination": submitted.pk},
        follow=True,
    )  # fmt: skip
    assert "退回修改或不同意时必须填写意见" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.stage == "unit_opinion"
    assert not SignOff.objects.filter(nomination=submitted).exists()


def test_a_reviewer_of_another_district_gets_404_on_the_nomination_page(submitted, people):
    decide(people["leader"], submitted)
    assert login(people["other_district"]).get(f"/nominations/{submitted.pk}/").status_code == 404
    assert login(people["other_district"]).get(f"/nominations/{submitted.pk}/form.pdf").status_code == 404
    assert login(people["district"]).get(f"/nominations/{submitted.pk}/").status_code == 200


def test_a_forbidden_decision_is_refused_and_audited(submitted, people):
    decide(people["leader"], submitted)
    # The committee sees the nomination but the district stage is not theirs.
    response = decide(people["committee"], submitted)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.stage == "district_review"
    refusal = AuditEvent.objects.filter(action=audit_events.PERMISSION_DENIED).last()
    assert refusal is not None
    assert refusal.data["view"] == "web"


def test_batch_approve_with_check_boxes_approves_all(tree, submitter, campaign, people):
    ids = []
    for title in ("甲", "乙"):
        n = create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=title, form=valid_case_form()
        )
        ids.append(submit_nomination(n.pk, actor=submitter).task_id)
    response = login(people["leader"]).post("/tasks/batch-approve", {"tasks": ids, "opinion": "同意"}, follow=True)
    assert "已批量同意 2 份申报" in response.content.decode()
    assert Nomination.objects.filter(stage="district_review").count() == 2


def test_transfer_hands_the_task_to_a_colleague(submitted, people):
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    page = login(people["district"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert "转交" in page
    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/transfer",
        {"to_user": people["district2"].pk, "nomination": submitted.pk, "reason": "出差一周，请同事办理"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.assignee_id == people["district2"].pk
    assert "助老服务案例" not in login(people["district"]).get("/tasks/").content.decode()


def test_withdraw_before_any_decision(submitted, submitter):
    response = login(submitter).post(f"/nominations/{submitted.pk}/withdraw")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Nomination.Status.WITHDRAWN


def test_personal_data_is_masked_until_revealed_and_the_reveal_is_audited(submitted, people):
    client = login(people["committee"])
    masked = client.get(f"/nominations/{submitted.pk}/").content.decode()
    assert "13812345678" not in masked
    assert "138****5678" in masked
    revealed = client.get(f"/nominations/{submitted.pk}/?reveal=personal").content.decode()
    assert "13812345678" in revealed
    assert AuditEvent.objects.filter(
        action=audit_events.PERSONAL_DATA_READ, object_id=str(submitted.pk), actor_id=people["committee"].pk
    ).exists()


def test_a_refused_reveal_is_said_and_audited_and_the_data_stays_masked(submitted, tree):
    """As the API answers 403: a campaign administrator sees the nomination but not its personal data."""
    admin = user_with_role(Role.CAMPAIGN_ADMIN, tree.committee, username="cadmin_reveal")
    page = login(admin).get(f"/nominations/{submitted.pk}/?reveal=personal")
    assert page.status_code == 200
    text = page.content.decode()
    assert "13812345678" not in text
    assert "138****5678" in text
    assert "您没有查看完整个人信息的权限" in text
    refusal = AuditEvent.objects.get(action=audit_events.PERMISSION_DENIED, actor_id=admin.pk)
    assert (refusal.object_type, refusal.object_id) == ("approvals.nomination", str(submitted.pk))
    assert refusal.data["view"] == "web"
    assert not AuditEvent.objects.filter(action=audit_events.PERSONAL_DATA_READ, actor_id=admin.pk).exists()


def test_a_post_without_csrf_token_is_refused(submitted, submitter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(submitter)
    response = client.post(f"/nominations/{submitted.pk}/withdraw")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Nomination.Status.IN_REVIEW


def test_every_page_of_each_role_renders(tree, submitter, campaign, submitted, people, auditor):
    """A GET of each page, as the role that uses it: 200 and the page's heading."""
    pages = [
        (submitter, "/", "我的角色"),
        (submitter, "/nominations/", "我的申报"),
        (submitter, "/campaigns/", "评选活动"),
        (submitter, f"/campaigns/{campaign.pk}/nominations/new", "新建申报"),
        (submitter, f"/nominations/{submitted.pk}/", "办理过程"),
        (people["leader"], "/tasks/", "待办审批"),
        (people["leader"], "/", "待我审批"),
        (people["committee"], f"/campaigns/{campaign.pk}/dashboard", "名额使用"),
        (auditor, "/audit/", "审计记录"),
        (submitter, "/password/", "修改密码"),
    ]
    for user, path, heading in pages:
        response = login(user).get(path)
        assert response.status_code == 200, path
        assert heading in response.content.decode(), path
    anonymous = Client()
    assert anonymous.get("/verify/").status_code == 200
    verify = anonymous.get(f"/verify/{submitted.verification_code}")
    assert verify.status_code == 200
    assert "尚未加盖电子印章" in verify.content.decode()
    assert anonymous.get("/nominations/").status_code == 302


def test_notification_links_lead_to_the_pages(submitted, people, submitter, campaign):
    """Notifications point at /tasks/{id}/ and /campaigns/{id}/ (notifications/links.py)."""
    from notifications.delivery import drain_outbox

    drain_outbox()  # what the worker does: the outbox row becomes the leader's in-app notification
    submitted.refresh_from_db()
    home = login(people["leader"]).get("/").content.decode()
    assert "未读通知（1）" in home
    assert f'href="/tasks/{submitted.task_id}/"' in home
    response = login(people["leader"]).get(f"/tasks/{submitted.task_id}/")
    assert response["Location"] == f"/nominations/{submitted.pk}/"
    assert login(people["other_district"]).get(f"/tasks/{submitted.task_id}/").status_code == 404
    assert login(people["committee"]).get(f"/campaigns/{campaign.pk}/")["Location"].endswith("/dashboard")
    mine = login(submitter).get(f"/campaigns/{campaign.pk}/")
    assert mine["Location"] == f"/nominations/?campaign={campaign.pk}"


def test_the_unit_editing_its_own_draft_is_not_a_personal_data_reveal(tree, submitter, campaign):
    # given: a draft with personal data (the team members' names, the contact phone)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    # when: its submitter opens the editor a few times
    client = login(submitter)
    for _ in range(3):
        assert client.get(f"/nominations/{nomination.pk}/edit").status_code == 200
    # then: no personal-data read is recorded for the unit's own data
    from audit.models import AuditEvent

    assert not AuditEvent.objects.filter(action="personal_data.read").exists()


def test_the_campaign_list_writes_deadlines_as_officials_do_and_keeps_cells_whole(submitter, campaign):
    page = login(submitter).get("/campaigns/").content.decode()
    deadline = timezone.localtime(campaign.submission_deadline)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in page
    assert deadline.strftime("%Y-%m-%d") not in page
    assert f'class="nowrap">{campaign.get_status_display()}</td>' in page


def test_transfer_needs_a_reason_which_the_receiver_reads_and_the_trail_keeps(submitted, people):
    from audit.models import AuditEvent
    from notifications.delivery import drain_outbox
    from notifications.models import Notification

    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    page = login(people["district"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert 'name="reason"' in page
    assert "转交理由" in page

    refused = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/transfer",
        {"to_user": people["district2"].pk, "nomination": submitted.pk, "reason": "  "},
        follow=True,
    )
    assert "请填写转交理由" in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.assignee_id is None

    login(people["district"]).post(
        f"/tasks/{submitted.task_id}/transfer",
        {"to_user": people["district2"].pk, "nomination": submitted.pk, "reason": "出差一周，请同事办理"},
    )
    submitted.refresh_from_db()
    assert submitted.assignee_id == people["district2"].pk
    drain_outbox()
    notice = Notification.objects.get(user=people["district2"], kind="task_transferred")
    assert "转交理由：出差一周，请同事办理" in notice.body
    event = AuditEvent.objects.filter(action="task.transferred", object_id=str(submitted.pk)).get()
    assert event.data["reason"] == "出差一周，请同事办理"


def test_a_refused_transfer_shows_the_form_again_with_the_reason_typed_and_the_error_by_the_field(submitted, people):
    """Issue 18: the receiver was stopped meanwhile; the page comes back with what was typed, not emptied."""
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    people["district2"].is_active = False
    people["district2"].save(update_fields=["is_active"])

    refused = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/transfer",
        {"to_user": people["district2"].pk, "nomination": submitted.pk, "reason": "出差一周，请同事办理"},
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'value="出差一周，请同事办理"' in page
    assert '<p class="field-error" id="to-user-err">只能转交给本组织同一角色的其他人员</p>' in page
    assert 'aria-invalid="true" aria-describedby="to-user-err"' in page
    submitted.refresh_from_db()
    assert submitted.assignee_id is None

    empty = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/transfer", {"nomination": submitted.pk, "reason": "出差"}
    )
    assert empty.status_code == 400
    assert 'value="出差"' in empty.content.decode()
    assert "请选择转交给谁" in empty.content.decode()


def test_the_done_list_shows_what_a_reviewer_decided_newest_first(tree, submitter, campaign, submitted, people):
    second = submit_nomination(
        create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="便民服务案例",
            form=valid_case_form(),
        ).pk,
        actor=submitter,
    )  # fmt: skip
    assert "还没有办理过" in login(people["leader"]).get("/tasks/done/").content.decode()
    decide(people["leader"], submitted)
    decide(people["leader"], second, "return", "请补充服务成效数据")

    page = login(people["leader"]).get("/tasks/done/").content.decode()

    assert page.index("便民服务案例") < page.index("助老服务案例")
    assert "退回修改" in page
    assert "请补充服务成效数据" in page
    assert f'href="/nominations/{submitted.pk}/"' in page
    assert 'href="/tasks/done/"' in login(people["leader"]).get("/tasks/").content.decode()
    # someone else's decisions are not in one's own list
    assert "助老服务案例" not in login(people["district"]).get("/tasks/done/").content.decode()


def test_a_todo_notice_is_done_once_its_task_is_decided_by_anyone(submitted, people):
    from notifications.delivery import drain_outbox
    from notifications.models import Notification

    decide(people["leader"], submitted)
    drain_outbox()
    submitted.refresh_from_db()
    district_task = submitted.task_id
    arrived = Notification.objects.filter(kind="task_arrived", message__payload__task=district_task)
    assert {n.user.username for n in arrived} == {"district", "district2"}
    assert all(n.read_at is None for n in arrived)

    decide(people["district2"], submitted)

    # both holders' notices are done, though only district2 decided
    assert all(n.read_at is not None for n in arrived.all())
    # the next stage's notice is new and unread
    drain_outbox()
    submitted.refresh_from_db()
    assert Notification.objects.filter(
        kind="task_arrived", message__payload__task=submitted.task_id, read_at__isnull=True
    ).exists()


def test_a_todo_notice_drained_after_its_task_was_decided_arrives_done(submitted, people):
    from notifications.delivery import drain_outbox
    from notifications.models import Notification

    decide(people["leader"], submitted)  # the district's notice waits in the outbox
    submitted.refresh_from_db()
    district_task = submitted.task_id
    decide(people["district"], submitted)
    drain_outbox()

    arrived = Notification.objects.filter(kind="task_arrived", message__payload__task=district_task)
    assert arrived.count() == 2
    assert all(n.read_at is not None for n in arrived)
