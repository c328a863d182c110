"""Printable 公示 documents: the 公示 notice of a campaign (PDF, the same CID font as the 申报表)
and the final list (Excel). Built from the masked public list and the nominations; no writes.
Every text goes in through ``config.documents`` (paragraph markup escaped, cells never formulas)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from approvals.documents import CID_FONT, _register_font
from approvals.models import Nomination
from config.documents import pdf_text, plain, xlsx_cell
from workflows.models import Campaign


def render_notice_pdf(data: dict[str, Any]) -> bytes:
    """The 公示 notice: every round of ``publicity_public.build_public_list`` (masked), newest first."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    base = ParagraphStyle("cn", fontName=CID_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)
    story: list[Any] = [Paragraph(pdf_text(data["campaign"]["title"]), title), Spacer(1, 4 * mm)]
    for r in data["rounds"]:
        story.append(Paragraph(pdf_text(r["title"]), ParagraphStyle("h", parent=base, fontSize=13, leading=18)))
        story.append(
            Paragraph(
                pdf_text(
                    _("{kind}　公示期：{start} 至 {end}（北京时间）").format(
                        kind=r["kind_label"],
                        start=r["starts_at"][:16].replace("T", " "),
                        end=r["ends_at"][:16].replace("T", " "),
                    )
                ),  # fmt: skip
                base,
            )
        )
        # A results 公示 (awards confirmed) shows each entry's tier in a column of its own.
        labelled = bool(r.get("labelled"))
        headers = (_("序号"), *((_("奖项等次"),) if labelled else ()), _("名称"), _("申报单位"), _("类别"), _("简介"))
        rows = [[Paragraph(pdf_text(h), cell) for h in headers]]
        for i, e in enumerate(r["entries"], 1):
            texts = (
                *((e.get("tier_name", ""),) if labelled else ()),
                e["title"],
                e["unit"],
                e["kind_label"],
                e["summary"],
            )
            rows.append([Paragraph(str(i), cell)] + [Paragraph(pdf_text(t), cell) for t in texts])
        if len(rows) == 1:
            rows.append([Paragraph(pdf_text(_("（无）")), cell)] + [""] * (len(headers) - 1))
        widths = (
            [12 * mm, 20 * mm, 36 * mm, 34 * mm, 18 * mm, 60 * mm]
            if labelled
            else [12 * mm, 40 * mm, 38 * mm, 20 * mm, 70 * mm]
        )
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        how_to_object = Paragraph(pdf_text(r["how_to_object"]), base)
        story += [Spacer(1, 2 * mm), table, Spacer(1, 3 * mm), how_to_object, Spacer(1, 6 * mm)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=plain(data["campaign"]["title"]), leftMargin=15 * mm,
                      rightMargin=15 * mm).build(story)  # fmt: skip
    return buffer.getvalue()


def render_final_xlsx(campaign: Campaign) -> bytes:
    """The final list (最终名单): the campaign's nominations that are ``final``, by district and title."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("最终名单"))
    sheet.append([xlsx_cell(sheet, str(campaign.title))])
    sheet.append([xlsx_cell(sheet, str(h)) for h in (_("序号"), _("名称"), _("申报单位"), _("区（县）"), _("类别"))])
    finals = (
        Nomination.objects.filter(campaign=campaign, status=Nomination.Status.FINAL)
        .select_related("unit", "district")
        .order_by("district__name", "title", "pk")
    )
    for i, n in enumerate(finals, 1):
        row = (i, n.title, n.unit.name, n.district.name if n.district else "", str(n.get_kind_display()))
        sheet.append([xlsx_cell(sheet, value) for value in row])
    for column, width in zip("ABCDE", (8, 40, 36, 20, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
