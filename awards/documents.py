"""Printable award documents: certificates (证书, A4 landscape, one page per award) and the result
notice (发文, the list by tier). Both carry the host's seal (``approvals.documents.draw_seal_pdf``),
a verification code and its QR leading to the public verify page. No writes here: numbers and
codes are assigned by ``awards.actions``. Every user text goes in through ``config.documents``; each
PDF embeds the glyphs it prints (``config.pdf_fonts``), so a viewer without Chinese fonts shows them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.documents import draw_qr_pdf, draw_seal_pdf
from awards.models import Award, Certificate, ResultNotice
from config import pdf_fonts
from config.documents import pdf_text, plain
from workflows.models import Campaign, NominationKind

VerifyUrl = Callable[[str], str]


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def kind_label(kind: str) -> str:
    try:
        return str(NominationKind(kind).label)
    except ValueError:
        return kind


def certificate_date(award: Award) -> date:
    """The date written on a certificate: the result notice's date, else the day the award was confirmed."""
    notice = ResultNotice.objects.filter(campaign_id=award.campaign_id).first()
    if notice is not None:
        return notice.issued_on
    return timezone.localdate(award.confirmed_at) if award.confirmed_at else timezone.localdate()


@dataclass(frozen=True)
class CertificateFace:
    """What one certificate prints, as plain text."""

    number: str  # 证书编号：…
    who: str  # the entry and its unit
    text: str  # 在“…”中荣获…
    host: str
    date: str
    code: str  # 校验码：…
    url: str

    def strings(self) -> list[str]:
        return [self.number, self.who, self.text, self.host, self.date, self.code, self.url]


def certificate_face(certificate: Certificate, verify_url: VerifyUrl) -> CertificateFace:
    award = certificate.award
    nomination = award.nomination
    campaign = award.campaign
    return CertificateFace(
        number=_("证书编号：{number}").format(number=certificate.number),
        who=f"{nomination.title}（{nomination.unit.name}）：",
        text=_("在“{campaign}”中荣获{tier}（{kind}）。特发此证，以资鼓励。").format(
            campaign=campaign.title, tier=award.tier_name, kind=kind_label(award.kind)
        ),
        host=campaign.host_org.name,
        date=chinese_date(certificate_date(award)),
        code=_("校验码：{code}").format(code=certificate.code),
        url=verify_url(certificate.code),
    )


def render_certificates_pdf(certificates: Iterable[Certificate], verify_url: VerifyUrl) -> bytes:
    """One A4 landscape page per certificate: campaign, nominee and unit, tier, date, the host's seal,
    the certificate number, the verification code and its QR."""
    faces = [certificate_face(c, verify_url) for c in certificates]
    labels = (_("获奖证书"), _("荣誉证书"), _("（无有效奖项）"))
    strings = [*labels, *(t for face in faces for t in face.strings())]
    with pdf_fonts.embedded_font([plain(t) for t in strings]) as font:
        return _render_certificates(faces, labels, font)


