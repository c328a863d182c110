"""Printable 公示 documents: the 公示 notice of a campaign (PDF, the same CID font as the 申报表)
and the final list (Excel). Built from the masked public list and the nominations; no writes."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from approvals.documents import CID_FONT, _register_font
from approvals.models import Nomination
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
    story: list[Any] = [Paragraph(data["campaign"]["title"], title), Spacer(1, 4 * mm)]
    for r in data["rounds"]:
        story.append(Paragraph(r["title"], ParagraphStyle("h", parent=base, fontSize=13, leading=18)))
        story.append(
            Paragraph(
                _("{kind}　公示期：{start} 至 {end}（北京时间）").format(
                    kind=r["kind_label"],
                    start=r["starts_at"][:16].replace("T", " "),
                    end=r["ends_at"][:16].replace("T", " "),
                ),  # fmt: skip
                base,
            )
        )
        rows = [[Paragraph(h, cell) for h in (_("序号"), _("名称"), _("申报单位"), _("类别"), _("简介"))]]
        for i, e in enumerate(r["entries"], 1):
            rows.append(
                [Paragraph(str(i), cell)] + [Paragraph(e[k], cell) for k in ("title", "unit", "kind_label", "summary")]
            )
        if len(rows) == 1:
            rows.append([Paragraph(_("（无）"), cell), "", "", "", ""])
        table = Table(rows, colWidths=[12 * mm, 40 * mm, 38 * mm, 20 * mm, 70 * mm], repeatRows=1)
        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story += [Spacer(1, 2 * mm), table, Spacer(1, 3 * mm), Paragraph(r["how_to_object"], base), Spacer(1, 6 * mm)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=data["campaign"]["title"], leftMargin=15 * mm,
                      rightMargin=15 * mm).build(story)  # fmt: skip
    return buffer.getvalue()


def render_final_xlsx(campaign: Campaign) -> bytes:
    """The final list (最终名单): the campaign's nominations that are ``final``, by district and title."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("最终名单"))
    sheet.append([str(campaign.title)])
    sheet.append([str(h) for h in (_("序号"), _("名称"), _("申报单位"), _("区（县）"), _("类别"))])
    finals = (
        Nomination.objects.filter(campaign=campaign, status=Nomination.Status.FINAL)
        .select_related("unit", "district")
        .order_by("district__name", "title", "pk")
    )
    for i, n in enumerate(finals, 1):
        sheet.append([i, n.title, n.unit.name, n.district.name if n.district else "", str(n.get_kind_display())])
    for column, width in zip("ABCDE", (8, 40, 36, 20, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
