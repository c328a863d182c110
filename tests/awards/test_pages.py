"""The committee's awards pages (issue 15): 奖项评定 (the proposal, its notes and ties, 拟定, 确认), the
awards with their fate (放弃, 顺延, certificates), 结果通知 (发文) and 奖金台账. Every write goes through
an ``awards.actions`` function and really changes rows; a refusal is a Chinese message with the next
step; anyone but the host's committee gets 404."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from approvals.models import Nomination
from audit.models import AuditEvent
from awards import actions
from awards.actions import revoke_award_of
from awards.models import Allocation, Award, ResultNotice
from tests.awards.conftest import FLOOR, FRONT, Ranked, make_ranked, tiers
from tests.campaigns import CASE_FORM
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def confirmed(ranked: Ranked) -> list[Award]:
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    return actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)


def test_the_dashboard_links_the_awards_page(ranked):
    dashboard = text(web(ranked.committee).get(f"/campaigns/{ranked.campaign.pk}/dashboard"))
    assert f'href="/campaigns/{ranked.campaign.pk}/awards/"' in dashboard


def test_allocate_then_read_the_proposal_by_tier_and_confirm(ranked):
    client = web(ranked.committee)
    url = f"/campaigns/{ranked.campaign.pk}/awards/"
    first = text(client.get(url))
    assert "尚未拟定奖项分配方案" in first
    assert "拟定奖项" in first

    response = client.post(f"{url}allocate", follow=True)

    page = text(response)
    assert response.redirect_chain[-1][0] == url
    assert "已拟定 3 个奖项，请核对后确认" in page
    assert Award.objects.filter(campaign=ranked.campaign, status="proposed").count() == 3
    e = ranked.entries
    assert "案例　一等奖" in page
    assert "案例　二等奖" in page
    assert page.index(e[0].title) < page.index(e[1].title) < page.index(e[2].title)
    assert "2000.00" in page
    assert "1000.00" in page
    assert "其余 2 件审批通过的申报成为“未入选”" in page  # what confirming means
    assert "没有因比例下限而调整" in page

    done = text(client.post(f"{url}confirm", follow=True))

    assert "已确认奖项分配，共 3 个奖项" in done
    assert Allocation.objects.get(campaign=ranked.campaign).confirmed_by == ranked.committee
    assert set(Nomination.objects.filter(pk__in=[e[3].pk, e[4].pk]).values_list("status", flat=True)) == {
        "not_selected"
    }
    assert "获奖名单" in done
    assert "有效" in done
    assert "记录放弃并顺延" in done
    assert "下载全部证书（ZIP，每个奖项一个 PDF）" in done
    twice = text(client.post(f"{url}confirm", follow=True))  # a second press, e.g. from another tab
    assert "没有待确认的奖项分配" in twice
    assert 'id="next-step"' not in twice
    assert Award.objects.filter(campaign=ranked.campaign, status="confirmed").count() == 3


def test_rounds_still_open_say_so_in_chinese_and_lead_to_judging(tree, submitter):
    scene = make_ranked(tree, submitter, [90, 80], levels=tiers(1), close=False)
    client = web(scene.committee)
    url = f"/campaigns/{scene.campaign.pk}/awards/"

    response = client.post(f"{url}allocate", follow=True)

    page = text(response)
    assert response.redirect_chain[-1][0] == f"{url}?problem=rounds_open"
    assert "类别“案例”的评审轮次尚未全部结束：“评审”" in page  # names, not the keys case / score
    assert "请先在评审页面结束该类别的全部评审轮次" in page
    assert f'href="/campaigns/{scene.campaign.pk}/judging/"' in page
    assert not Award.objects.exists()


def test_the_floor_notes_say_who_moved_and_an_unreachable_floor_is_explained(tree, submitter):
    scene = make_ranked(
        tree, submitter, [90, 80, 70, 60, 50], levels=tiers(1, 2), floors=[FLOOR],
        categories=[FRONT, "后台", "后台", FRONT, "后台"],
    )  # fmt: skip
    scene.campaign.forms = {"case": {"fields": [*CASE_FORM["fields"], {"key": "category", "label": "岗位类别"}]}}
    scene.campaign.save(update_fields=["forms"])
    client = web(scene.committee)
    page = text(client.post(f"/campaigns/{scene.campaign.pk}/awards/allocate", follow=True))
    assert "案例：“案例2”（第3名）让位于“案例3”（第4名），以满足等次比例下限“岗位类别”为一线的不少于60%" in page

    short = make_ranked(
        tree, submitter, [90, 80, 70, 60], levels=tiers(1, 2), floors=[FLOOR],
        categories=[FRONT, "后台", "后台", "后台"],
    )  # fmt: skip
    refused = text(web(short.committee).post(f"/campaigns/{short.campaign.pk}/awards/allocate", follow=True))
    assert "无法满足等次比例下限（案例：“category”为一线的不少于60%）" in refused
    assert "tier_floors" not in refused
    assert "请与活动管理员核对活动设置中的等次比例下限" in refused
    assert not Award.objects.filter(campaign=short.campaign).exists()


def test_a_tie_is_ordered_on_the_page_before_confirming(tree, submitter):
    scene = make_ranked(tree, submitter, [90, 80, 80, 60], levels=tiers(1, 1))
    e = scene.entries
    client = web(scene.committee)
    url = f"/campaigns/{scene.campaign.pk}/awards/"
    page = text(client.post(f"{url}allocate", follow=True))
    assert "并列裁定" in page
    assert f'name="order-{e[1].pk}"' in page
    assert f'name="order-{e[2].pk}"' in page
    assert "仍有并列须裁定先后" in page
    assert "案例：第2名并列（“案例1”、“案例2”）跨越奖项分界，须由组委会裁定先后</li>" in page

    refused = client.post(f"{url}confirm", follow=True)
    assert refused.redirect_chain[-1][0] == f"{url}?problem=tie_unresolved"
    assert "奖项分界处有并列" in text(refused)
    assert Allocation.objects.get().confirmed_at is None

    same = text(client.post(f"{url}allocate", {f"order-{e[1].pk}": "1", f"order-{e[2].pk}": "1"}, follow=True))
    assert "先后不能相同" in same
    assert Allocation.objects.get().ties  # nothing re-allocated

    client.post(f"{url}allocate", {f"order-{e[1].pk}": "2", f"order-{e[2].pk}": "1"})
    assert Allocation.objects.get().ties == {}
    assert Award.objects.get(tier="second").nomination_id == e[2].pk
    client.post(f"{url}confirm")
    assert Nomination.objects.get(pk=e[1].pk).status == "not_selected"


def test_decline_needs_a_reason_and_passes_the_award_down(ranked):
    awards = confirmed(ranked)
    second = next(a for a in awards if a.nomination_id == ranked.entries[1].pk)
    client = web(ranked.committee)

    empty = text(client.post(f"/awards/{second.pk}/decline", {"reason": " "}, follow=True))
    assert "请填写放弃原因" in empty
    assert Award.objects.get(pk=second.pk).status == "confirmed"

    page = text(client.post(f"/awards/{second.pk}/decline", {"reason": "本人调离"}, follow=True))

    second.refresh_from_db()
    assert (second.status, second.declined_reason) == ("declined", "本人调离")
    successor = Award.objects.get(passed_from=second)
    assert successor.nomination_id == ranked.entries[3].pk
    assert f"按名次由“{ranked.entries[3].title}”顺延获得该奖项" in page
    assert "已放弃，已顺延" in page
    assert "放弃原因：本人调离" in page
    assert f"顺延自“{ranked.entries[1].title}”" in page


def test_a_revoked_award_is_passed_down_by_choice(ranked):
    awards = confirmed(ranked)
    first = next(a for a in awards if a.nomination_id == ranked.entries[0].pk)
    with transaction.atomic():
        revoke_award_of(first.nomination, actor=ranked.committee)
    client = web(ranked.committee)
    page = text(client.get(f"/campaigns/{ranked.campaign.pk}/awards/"))
    assert "已撤销" in page
    assert f'action="/awards/{first.pk}/pass-down"' in page

    done = text(client.post(f"/awards/{first.pk}/pass-down", follow=True))

    successor = Award.objects.get(passed_from=first)
    assert (successor.nomination_id, successor.tier_name) == (ranked.entries[3].pk, "一等奖")
    assert "已顺延" in done
    assert f'action="/awards/{first.pk}/pass-down"' not in done
    again = text(client.post(f"/awards/{first.pk}/pass-down", follow=True))
    assert "该奖项已顺延" in again
    assert Award.objects.filter(passed_from=first).count() == 1


def test_certificates_one_per_award_and_in_batch(ranked):
    awards = confirmed(ranked)
    client = web(ranked.committee)
    base = f"/campaigns/{ranked.campaign.pk}/awards"

    one = client.get(f"/awards/{awards[0].pk}/certificate.pdf")
    assert (one.status_code, one["Content-Type"]) == (200, "application/pdf")
    assert one.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="awards.certificates_issued").count() == 1
    batch = client.get(f"{base}/certificates.pdf")
    assert batch.content.startswith(b"%PDF")
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/certificates.zip").content))
    assert len(archive.namelist()) == 3
    assert text(client.get(f"{base}/")).count("下载证书") == 3

    actions.decline_award(awards[0].pk, actor=ranked.committee, reason="放弃")
    refused = client.get(f"/awards/{awards[0].pk}/certificate.pdf", follow=True)
    assert "不能出具证书" in text(refused)


def test_result_notice_form_saves_through_the_action_and_prints(ranked):
    confirmed(ranked)
    client = web(ranked.committee)
    url = f"/campaigns/{ranked.campaign.pk}/awards/notice/"
    form = text(client.get(url))
    assert 'value="组委会"' in form  # the issuing body starts as the host
    early = client.get(f"/campaigns/{ranked.campaign.pk}/awards/notice.pdf", follow=True)
    assert "尚未设置结果通知的文号" in text(early)

    wrong = client.post(url, {"doc_number": "", "issuer": "组委会", "issued_on": "2026-13-01"})
    assert wrong.status_code == 400
    assert "该字段是必填项" in text(wrong)
    assert "输入一个有效的日期" in text(wrong)
    assert "请按提示修改后再保存" in text(wrong)
    assert not ResultNotice.objects.exists()

    saved = text(
        client.post(
            url, {"doc_number": "沪民〔2026〕12号", "issuer": "上海市民政局", "issued_on": "2026-12-02",
                  "contact": "张老师"}, follow=True,
        )
    )  # fmt: skip
    notice = ResultNotice.objects.get()
    assert (notice.doc_number, notice.issued_on, notice.updated_by) == (
        "沪民〔2026〕12号", date(2026, 12, 2), ranked.committee,
    )  # fmt: skip
    assert "已保存结果通知" in saved
    assert "2026年12月2日发文" in saved
    assert AuditEvent.objects.filter(action="awards.result_notice_set").count() == 1
    pdf = client.get(f"/campaigns/{ranked.campaign.pk}/awards/notice.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_ledger_marks_a_prize_paid_once_and_exports(ranked):
    awards = confirmed(ranked)
    client = web(ranked.committee)
    url = f"/campaigns/{ranked.campaign.pk}/awards/ledger/"
    page = text(client.get(url))
    assert "4000.00" in page  # 2000 + 1000 + 1000
    assert page.count("标记已发放") == 3

    done = text(client.post(f"/awards/{awards[0].pk}/paid", {"paid_on": "2026-12-01"}, follow=True))

    award = Award.objects.get(pk=awards[0].pk)
    assert timezone.localtime(award.paid_at).date() == date(2026, 12, 1)
    assert award.paid_by == ranked.committee
    assert "2026年12月1日已发放" in done
    again = text(client.post(f"/awards/{awards[0].pk}/paid", follow=True))
    assert "该奖项的奖金已登记发放" in again
    future = text(client.post(f"/awards/{awards[1].pk}/paid", {"paid_on": "2999-01-01"}, follow=True))
    assert "发放日期不能晚于今天" in future
    assert Award.objects.get(pk=awards[1].pk).paid_at is None
    client.post(f"/awards/{awards[1].pk}/paid")
    assert Award.objects.get(pk=awards[1].pk).paid_at is not None

    xlsx = client.get(f"/campaigns/{ranked.campaign.pk}/awards/ledger.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 3


def test_others_get_404_and_change_nothing(ranked, tree):
    awards = confirmed(ranked)
    reviewer = web(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    pk, award = ranked.campaign.pk, awards[0].pk
    for url in (
        f"/campaigns/{pk}/awards/", f"/campaigns/{pk}/awards/notice/", f"/campaigns/{pk}/awards/ledger/",
        f"/campaigns/{pk}/awards/certificates.pdf", f"/campaigns/{pk}/awards/certificates.zip",
        f"/campaigns/{pk}/awards/ledger.xlsx", f"/campaigns/{pk}/awards/notice.pdf",
        f"/awards/{award}/certificate.pdf",
    ):  # fmt: skip
        assert reviewer.get(url).status_code == 404, url
    for url, data in (
        (f"/campaigns/{pk}/awards/allocate", {}), (f"/campaigns/{pk}/awards/confirm", {}),
        (f"/awards/{award}/decline", {"reason": "x"}), (f"/awards/{award}/pass-down", {}),
        (f"/awards/{award}/paid", {}),
        (f"/campaigns/{pk}/awards/notice/", {"doc_number": "1", "issuer": "x", "issued_on": "2026-12-02"}),
    ):  # fmt: skip
        assert reviewer.post(url, data).status_code == 404, url
    assert Award.objects.get(pk=award).status == "confirmed"
    assert Award.objects.get(pk=award).paid_at is None
    assert not ResultNotice.objects.exists()
    assert Client().get(f"/campaigns/{pk}/awards/").status_code == 302  # to the login page


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_read_a_fixed_number_of_queries_whatever_the_number_of_awards(tree, submitter):
    counts = []
    for n in (3, 9):
        scene = make_ranked(
            tree, submitter, list(range(90, 90 - 2 * (n + 2), -2)), levels=tiers(1, n - 1, prizes=(2, 1))
        )
        awards = confirmed(scene)
        actions.decline_award(awards[-1].pk, actor=scene.committee, reason="放弃")  # a 顺延 pair in the lists
        client = web(scene.committee)
        base = f"/campaigns/{scene.campaign.pk}/awards"
        counts.append([_queries(client, f"{base}/"), _queries(client, f"{base}/ledger/")])
    assert counts[0] == counts[1]
