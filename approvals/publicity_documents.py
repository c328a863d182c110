"""Printable 公示 documents: the 公示 notice of a campaign (PDF, its font embedded as in the 申报表)
and the final list (Excel). Built from the masked public list and the nominations; no writes.
Every text goes in through ``config.documents`` (paragraph markup escaped, cells never formulas).

The notice is written for paper, as an official notice: what is published and for how long, how to
object without a screen (the web address printed; by letter, phone or in person as the committee's
objection text and the campaign's contact say), the contact, the 公示 page's address, and the 落款:
the host bodies and the date of publication (2026年12月2日).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from approvals.documents import PRODUCT
from approvals.models import Nomination, PublicityRound
from approvals.publicity_public import HOW_TO_OBJECT
from config import pdf_fonts
from config.dates import official_time
from config.documents import pdf_text, plain, xlsx_cell
from workflows.models import Campaign


@dataclass
class NoticeFacts:
    """What the notice says beyond the public list: who issues it, whom to contact, where it is online."""

    issuer: list[str] = field(default_factory=list)  # the 落款: the host bodies, one a line
    contact: str = ""  # 联系人、电话、地址 as the campaign gives them
    page_url: str = ""  # the public 公示 page
    # Round number → the committee's own text on how to object (where to write, a phone), if any.
    objection_texts: dict[int, str] = field(default_factory=dict)


def _texts(value: Any) -> list[str]:
    """A ``bodies`` entry (a name or a list of names) as a list of non-empty strings."""
    values = value if isinstance(value, list) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def notice_facts(campaign: Campaign) -> NoticeFacts:
    """The notice's 落款 (``bodies["host"]``, else the host organisation), contact (``bodies["contact"]``),
    the 公示 page's public address and each round's objection text as the committee typed it."""
    bodies = campaign.bodies if isinstance(campaign.bodies, dict) else {}
    rounds = PublicityRound.objects.filter(campaign=campaign).values_list("number", "how_to_object")
    return NoticeFacts(
        issuer=_texts(bodies.get("host")) or [campaign.host_org.name],
        contact="；".join(_texts(bodies.get("contact"))),
        page_url=settings.SEALFLOW_PUBLIC_BASE_URL.rstrip("/") + reverse("publicity-page", args=[campaign.pk]),
        objection_texts={number: text.strip() for number, text in rounds if text.strip()},
    )


def _day(value: str) -> str:
    moment = parse_datetime(value)
    return official_time(moment.replace(hour=0, minute=0, second=0, microsecond=0)) if moment else value


def notice_paragraphs(data: dict[str, Any], facts: NoticeFacts) -> list[tuple[str, list[str]]]:
    """Per round (newest first): its title and the paragraphs around its table, in order (the first
    one before the table, the rest after it); then ``("", closing paragraphs)``."""
    out: list[tuple[str, list[str]]] = []
    for r in data["rounds"]:
        period = _("公示期：{start}至{end}（北京时间）。").format(
            start=official_time(r["starts_at"]), end=official_time(r["ends_at"], end=True)
        )
        count = len(r["entries"])
        if r.get("kind") == PublicityRound.Kind.REVOCATION:
            paragraphs = [_("现将以下撤销决定予以公示。") + period]
        else:
            paragraphs = [_("现将以下名单（共{count}个）予以公示。").format(count=count) + period]
            typed = facts.objection_texts.get(r.get("number", 0), "")
            if not typed and r.get("how_to_object") and r["how_to_object"] != str(HOW_TO_OBJECT):
                typed = r["how_to_object"]
            paragraphs.append(
                _(
                    "公示期间，任何单位或个人对公示对象有异议的，可在公示期内实名提出书面异议，写明事实和理由，"
                    "并提供必要的证明材料。个人须签署真实姓名并注明联系电话，单位须加盖公章并写明联系人和联系电话。"
                    "匿名异议不予受理。异议人身份严格保密。异议可通过以下方式提出："
                )
            )
            if facts.page_url:
                paragraphs.append(
                    _(
                        "（一）网上提出：访问{url}，在公示名单中找到公示对象提出异议，提交后凭回执码查询处理情况。"
                    ).format(url=facts.page_url)
                )
            if typed:
                paragraphs.append(_("（二）来信、来电或当面提出：{how}").format(how=typed))
            elif facts.contact:
                paragraphs.append(_("（二）来信、来电或当面提出：{contact}").format(contact=facts.contact))
            else:
                paragraphs.append(_("（二）来信或当面提出：向{issuer}提出。").format(issuer="、".join(facts.issuer)))
        out.append((r["title"], paragraphs))
    closing = []
    if facts.contact:
        closing.append(_("联系方式：{contact}").format(contact=facts.contact))
    if facts.page_url:
        closing.append(_("公示网址：{url}").format(url=facts.page_url))
    out.append(("", closing))
    return out


def render_notice_pdf(data: dict[str, Any], facts: NoticeFacts | None = None) -> bytes:
    """The 公示 notice: every round of ``publicity_public.build_public_list`` (masked), newest first,
    written as an official notice (``notice_paragraphs``) and signed by the issuer with the date."""
    facts = facts or NoticeFacts()
    sections = notice_paragraphs(data, facts)
    date = _day(data["rounds"][0]["starts_at"]) if data["rounds"] else ""
    headers = [_("序号"), _("奖项等次"), _("名称"), _("申报单位"), _("类别"), _("简介"), _("（无）")]
    strings = [data["campaign"]["title"], _("公示"), date, *facts.issuer, *headers]
    strings += [t for title, paragraphs in sections for t in (title, *paragraphs)]
    for r in data["rounds"]:
        strings += [str(i) for i in range(len(r["entries"]) + 1)]
        for e in r["entries"]:
            strings += [e.get("tier_name", ""), e["title"], e["unit"], e["kind_label"], e["summary"]]
    with pdf_fonts.embedded_font([plain(s) for s in strings]) as font:
        return _render_notice(data, sections, facts, date, font)


def _render_notice(
    data: dict[str, Any], sections: list[tuple[str, list[str]]], facts: NoticeFacts, date: str, font: str
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("cn", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    body = ParagraphStyle("body", parent=base, firstLineIndent=22)
    item = ParagraphStyle("item", parent=base, firstLineIndent=22)
    title = ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=1)
    heading = ParagraphStyle("h", parent=base, fontSize=13, leading=20, spaceBefore=4)
    signature = ParagraphStyle("sign", parent=base, alignment=2)
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)
    story: list[Any] = [
        Paragraph(pdf_text(data["campaign"]["title"]), title),
        Paragraph(pdf_text(_("公示")), title),
        Spacer(1, 5 * mm),
    ]
    for r, (round_title, paragraphs) in zip(data["rounds"], sections, strict=False):
        story.append(Paragraph(pdf_text(round_title), heading))
        story.append(Paragraph(pdf_text(paragraphs[0]), body))
        # A results 公示 (awards confirmed) shows each entry's tier in a column of its own.
        labelled = bool(r.get("labelled"))
        head = (_("序号"), *((_("奖项等次"),) if labelled else ()), _("名称"), _("申报单位"), _("类别"), _("简介"))
        rows = [[Paragraph(pdf_text(h), cell) for h in head]]
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
            rows.append([Paragraph(pdf_text(_("（无）")), cell)] + [""] * (len(head) - 1))
        widths = (
            [12 * mm, 20 * mm, 36 * mm, 34 * mm, 18 * mm, 60 * mm]
            if labelled
            else [12 * mm, 40 * mm, 38 * mm, 20 * mm, 70 * mm]
        )
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), font),  # empty cells too: no font left for the viewer
                ]
            )  # fmt: skip
        )
        story += [Spacer(1, 2 * mm), table, Spacer(1, 3 * mm)]
        story += [Paragraph(pdf_text(p), body if i == 0 else item) for i, p in enumerate(paragraphs[1:])]
        story.append(Spacer(1, 5 * mm))
    closing = sections[-1][1] if sections else []
    story += [Paragraph(pdf_text(p), body) for p in closing]
    # The 落款: the issuing bodies and the date, right-aligned, kept together on one page.
    sign = [Spacer(1, 10 * mm), *(Paragraph(pdf_text(name), signature) for name in facts.issuer)]
    if date:
        sign.append(Paragraph(pdf_text(date), signature))
    story.append(KeepTogether(sign))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=plain(f"{data['campaign']['title']} {_('公示')}"), author=PRODUCT, creator=PRODUCT,
        leftMargin=15 * mm, rightMargin=15 * mm, initialFontName=font,
    ).build(story)  # fmt: skip
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