def _render_certificates(faces: list[CertificateFace], labels: tuple[str, str, str], font: str) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    width, height = landscape(A4)
    body = ParagraphStyle("body", fontName=font, fontSize=20, leading=34, wordWrap="CJK", firstLineIndent=40)
    name = ParagraphStyle("name", fontName=font, fontSize=22, leading=32, wordWrap="CJK")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=font)
    document_title, heading, no_award = labels
    canvas.setTitle(plain(document_title))
    for face in faces:
        canvas.setStrokeColorRGB(0.72, 0.53, 0.04)
        canvas.setLineWidth(3)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.setLineWidth(1)
        canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
        canvas.setFillColorRGB(0.75, 0.05, 0.05)
        canvas.setFont(font, 40)
        canvas.drawCentredString(width / 2, height - 48 * mm, plain(heading))
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font, 11)
        canvas.drawRightString(width - 25 * mm, height - 25 * mm, plain(face.number))
        frame_width = width - 70 * mm
        who = Paragraph(pdf_text(face.who, newlines=False), name)
        _w, who_height = who.wrap(frame_width, height)
        who.drawOn(canvas, 35 * mm, height - 70 * mm - who_height)
        paragraph = Paragraph(pdf_text(face.text, newlines=False), body)
        _w, text_height = paragraph.wrap(frame_width, height)
        paragraph.drawOn(canvas, 35 * mm, height - 76 * mm - who_height - text_height)
        # the host and the date at the bottom right, the seal over them
        right = width - 60 * mm
        canvas.setFont(font, 16)
        canvas.drawCentredString(right, 48 * mm, plain(face.host))
        canvas.drawCentredString(right, 38 * mm, face.date)
        draw_seal_pdf(canvas, right, 46 * mm, 21 * mm, plain(face.host), font=font)
        # the verification code and its QR at the bottom left
        draw_qr_pdf(canvas, face.url, 25 * mm, 22 * mm, 26 * mm)
        canvas.setFont(font, 9)
        canvas.drawString(54 * mm, 36 * mm, plain(face.code))
        canvas.drawString(54 * mm, 30 * mm, plain(face.url))
        canvas.showPage()
    if not faces:
        canvas.setFont(font, 14)
        canvas.drawString(30 * mm, height - 40 * mm, plain(no_award))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
NAME_MAX_CHARS = 60


def certificate_file_name(certificate: Certificate) -> str:
    """``<证书编号>-<名称>.pdf``, safe on every system: no folders, no characters Windows refuses, no
    leading dot, the name cut to ``NAME_MAX_CHARS``; unique within a campaign because the number is."""
    title = _UNSAFE_IN_NAME.sub("_", plain(certificate.award.nomination.title)).strip(" ._") or "_"
    if len(title) > NAME_MAX_CHARS:
        title = title[: NAME_MAX_CHARS - 1] + "…"
    number = _UNSAFE_IN_NAME.sub("_", plain(certificate.number)).strip(" ._")
    return f"{number}-{title}.pdf"


def render_certificates_zip(certificates: Iterable[Certificate], verify_url: VerifyUrl) -> bytes:
    """A ZIP (stdlib ``zipfile``) of one certificate PDF per award, named by ``certificate_file_name``.
    PDFs are already compressed: stored, not deflated again."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            pdf = render_certificates_pdf([certificate], verify_url)
            info = zipfile.ZipInfo(certificate_file_name(certificate), date_time=_zip_time(certificate))
            archive.writestr(info, pdf)
    return buffer.getvalue()


def _zip_time(certificate: Certificate) -> tuple[int, int, int, int, int, int]:
    issued = timezone.localtime(certificate.issued_at)
    return (max(issued.year, 1980), issued.month, issued.day, issued.hour, issued.minute, issued.second)


def awards_by_tier(campaign: Campaign, awards: Iterable[Award]) -> list[tuple[str, list[Award]]]:
    """The awards grouped under "<kind> <tier>" headings, kinds and tiers in the campaign's order, by rank."""
    tiers = campaign.tiers or {}
    kinds = [k for k in campaign.kinds if k in tiers] + [k for k in tiers if k not in campaign.kinds]

    def order(a: Award) -> tuple[int, int, int, int]:
        levels = [t.get("key") for t in tiers.get(a.kind) or [] if isinstance(t, dict)]
        return (
            kinds.index(a.kind) if a.kind in kinds else len(kinds),
            levels.index(a.tier) if a.tier in levels else len(levels),
            a.rank,
            a.pk,
        )

    groups: dict[tuple[str, str], list[Award]] = {}
    for a in sorted(awards, key=order):
        groups.setdefault((a.kind, a.tier_name), []).append(a)
    return [(f"{kind_label(kind)}　{tier}", members) for (kind, tier), members in groups.items()]


