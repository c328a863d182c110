"""The judging pages (judging/web.py): a judge's tasks and score sheet, the committee's rounds,
the Excel export and the printable PDFs, through the Django test client."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from judging import actions
from judging.models import Assignment, ImportedScore, Round
from tests.approvals.test_hostile_documents import pdf_text
from tests.approvals.test_paper_documents import assert_fonts_embedded
from tests.judging.conftest import Scene, make_scene, panel_round, sheet
from tests.judging.test_import import IMPORT_ROUND, workbook

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def panel(scene: Scene) -> Scene:
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges])
    return scene


def own(scene: Scene, judge_index: int = 0) -> list[Assignment]:
    return list(Assignment.objects.filter(judge=scene.judges[judge_index]).order_by("id"))


def form(process, effect, show, comment=""):
    return {"score-process": process, "score-effect": effect, "score-show": show, "comment": comment}


def round_url(scene: Scene, tail: str = "") -> str:
    return f"/campaigns/{scene.campaign.pk}/judging/review/{tail}"


# --- judges ---------------------------------------------------------------------------------


def test_a_judge_finds_the_tasks_in_the_menu_with_progress(panel):
    page = login(panel.judges[0]).get("/judging/").content.decode()

    assert 'href="/judging/"' in page
    assert "评审任务" in page
    assert "已提交 0 · 待评分 3 · 已回避 0" in page
    assert all(e.title in page for e in panel.entries)
    assert f'href="/judging/assignments/{own(panel)[0].pk}/"' in page  # 继续评分


def test_the_assigned_notification_opens_the_tasks_page(panel):
    from notifications.models import OutboxMessage

    link = OutboxMessage.objects.filter(kind="judge_assigned").latest("id").payload["link"]
    assert link == "/judging/"
    assert login(panel.judges[0]).get(link).status_code == 200


def test_the_sheet_shows_the_masked_entry_beside_a_keyboard_friendly_rubric(panel):
    page = login(panel.judges[0]).get(f"/judging/assignments/{own(panel)[0].pk}/").content.decode()

    assert "138****5678" in page
    assert "13812345678" not in page
    assert 'name="score-process" type="number" inputmode="decimal" min="0" max="20" step="1"' in page
    assert "（满分 30）" in page
    assert 'data-autosave-url="/judging/assignments/' in page
    assert "sealflow/judging.js" in page
    assert "<script>" not in page


def test_a_judge_cannot_open_another_judges_sheet(panel):
    others = own(panel, 1)[0]
    judge = login(panel.judges[0])

    assert judge.get(f"/judging/assignments/{others.pk}/").status_code == 404
    assert judge.post(f"/judging/assignments/{others.pk}/autosave", form(1, 1, 1)).status_code == 404
    assert judge.post(f"/judging/assignments/{others.pk}/submit", form(1, 1, 1)).status_code == 404
    assert judge.get(f"/judging/rounds/{others.round_id}/judges/{panel.judges[1].pk}/sheet.pdf").status_code == 404
    others.refresh_from_db()
    assert others.status == Assignment.Status.PENDING
    assert others.scores == {}


def test_autosave_keeps_the_draft_and_names_the_bad_field(panel):
    mine = own(panel)[0]
    judge = login(panel.judges[0])
    url = f"/judging/assignments/{mine.pk}/autosave"

    partial = judge.post(url, form("10", "", ""))
    assert partial.status_code == 400
    assert partial.json()["errors"] == {}
    assert "填完" in partial.json()["detail"]

    wrong = judge.post(url, form("25", "20", "1.5"))
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["score-process"] == ["不能超过满分20"]
    assert wrong.json()["errors"]["score-show"] == ["必须是1的整数倍"]

    saved = judge.post(url, form("10", "20", "30", "思路清晰"))
    assert saved.status_code == 200, saved.content
    mine.refresh_from_db()
    assert mine.scores == {"process": "10", "effect": "20", "show": "30"}
    assert mine.comment == "思路清晰"
    assert mine.status == Assignment.Status.PENDING


def test_submit_through_the_page_is_final_and_leads_to_the_next_sheet(panel):
    first, second, _third = own(panel)
    judge = login(panel.judges[0])

    refused = judge.post(f"/judging/assignments/{first.pk}/submit", form("10", "40", "30"))
    assert refused.status_code == 400
    assert "不能超过满分30" in refused.content.decode()

    done = judge.post(f"/judging/assignments/{first.pk}/submit", form("10", "20", "30"))
    assert (done.status_code, done["Location"]) == (302, f"/judging/assignments/{second.pk}/")
    first.refresh_from_db()
    assert first.status == Assignment.Status.SUBMITTED

    again = judge.post(f"/judging/assignments/{first.pk}/autosave", form("1", "1", "1"))
    assert (again.status_code, again.json()["code"]) == (409, "already_submitted")
    page = judge.get(f"/judging/assignments/{first.pk}/").content.decode()
    assert 'name="score-process"' not in page
    assert "60" in page


def test_a_judge_declares_a_conflict_with_a_reason(panel):
    mine = own(panel)[0]
    judge = login(panel.judges[0])

    empty = judge.post(f"/judging/assignments/{mine.pk}/recuse", {"reason": " "})
    assert empty.status_code == 400
    assert "请填写回避原因" in empty.content.decode()
    assert judge.post(f"/judging/assignments/{mine.pk}/recuse", {"reason": "曾指导该项目"}).status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.recusal_kind, mine.recusal_reason) == ("recused", "declared", "曾指导该项目")


# --- the committee --------------------------------------------------------------------------


def test_a_unit_user_or_a_judge_cannot_see_the_committee_pages(panel, submitter):
    for user in (submitter, panel.judges[0]):
        client = login(user)
        assert client.get(f"/campaigns/{panel.campaign.pk}/judging/").status_code == 404
        assert client.get(round_url(panel)).status_code == 404
        assert client.post(round_url(panel, "close")).status_code == 404
    assert Round.objects.get().status == Round.Status.OPEN


def test_the_committee_sets_up_the_panel_on_the_page(scene):
    committee = login(scene.committee)
    campaign_page = committee.get(f"/campaigns/{scene.campaign.pk}/judging/").content.decode()
    assert "专家评审" in campaign_page
    assert round_url(scene) in campaign_page
    assert "组建评审专家组" in committee.get(round_url(scene)).content.decode()

    response = committee.post(round_url(scene, "panel"), {"judges": [j.pk for j in scene.judges[:2]],
                                                          "per_entry": "1"}, follow=True)  # fmt: skip

    page = response.content.decode()
    assert "已组建评审专家组：3 项评审任务" in page
    assert "评分进度（按专家）" in page
    assert "组建并通知专家" not in page
    assert Assignment.objects.filter(status="pending").count() == 3


def test_close_refused_is_a_clear_message_then_results_excel_and_pdfs(panel):
    committee = login(panel.committee)
    round_id = Round.objects.get().pk
    before = f"/judging/rounds/{round_id}/judges/{panel.judges[0].pk}/sheet.pdf"
    assert committee.get(before).status_code == 404  # no judge's sheet for the committee before close
    refused = committee.post(round_url(panel, "close"), follow=True).content.decode()
    assert "仍有评审任务未提交评分，不能结束本轮" in refused
    urged = committee.post(round_url(panel, "urge"), follow=True).content.decode()
    assert "已提醒 3 位尚未完成评分的专家" in urged
    assert "results.xlsx" not in urged  # no ranking before close

    for i, judge in enumerate(panel.judges):
        for a in own(panel, i):
            actions.submit_score(a.pk, actor=judge, scores=sheet(10, 20, 30 - (a.nomination_id % 3)))
    page = committee.post(round_url(panel, "close"), follow=True).content.decode()
    assert "本轮评审已结束" in page
    assert "评审结果" in page
    assert all(e.title in page for e in panel.entries)

    workbook_bytes = committee.get(round_url(panel, "results.xlsx")).content
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook_bytes)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:5] == ("类别", "名次", "并列", "申报编号", "名称")
    assert {r[4] for r in rows[2:]} == {e.title for e in panel.entries}
    assert sorted(int(str(r[1])) for r in rows[2:]) == [1, 2, 3]

    summary = committee.get(round_url(panel, "summary.pdf"))
    assert summary["Content-Type"] == "application/pdf"
    text = pdf_text(summary.content)
    assert "评审结果汇总表" in text
    assert "签字" in text
    assert all(j.display_name in text for j in panel.judges if j.display_name)
    assert all(e.title in text for e in panel.entries)

    judge = panel.judges[0]
    own_pdf = login(judge).get(f"/judging/rounds/{round_id}/judges/{judge.pk}/sheet.pdf")
    assert own_pdf.status_code == 200
    assert (judge.display_name or judge.username) in pdf_text(own_pdf.content)
    assert "评审专家签字" in pdf_text(own_pdf.content)
    assert committee.get(f"/judging/rounds/{round_id}/judges/{judge.pk}/sheet.pdf").status_code == 200


def test_the_excel_export_writes_a_typed_title_as_text_not_a_formula(panel):
    entry = panel.entries[0]
    entry.title = '=HYPERLINK("http://x","点我")'
    entry.save(update_fields=["title"])
    for i, judge in enumerate(panel.judges):
        for a in own(panel, i):
            actions.submit_score(a.pk, actor=judge, scores=sheet(10, 20, 30))
    actions.close_round(panel.campaign.pk, "review", actor=panel.committee)

    content = login(panel.committee).get(round_url(panel, "results.xlsx")).content

    sheet_ = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in sheet_.iter_rows() for c in row if c.value == entry.title]
    assert cells
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_the_import_page_reports_errors_by_row_then_imports(tree, submitter):
    scene = make_scene(tree, submitter, rounds=[IMPORT_ROUND, panel_round(weight=0)], entries=2)
    committee = login(scene.committee)
    url = f"/campaigns/{scene.campaign.pk}/judging/data/"
    assert "导入成绩" in committee.get(url).content.decode()

    bad = io.BytesIO(workbook([(scene.entries[0].pk, 80), (999999, 120)]))
    bad.name = "scores.xlsx"
    response = committee.post(url + "import", {"file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "第 3 行" in page
    assert "分数必须是0到100之间的数字" in page
    assert not ImportedScore.objects.exists()

    good = io.BytesIO(workbook([(e.pk, 80 + i) for i, e in enumerate(scene.entries)]))
    good.name = "scores.xlsx"
    done = committee.post(url + "import", {"file": good}, follow=True).content.decode()
    assert "已导入 2 条成绩" in done
    assert ImportedScore.objects.count() == 2


def test_a_tie_at_the_advance_line_is_decided_on_the_page(tree, submitter):
    scene = make_scene(tree, submitter, rounds=[panel_round(advance=1)], entries=2, judges=1)
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[scene.judges[0].pk])
    for a in own(scene):
        actions.submit_score(a.pk, actor=scene.judges[0], scores=sheet(10, 20, 30))
    committee = login(scene.committee)
    page = committee.post(round_url(scene, "close"), follow=True).content.decode()
    assert "晋级线上同分，待组委会裁定" in page
    assert page.count('name="advancing"') == 2

    done = committee.post(round_url(scene, "ties"), {"advancing": [scene.entries[1].pk]}, follow=True)

    assert "已裁定同分：1 件申报晋级" in done.content.decode()
    assert "晋级线上同分，待组委会裁定" not in done.content.decode()
    assert Round.objects.get().boundary_tie == {}


def test_the_score_sheet_and_the_summary_embed_the_glyphs_they_print(panel):
    """Issue 18: a viewer without Chinese fonts shows the judging PDFs' text, not boxes."""
    for i, judge in enumerate(panel.judges):
        for a in own(panel, i):
            actions.submit_score(a.pk, actor=judge, scores=sheet(10, 20, 30), comment="鞭辟入里，鳏寡有依")
    committee = login(panel.committee)
    assert "本轮评审已结束" in committee.post(round_url(panel, "close"), follow=True).content.decode()
    judge = panel.judges[0]

    summary = committee.get(round_url(panel, "summary.pdf")).content
    own_sheet = login(judge).get(f"/judging/rounds/{Round.objects.get().pk}/judges/{judge.pk}/sheet.pdf").content

    for pdf in (summary, own_sheet):
        assert_fonts_embedded(pdf)
    assert "鞭辟入里，鳏寡有依" in pdf_text(own_sheet)
    assert "评审结果汇总表" in pdf_text(summary)
