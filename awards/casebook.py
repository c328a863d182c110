"""The case book (案例集): a campaign's awarded cases compiled into one PDF and one Word document.

Cover (campaign, host with its seal, date written as 2026年12月2日), table of contents with page
numbers, then per case: title, unit, tier, the case text (the form's long text fields that are not
personal) and its pictures (image attachments from the file store, scaled to the page), page
numbers in the footer. Cases go by tier, then rank (``awards.documents.awards_by_tier``).

``build_casebook`` is the plain function the Celery task (``awards.tasks``) calls: it claims the
queued build (``actions.start_casebook``), reads the cases outside any transaction, reports its
progress every ``PROGRESS_EVERY`` cases in short updates, renders both files into a temporary
folder, stores them in the file store and records the result (``actions.finish_casebook``, or
``fail_casebook`` with the error). Pictures are decoded and re-encoded first (at most
``PICTURE_MAX_SIDE`` pixels a side): a broken or hostile file, or one above ``MAX_PIXELS``, is left
out with a note in the book instead of failing the build. Every user text goes in through
``config.documents``.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import filestore, uploads
from approvals.documents import draw_seal_pdf, seal_png, split_text
from approvals.models import Attachment
from awards import actions, selectors
from awards.documents import awards_by_tier, chinese_date
from awards.models import Award, CaseBook
from config import pdf_fonts
from config.documents import docx_text, pdf_text, plain
from config.masking import mask_text
from workflows import forms
from workflows.models import Campaign

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5  # cases between two progress updates
MAX_PICTURES = 10  # pictures of one case printed
MAX_PIXELS = 40_000_000  # the upload limit (approvals/uploads.py): larger pictures are not decoded
PICTURE_MAX_SIDE = 1600  # pixels: larger pictures are scaled down before they go into the documents
TEXT_CHUNK = 1200  # characters of one PDF paragraph: long texts split where a page may break cheaply
PICTURE_MAX_HEIGHT_MM = 110
PLACEHOLDER_PAGE = 888  # the first pass's page numbers in the contents (three digits wide)


@dataclass
class Picture:
    path: Path  # the re-encoded JPEG in the build's folder
    width: int
    height: int


@dataclass
class Case:
    title: str
    unit: str
    tier: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (field label, text)
    pictures: list[Picture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # pictures left out, and why


@dataclass
class Book:
    campaign: str
    host: str
    date: str
    groups: list[tuple[str, list[Case]]]

    @property
    def count(self) -> int:
        return sum(len(cases) for _tier, cases in self.groups)

    def strings(self) -> list[str]:
        """Every text of the book's cases, cover and headings (the PDF's embedded font holds these)."""
        out = [self.campaign, self.host, self.date]
        for tier, cases in self.groups:
            out.append(tier)
            for case in cases:
                out += [case.title, case.unit, case.tier, *case.notes]
                out += [t for section in case.sections for t in section]
        return out


# --- reading the cases ----------------------------------------------------------------------------------


def _picture(source: Path, out: Path) -> Picture | str:
    """``source`` re-encoded as a JPEG at ``out`` (scaled down, EXIF rotation applied), or why not."""
    from PIL import Image, ImageOps

    if not source.exists():
        return _("文件缺失")
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                return _("图片尺寸过大或无效")
            image.draft("RGB", (PICTURE_MAX_SIDE, PICTURE_MAX_SIDE))  # JPEG: decode at a smaller scale
            image.load()
            picture = ImageOps.exif_transpose(image)
            if picture.mode in ("RGBA", "LA", "P", "PA"):
                picture = picture.convert("RGBA")
                flat = Image.new("RGB", picture.size, (255, 255, 255))
                flat.paste(picture, mask=picture.getchannel("A"))
                picture = flat
            elif picture.mode != "RGB":
                picture = picture.convert("RGB")
            picture.thumbnail((PICTURE_MAX_SIDE, PICTURE_MAX_SIDE))
            picture.save(out, "JPEG", quality=85)
            return Picture(out, *picture.size)
    except Exception:  # noqa: BLE001 - any decoder error of a hostile or broken file: left out, noted
        logger.info("case book: picture %s not usable", source.name, exc_info=True)
        return _("图片已损坏或格式无法识别")


def _case(award: Award, definition: dict[str, Any], attached: list[Attachment], folder: Path) -> Case:
    nomination = award.nomination
    data = nomination.form or {}
    case = Case(title=nomination.title, unit=nomination.unit.name, tier=award.tier_name)
    picture_fields = set()
    for spec in definition.get("fields", []):
        if forms.is_personal(spec):
            continue
        if spec.get("type") == forms.LONG_TEXT:
            text = data.get(spec["key"])
            if isinstance(text, str) and text.strip():
                # a published book: phone and ID numbers written into a text are masked
                case.sections.append((str(spec.get("label") or spec["key"]), mask_text(text.strip())))
        elif spec.get("type") in forms.ATTACHMENT_FIELD_TYPES:
            picture_fields.add(spec["key"])
    images = [a for a in attached if a.field in picture_fields and a.type in uploads.IMAGE_TYPES]
    for i, attachment in enumerate(images[:MAX_PICTURES]):
        made = _picture(filestore.path_of(attachment.storage_name), folder / f"{award.pk}-{i}.jpg")
        if isinstance(made, Picture):
            case.pictures.append(made)
        else:
            case.notes.append(_("图片“{name}”未收入：{why}").format(name=attachment.display_name, why=made))
    if len(images) > MAX_PICTURES:
        case.notes.append(_("另有 {n} 张图片未收入").format(n=len(images) - MAX_PICTURES))
    return case


def _attachments(awards: list[Award]) -> dict[int, list[Attachment]]:
    by_nomination: dict[int, list[Attachment]] = {}
    rows = Attachment.objects.filter(
        nomination_id__in=[a.nomination_id for a in awards], removed_at__isnull=True, type__in=uploads.IMAGE_TYPES
    ).order_by("id")
    for attachment in rows:
        by_nomination.setdefault(attachment.nomination_id, []).append(attachment)
    return by_nomination


def book_date(campaign: Campaign) -> str:
    """The cover's date: the result notice's, else today (2026年12月2日)."""
    notice = selectors.get_result_notice(campaign)
    return chinese_date(notice.issued_on if notice is not None else timezone.localdate())


def compile_book(campaign: Campaign, folder: Path, progress: Any = None) -> Book:
    """The campaign's awarded cases read and their pictures prepared in ``folder``; ``progress(done,
    total)`` every ``PROGRESS_EVERY`` cases."""
    awards = list(selectors.casebook_awards(campaign).select_related("nomination__unit"))
    grouped = awards_by_tier(campaign, awards)
    total = len(awards)
    attachments = _attachments(awards)
    definitions = campaign.forms or {}
    groups: list[tuple[str, list[Case]]] = []
    done = 0
    for _heading, members in grouped:
        cases = []
        for award in members:
            definition = definitions.get(award.kind) or {"fields": []}
            cases.append(_case(award, definition, attachments.get(award.nomination_id, []), folder))
            done += 1
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
        groups.append((members[0].tier_name, cases))
    return Book(campaign=campaign.title, host=campaign.host_org.name, date=book_date(campaign), groups=groups)


# --- PDF ----------------------------------------------------------------------------------------------------


def render_pdf(book: Book, out: Path) -> int:
    """The case book as a PDF at ``out`` (reportlab platypus, a real table of contents through
    ``multiBuild``, the glyphs it prints embedded: ``config.pdf_fonts``); its number of pages."""
    labels = [
        _("案例集"), _("共 {n} 个获奖案例").format(n=book.count), _("目　录"), _("（无获奖案例）"),
        _("{campaign}案例集").format(campaign=book.campaign), _("申报单位："), _("奖项等次："),
    ]  # fmt: skip
    with pdf_fonts.embedded_font([plain(t) for t in [*labels, *book.strings()]]) as font:
        return _render_pdf(book, out, font)


def _render_pdf(book: Book, out: Path, font: str) -> int:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus.tableofcontents import TableOfContents, defaultTableStyle

    base = ParagraphStyle("cn", fontName=font, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22)
    meta = ParagraphStyle("meta", parent=base, firstLineIndent=0, textColor=colors.HexColor("#333333"))
    label = ParagraphStyle("label", parent=base, firstLineIndent=0, fontSize=12, leading=20, spaceBefore=6)
    note = ParagraphStyle("note", parent=meta, fontSize=9.5, leading=14, textColor=colors.HexColor("#8a1c1c"))
    tier_style = ParagraphStyle("tier", parent=base, firstLineIndent=0, fontSize=18, leading=28, alignment=1,
                                spaceAfter=8)  # fmt: skip
    case_style = ParagraphStyle("case", parent=base, firstLineIndent=0, fontSize=15, leading=22, spaceAfter=4)
    toc_title = ParagraphStyle("toc-title", parent=tier_style, fontSize=20, leading=30, spaceAfter=12)
    pages = {"n": 0}

    class Heading(Paragraph):
        """A heading that the table of contents lists (``afterFlowable`` below)."""

        def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
            super().__init__(pdf_text(text, newlines=False), style)
            self.toc = (level, pdf_text(text, newlines=False), plain(text), key)

    class Cover(Flowable):
        """The cover fills the first page: campaign, 案例集, the host under its seal, the date."""

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.width, self.height = available_width, available_height
            return available_width, available_height

        def draw(self) -> None:
            c = self.canv
            title = Paragraph(pdf_text(book.campaign, newlines=False), ParagraphStyle(
                "cover", fontName=font, fontSize=24, leading=36, alignment=1, wordWrap="CJK"))  # fmt: skip
            _w, h = title.wrap(self.width - 20 * mm, self.height)
            title.drawOn(c, 10 * mm, self.height - 60 * mm - h)
            c.setFont(font, 40)
            c.drawCentredString(self.width / 2, self.height - 90 * mm - h, plain(_("案例集")))
            c.setFont(font, 13)
            c.drawCentredString(
                self.width / 2, self.height - 105 * mm - h, plain(_("共 {n} 个获奖案例").format(n=book.count))
            )
            c.setFont(font, 16)
            c.drawCentredString(self.width / 2, 50 * mm, plain(book.host))
            c.drawCentredString(self.width / 2, 40 * mm, plain(book.date))
            draw_seal_pdf(c, self.width / 2, 48 * mm, 21 * mm, plain(book.host), font=font)

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:
            toc = getattr(flowable, "toc", None)
            if toc is None:
                return
            level, markup, text, key = toc
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level == 0)
            self.notify("TOCEntry", (level, markup, self.page, key))

    def footer(canvas: Any, doc: Any) -> None:
        number = canvas.getPageNumber()
        pages["n"] = number
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {number} —")
        canvas.restoreState()

    def cover_page(canvas: Any, doc: Any) -> None:
        pages["n"] = canvas.getPageNumber()

    # The contents is a table: its cells' font too, or the table names Helvetica for the viewer to supply.
    toc_style = TableStyle([*defaultTableStyle.getCommands(), ("FONTNAME", (0, 0), (-1, -1), font)])
    toc = TableOfContents(dotsMinLevel=0, tableStyle=toc_style)
    toc.levelStyles = [
        ParagraphStyle("toc0", fontName=font, fontSize=13, leading=22, wordWrap="CJK", spaceBefore=6),
        ParagraphStyle("toc1", fontName=font, fontSize=11, leading=18, wordWrap="CJK", leftIndent=16,
                       firstLineIndent=0),
    ]  # fmt: skip
    doc = Doc(
        str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=plain(_("{campaign}案例集").format(campaign=book.campaign)), author=plain(book.host),
        initialFontName=font,
    )  # fmt: skip
    story: list[Any] = [Cover(), Paragraph(pdf_text(_("目　录")), toc_title), toc]
    number = 0
    for g, (tier, cases) in enumerate(book.groups):
        story += [PageBreak(), Heading(tier, tier_style, 0, f"tier-{g}")]
        for i, case in enumerate(cases):
            number += 1
            if i:
                story.append(PageBreak())
            story.append(Heading(case.title, case_style, 1, f"case-{number}"))
            story.append(Paragraph(pdf_text(_("申报单位：{unit}").format(unit=case.unit), newlines=False), meta))
            story.append(Paragraph(pdf_text(_("奖项等次：{tier}").format(tier=case.tier), newlines=False), meta))
            for field_label, text in case.sections:
                story.append(Paragraph(pdf_text(field_label, newlines=False), label))
                for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                    for chunk in split_text(line.strip(), TEXT_CHUNK) if line.strip() else []:
                        story.append(Paragraph(pdf_text(chunk, newlines=False), base))
            for picture in case.pictures:
                width = doc.width
                height = width * picture.height / picture.width
                limit = PICTURE_MAX_HEIGHT_MM * mm
                if height > limit:
                    width, height = width * limit / height, limit
                story += [Spacer(1, 3 * mm), Image(str(picture.path), width=width, height=height)]
            for text in case.notes:
                story.append(Paragraph(pdf_text(text, newlines=False), note))
    if not book.groups:
        story += [PageBreak(), Paragraph(pdf_text(_("（无获奖案例）")), base)]
    # The first pass lays the contents out at their final length (every entry, a placeholder page
    # number), so that the page numbers it finds hold: two passes whatever the book's size, not a
    # third for a contents that grew over several pages.
    toc._entries = [
        flowable.toc[:2] + (PLACEHOLDER_PAGE, flowable.toc[3]) for flowable in story if isinstance(flowable, Heading)
    ]
    # JPEG pictures go in as they are: without ASCII85 (pure Python in reportlab, 95 % of the time)
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        doc.multiBuild(story, onFirstPage=cover_page, onLaterPages=footer)
    finally:
        rl_config.useA85 = use_a85
    return pages["n"]


# --- Word ---------------------------------------------------------------------------------------------------


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A Word field (TOC, PAGE) in ``paragraph``: Word fills it in when the document's fields update."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        return element

    run = paragraph.add_run()
    run._r.append(char("begin"))
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    run._r.append(text)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))


def _count_shape_ids(part: Any) -> None:
    """python-docx numbers a new picture by scanning the whole document for the largest id
    (``StoryPart.next_id``), which makes a book of hundreds of pictures quadratic; this document's
    part counts on from the largest id instead."""
    ids = itertools.count(part.next_id)
    part.__class__ = type(type(part).__name__, (type(part),), {"next_id": property(lambda self: next(ids))})


def render_docx(book: Book, out: Path) -> None:
    """The case book as a Word document at ``out``: cover with the host's seal, a TOC field (Word
    fills in the page numbers when it opens the file), one Heading 1 per tier and one Heading 2
    per case, page numbers in the footer."""
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    _count_shape_ids(doc.part)
    for name, size in (("Normal", 11), ("Heading 1", 18), ("Heading 2", 15)):
        style = doc.styles[name]
        style.font.name = "SimSun" if name == "Normal" else "SimHei"
        style.font.size = Pt(size)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "宋体" if name == "Normal" else "黑体")
    doc.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    text_width = Mm(170)
    # Word updates the fields (the TOC's page numbers) when it opens the document
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _field(footer, "PAGE", "1")
    footer.add_run(" —")
    section.different_first_page_header_footer = True  # no number on the cover

    def centred(text: str, size: int, space_before: int = 0) -> Any:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(space_before)
        run = p.add_run(docx_text(text))
        run.font.size = Pt(size)
        return p

    centred(book.campaign, 24, 120).runs[0].bold = True
    centred(_("案例集"), 36, 24)
    centred(_("共 {n} 个获奖案例").format(n=book.count), 13, 12)
    png, _drawn = seal_png(plain(book.host))
    seal = doc.add_paragraph()
    seal.alignment = WD_ALIGN_PARAGRAPH.CENTER
    seal.paragraph_format.space_before = Pt(150)
    seal.add_run().add_picture(io.BytesIO(png), width=Mm(40))
    centred(book.host, 16)
    centred(book.date, 16)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    centred(_("目　录"), 20)
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', _("（打开文档时更新域即显示目录及页码）"))
    for tier, cases in book.groups:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(docx_text(tier), level=1)
        for i, case in enumerate(cases):
            if i:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            doc.add_heading(docx_text(case.title), level=2)
            doc.add_paragraph(docx_text(_("申报单位：{unit}").format(unit=case.unit)))
            doc.add_paragraph(docx_text(_("奖项等次：{tier}").format(tier=case.tier)))
            for field_label, text in case.sections:
                doc.add_paragraph().add_run(docx_text(field_label)).bold = True
                for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                    if line.strip():
                        p = doc.add_paragraph(docx_text(line.strip()))
                        p.paragraph_format.first_line_indent = Pt(22)
            for picture in case.pictures:
                width = int(text_width)
                height = int(width * picture.height / picture.width)
                if height > Mm(PICTURE_MAX_HEIGHT_MM):
                    width = int(width * Mm(PICTURE_MAX_HEIGHT_MM) / height)
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.add_run().add_picture(str(picture.path), width=width)
            for text in case.notes:
                run = doc.add_paragraph().add_run(docx_text(text))
                run.font.size = Pt(9.5)
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x1C)
    doc.save(str(out))


# --- the build ----------------------------------------------------------------------------------------------


def _store(path: Path, kind: str, display_name: str) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(filestore.CHUNK), b""):
            digest.update(chunk)
    info = uploads.UploadInfo(
        type=kind, mime=uploads.MIME_TYPES[kind], size=path.stat().st_size, sha256=digest.hexdigest(),
        display_name=display_name, width=None, height=None, is_image=False,
    )  # fmt: skip
    with path.open("rb") as stream:
        return filestore.store(info, stream)


def build_casebook(casebook_id: int) -> CaseBook | None:
    """Build a queued case book (the worker's task calls this); None when there is nothing to build
    (done, failed, or built by another worker). A failure is recorded on the build, not raised."""
    book = actions.start_casebook(casebook_id)
    if book is None:
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="casebook-") as tmp:
            folder = Path(tmp)
            compiled = compile_book(
                book.campaign, folder, lambda done, total: actions.casebook_progress(book.pk, done=done, total=total)
            )
            pdf, docx = folder / "casebook.pdf", folder / "casebook.docx"
            pages = render_pdf(compiled, pdf)
            render_docx(compiled, docx)
            pdf_name = _store(pdf, "pdf", "casebook.pdf")
            docx_name = _store(docx, "docx", "casebook.docx")
        return actions.finish_casebook(
            book.pk, pdf_name=pdf_name, docx_name=docx_name, pages=pages, total=compiled.count
        )
    except Exception as exc:
        logger.exception("case book %s: the build failed", casebook_id)
        actions.fail_casebook(book.pk, error=_("生成失败（{kind}），请稍后重新生成").format(kind=type(exc).__name__))
        return None