def render_notice_pdf(notice: ResultNotice, awards: Iterable[Award], verify_url: VerifyUrl) -> bytes:
    """The result notice (发文): issuer, 文号, the list by tier, the issuer and date under the host's seal,
    the verification code and its QR."""
    campaign = notice.campaign
    url = verify_url(notice.code)
    groups = awards_by_tier(campaign, awards)
    header = (_("序号"), _("名称"), _("申报单位"))
    lead = [
        notice.issuer,
        notice.doc_number,
        _("关于公布“{campaign}”结果的通知").format(campaign=campaign.title),
        _("经评审、公示，现将“{campaign}”获奖名单公布如下：").format(campaign=campaign.title),
    ]
    contact = _("联系人：{contact}").format(contact=notice.contact) if notice.contact else ""
    code = _("校验码：{code}").format(code=notice.code)
    strings = [*lead, *header, _("（无）"), contact, code, url, campaign.host_org.name, chinese_date(notice.issued_on)]
    for heading, members in groups:
        strings += [heading, *(t for a in members for t in (a.nomination.title, a.nomination.unit.name))]
        strings += [str(i) for i in range(1, len(members) + 1)]
    with pdf_fonts.embedded_font([plain(t) for t in strings]) as font:
        return _render_notice(notice, groups, lead, contact, code, url, font)


def _render_notice(
    notice: ResultNotice, groups: list[tuple[str, list[Award]]], lead: list[str], contact: str, code: str, url: str,
    font: str,
) -> bytes:  # fmt: skip
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    host = notice.campaign.host_org.name
    base = ParagraphStyle("cn", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", parent=base, fontSize=22, leading=30, alignment=1, textColor=colors.red)
    centre = ParagraphStyle("centre", parent=base, alignment=1)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=24, alignment=1)
    tier = ParagraphStyle("tier", parent=base, fontSize=13, leading=20)
    cell = ParagraphStyle("cell", parent=base, fontSize=10, leading=14)

    class Signature(Flowable):
        """The issuer and the date at the right, the host's seal over them; the QR and code at the left."""

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.width = available_width
            return available_width, 50 * mm

        def draw(self) -> None:
            c = self.canv
            right = self.width - 35 * mm
            c.setFont(font, 12)
            c.drawCentredString(right, 30 * mm, plain(notice.issuer))
            c.drawCentredString(right, 22 * mm, chinese_date(notice.issued_on))
            draw_seal_pdf(c, right, 28 * mm, 20 * mm, plain(host), font=font)
            draw_qr_pdf(c, url, 0, 5 * mm, 24 * mm)
            c.setFont(font, 8.5)
            c.drawString(28 * mm, 20 * mm, plain(code))
            c.drawString(28 * mm, 14 * mm, plain(url))

    issuer, doc_number, heading_text, intro = lead
    story: list[Any] = [
        Paragraph(pdf_text(issuer), head),
        Paragraph(pdf_text(doc_number), centre),
        Spacer(1, 6 * mm),
        Paragraph(pdf_text(heading_text), title),
        Spacer(1, 4 * mm),
        Paragraph(pdf_text(intro), base),
    ]
    for heading, members in groups:
        story += [Spacer(1, 3 * mm), Paragraph(pdf_text(heading), tier)]
        rows = [[Paragraph(pdf_text(h), cell) for h in (_("序号"), _("名称"), _("申报单位"))]]
        rows += [
            [Paragraph(str(i), cell), Paragraph(pdf_text(a.nomination.title), cell),
             Paragraph(pdf_text(a.nomination.unit.name), cell)]
            for i, a in enumerate(members, 1)
        ]  # fmt: skip
        table = Table(rows, colWidths=[14 * mm, 90 * mm, 70 * mm], repeatRows=1)
        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("FONTNAME", (0, 0), (-1, -1), font)])
        )  # fmt: skip
        story.append(table)
    if not groups:
        story.append(Paragraph(pdf_text(_("（无）")), base))
    if contact:
        story += [Spacer(1, 4 * mm), Paragraph(pdf_text(contact), base)]
    story += [Spacer(1, 6 * mm), Signature()]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=plain(notice.doc_number), leftMargin=18 * mm, rightMargin=18 * mm,
        initialFontName=font,
    ).build(story)  # fmt: skip
    return buffer.getvalue()
