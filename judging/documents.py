"""Printable judging documents (ReportLab, the CID font of the 申报表, no font file needed):

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
from config.documents import pdf_text, plain
from judging.models import Assignment, Round, RoundResult
from workflows.models import NominationKind
from workflows.rounds import decimal_of

CID_FONT = "STSong-Light"


def official_date(moment: Any) -> str:
    """A date as officials write it: 2026年12月2日 (Beijing time)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.year}年{local.month}月{local.day}日"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    _register_font()
    base = ParagraphStyle("cn", fontName=CID_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
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


def _table(rows: list[list[Any]], widths: list[float], *, row_height: float | None = None) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    heights = [None] + [row_height] * (len(rows) - 1) if row_height else None
    table = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
    ]))  # fmt: skip
    return table


def _build(story: list[Any], title: str, *, landscape_page: bool = False) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    size = landscape(A4) if landscape_page else A4
    SimpleDocTemplate(buffer, pagesize=size, title=plain(title), leftMargin=12 * mm, rightMargin=12 * mm,
                      topMargin=14 * mm, bottomMargin=14 * mm).build(story)  # fmt: skip
    return buffer.getvalue()


def _signature_line(label: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(pdf_text(f"{label}：______________________　　日期：________年____月____日"), style)


def render_judge_sheet(current: Round, definition: dict[str, Any], judge: User, rows: list[Assignment]) -> bytes:
    """One judge's score sheet of a round with the judge's 签字栏."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    s = _styles()
    criteria = list(definition.get("criteria") or [])
    name = definition.get("name") or current.key
    campaign = current.campaign
    judge_name = judge.display_name or judge.username
    story: list[Any] = [
        Paragraph(pdf_text(campaign.title), s["title"]),
        Paragraph(pdf_text(_("{round}　专家评分表").format(round=name)), s["title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            pdf_text(
                _("评审专家：{name}　　打印日期：{date}").format(name=judge_name, date=official_date(timezone.now()))
            ),
            s["base"],
        ),  # fmt: skip
        Spacer(1, 3 * mm),
    ]
    header = [_("序号"), _("申报名称"), _("申报单位")]
    header += [f"{c.get('name') or c['key']}（{c.get('max')}）" for c in criteria]
    header += [_("合计"), _("状态"), _("评语／回避原因")]
    table_rows: list[list[Any]] = [[Paragraph(pdf_text(h), s["cell"]) for h in header]]
    for i, a in enumerate(rows, 1):
        scores = a.scores or {}
        values = [decimal_of(scores.get(c["key"])) for c in criteria]
        total = sum((v for v in values if v is not None), Decimal(0)) if scores else None
        note = a.recusal_reason if a.status == Assignment.Status.RECUSED else a.comment
        cells = [str(i), a.nomination.title, a.nomination.unit.name if a.nomination.unit_id else ""]
        cells += [number_text(v) for v in values]
        cells += [number_text(total), str(a.get_status_display()), note]
        table_rows.append([Paragraph(pdf_text(c), s["cell"]) for c in cells])
    fixed = [10 * mm, 45 * mm, 40 * mm]
    tail = [16 * mm, 16 * mm, 50 * mm]
    free = 273 * mm - sum(fixed) - sum(tail)
    widths = fixed + [free / max(len(criteria), 1)] * len(criteria) + tail
    story += [_table(table_rows, widths), Spacer(1, 10 * mm), _signature_line(_("评审专家签字"), s["base"])]
    return _build(story, f"{campaign.title} {name} {judge_name}", landscape_page=True)


def render_round_summary(
    current: Round, definition: dict[str, Any], results: list[RoundResult], judges: list[User]
) -> bytes:
    """A closed round's summary sheet: ranks and scores by kind, 签字栏 for the panel and the committee."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    s = _styles()
    campaign = current.campaign
    name = definition.get("name") or current.key
    labels = dict(NominationKind.choices)
    story: list[Any] = [
        Paragraph(pdf_text(campaign.title), s["title"]),
        Paragraph(pdf_text(_("{round}　评审结果汇总表").format(round=name)), s["title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            pdf_text(
                _("评审结束：{date}　　参评 {n} 件").format(date=official_date(current.closed_at), n=len(results))
            ),
            s["base"],
        ),  # fmt: skip
        Spacer(1, 3 * mm),
    ]
    header = [_("类别"), _("名次"), _("申报名称"), _("本轮得分"), _("排名得分"), _("晋级")]
    rows: list[list[Any]] = [[Paragraph(pdf_text(h), s["cell"]) for h in header]]
    for r in results:
        rank = _("{rank}（并列）").format(rank=r.rank) if r.tied else str(r.rank)
        cells = [str(labels.get(r.kind, r.kind)), rank, r.nomination.title, number_text(r.round_score),
                 number_text(r.score), _("是") if r.advanced else ""]  # fmt: skip
        rows.append([Paragraph(pdf_text(c), s["cell"]) for c in cells])
    if len(rows) == 1:
        rows.append([Paragraph(pdf_text(_("（无）")), s["cell"]), "", "", "", "", ""])
    story += [_table(rows, [22 * mm, 18 * mm, 70 * mm, 24 * mm, 24 * mm, 18 * mm]), Spacer(1, 6 * mm)]
    for tied in (current.boundary_tie or {}).values():
        story.append(Paragraph(pdf_text(_("晋级线上同分待组委会裁定：{ids}").format(
            ids="、".join(str(i) for i in tied))), s["base"]))  # fmt: skip
    story.append(Paragraph(pdf_text(_("评审专家组签字")), s["base"]))
    signature_rows: list[list[Any]] = [[Paragraph(pdf_text(h), s["cell"]) for h in (_("专家"), _("签字"), _("日期"))]]
    for judge in judges:
        signature_rows.append([Paragraph(pdf_text(judge.display_name or judge.username), s["cell"]), "", ""])
    signatures = _table(signature_rows, [50 * mm, 80 * mm, 46 * mm], row_height=12 * mm)
    story += [Spacer(1, 2 * mm), signatures, Spacer(1, 8 * mm), _signature_line(_("组委会负责人签字"), s["base"])]
    return _build(story, f"{campaign.title} {name}")
