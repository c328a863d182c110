"""Printable judging documents (ReportLab; the font is embedded, ``config.pdf_fonts``, as in the 申报表):

- a judge's score sheet of a round: one row per entry with the points per criterion, the total,
  the comment or the recusal, and the judge's 签字栏;
- the round's summary sheet: ranks, ties, scores, who advances, and a 签字栏 for each judge of the
  panel and for the committee.

Every user-typed text goes in through ``config.documents`` (``pdf_text`` / ``plain``), so it prints
literally; entries are named by title and unit (no personal data of the form is printed).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config import pdf_fonts
from config.documents import pdf_text, plain
from judging.models import Assignment, Round, RoundResult
from workflows.models import NominationKind
from workflows.rounds import decimal_of


def official_date(moment: Any) -> str:
    """A date as officials write it: 2026年12月2日 (Beijing time)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.year}年{local.month}月{local.day}日"


def _styles(font: str) -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("cn", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
    }


def number_text(value: Decimal | None) -> str:
    """An exact decimal as written by hand: 80, 12.5 (never 8E+1)."""
    if value is None:
        return ""
    return str(value.normalize()) if value != value.to_integral() else str(int(value))


def _table(rows: list[list[Any]], widths: list[float], font: str, *, row_height: float | None = None) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    heights = [None] + [row_height] * (len(rows) - 1) if row_height else None
    table = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
        ("FONTNAME", (0, 0), (-1, -1), font),  # empty cells too: no font left for the viewer
    ]))  # fmt: skip
    return table


def _build(story: list[Any], title: str, font: str, *, landscape_page: bool = False) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    size = landscape(A4) if landscape_page else A4
    SimpleDocTemplate(buffer, pagesize=size, title=plain(title), leftMargin=12 * mm, rightMargin=12 * mm,
                      topMargin=14 * mm, bottomMargin=14 * mm, initialFontName=font).build(story)  # fmt: skip
    return buffer.getvalue()


def _signature_text(label: str) -> str:
    return f"{label}：______________________　　日期：________年____月____日"


def _signature_line(label: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(pdf_text(_signature_text(label)), style)


def render_judge_sheet(current: Round, definition: dict[str, Any], judge: User, rows: list[Assignment]) -> bytes:
    """One judge's score sheet of a round with the judge's 签字栏."""
    criteria = list(definition.get("criteria") or [])
    name = definition.get("name") or current.key
    campaign = current.campaign
    judge_name = judge.display_name or judge.username
    heading = [campaign.title, _("{round}　专家评分表").format(round=name)]
    byline = _("评审专家：{name}　　打印日期：{date}").format(name=judge_name, date=official_date(timezone.now()))
    header = [_("序号"), _("申报名称"), _("申报单位")]
    header += [f"{c.get('name') or c['key']}（{c.get('max')}）" for c in criteria]
    header += [_("合计"), _("状态"), _("评语／回避原因")]
    body: list[list[str]] = []
    for i, a in enumerate(rows, 1):
        scores = a.scores or {}
        values = [decimal_of(scores.get(c["key"])) for c in criteria]
        total = sum((v for v in values if v is not None), Decimal(0)) if scores else None
        note = a.recusal_reason if a.status == Assignment.Status.RECUSED else a.comment
        cells = [str(i), a.nomination.title, a.nomination.unit.name if a.nomination.unit_id else ""]
        cells += [number_text(v) for v in values]
        cells += [number_text(total), str(a.get_status_display()), note]
        body.append(cells)
    signature = _("评审专家签字")
    strings = [*heading, byline, *header, *(c for cells in body for c in cells), _signature_text(signature)]
    with pdf_fonts.embedded_font([plain(t) for t in strings]) as font:
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Spacer

        s = _styles(font)
        story: list[Any] = [Paragraph(pdf_text(t), s["title"]) for t in heading]
        story += [Spacer(1, 4 * mm), Paragraph(pdf_text(byline), s["base"]), Spacer(1, 3 * mm)]
        table_rows = [[Paragraph(pdf_text(c), s["cell"]) for c in cells] for cells in [header, *body]]
        fixed = [10 * mm, 45 * mm, 40 * mm]
        tail = [16 * mm, 16 * mm, 50 * mm]
        free = 273 * mm - sum(fixed) - sum(tail)
        widths = fixed + [free / max(len(criteria), 1)] * len(criteria) + tail
        story += [_table(table_rows, widths, font), Spacer(1, 10 * mm), _signature_line(signature, s["base"])]
        return _build(story, f"{campaign.title} {name} {judge_name}", font, landscape_page=True)


def render_round_summary(
    current: Round, definition: dict[str, Any], results: list[RoundResult], judges: list[User]
) -> bytes:
    """A closed round's summary sheet: ranks and scores by kind, 签字栏 for the panel and the committee."""
    campaign = current.campaign
    name = definition.get("name") or current.key
    labels = dict(NominationKind.choices)
    heading = [campaign.title, _("{round}　评审结果汇总表").format(round=name)]
    byline = _("评审结束：{date}　　参评 {n} 件").format(date=official_date(current.closed_at), n=len(results))
    header = [_("类别"), _("名次"), _("申报名称"), _("本轮得分"), _("排名得分"), _("晋级")]
    body: list[list[str]] = []
    for r in results:
        rank = _("{rank}（并列）").format(rank=r.rank) if r.tied else str(r.rank)
        body.append([str(labels.get(r.kind, r.kind)), rank, r.nomination.title, number_text(r.round_score),
                     number_text(r.score), _("是") if r.advanced else ""])  # fmt: skip
    if not body:
        body.append([_("（无）"), "", "", "", "", ""])
    ties = [
        _("晋级线上同分待组委会裁定：{ids}").format(ids="、".join(str(i) for i in tied))
        for tied in (current.boundary_tie or {}).values()
    ]
    panel, signature = _("评审专家组签字"), _("组委会负责人签字")
    signature_header = [_("专家"), _("签字"), _("日期")]
    judge_names = [judge.display_name or judge.username for judge in judges]
    strings = [*heading, byline, *header, *(c for cells in body for c in cells), *ties, panel, *signature_header]
    strings += [*judge_names, _signature_text(signature)]
    with pdf_fonts.embedded_font([plain(t) for t in strings]) as font:
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Spacer

        s = _styles(font)
        story: list[Any] = [Paragraph(pdf_text(t), s["title"]) for t in heading]
        story += [Spacer(1, 4 * mm), Paragraph(pdf_text(byline), s["base"]), Spacer(1, 3 * mm)]
        rows = [[Paragraph(pdf_text(c), s["cell"]) if c else "" for c in cells] for cells in [header, *body]]
        story += [_table(rows, [22 * mm, 18 * mm, 70 * mm, 24 * mm, 24 * mm, 18 * mm], font), Spacer(1, 6 * mm)]
        story += [Paragraph(pdf_text(t), s["base"]) for t in ties]
        story.append(Paragraph(pdf_text(panel), s["base"]))
        signature_rows: list[list[Any]] = [[Paragraph(pdf_text(h), s["cell"]) for h in signature_header]]
        signature_rows += [[Paragraph(pdf_text(n), s["cell"]), "", ""] for n in judge_names]
        signatures = _table(signature_rows, [50 * mm, 80 * mm, 46 * mm], font, row_height=12 * mm)
        story += [Spacer(1, 2 * mm), signatures, Spacer(1, 8 * mm), _signature_line(signature, s["base"])]
        return _build(story, f"{campaign.title} {name}", font)
