"""The printed 申报表 of a nomination, as PDF (reportlab) and Word (python-docx).

Layout of the seed notices' forms (附件3/附件4 of [002], 附件1 of [003], the case form of [000]):
the title, 申报单位（盖章）, a two-column table of the form's fields, one row per stage of the
chain with its opinion, signer, date and "（盖章）", a red round seal drawn from the sealing
organisation's name where that stage sealed, and at the foot the verification code as text and
as a QR code linking to the public verification page.

Every user-supplied text goes in through ``config.documents`` (``pdf_text`` for paragraph markup,
``plain`` for canvas strings, ``docx_text`` for Word), so it prints literally and never breaks the file.

Fonts: the PDF embeds its font, the glyphs it prints of Noto Sans CJK SC (``config.pdf_fonts``), so
a viewer without any Chinese font shows the text. A Word document names its fonts and Word renders
them. Only the seal *picture* in Word needs glyphs at build time: it uses
``SEALFLOW_SEAL_FONT``, else Noto Sans CJK from the ``noto-cjk-sans-otc`` wheel (a dependency, so
every install has it), else a CJK font found on the machine, and without any draws the ring and
star and prints the organisation's name in red beside it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from approvals import filestore, selectors
from approvals.models import Attachment, Nomination, SignOff, StageSeat
from config import pdf_fonts
from config.dates import official_time
from config.documents import docx_text, pdf_text, plain
from config.masking import mask_text
from workflows import forms
from workflows.models import NominationKind, Stage

CID_FONT = pdf_fonts.FALLBACK_CID_FONT  # the default of the drawing helpers, without an embedded font
PRODUCT = "sealflow"  # the author of every generated file
MAX_PICTURES = 5  # pictures of one field printed in its cell (3–5 JPG pictures [001])
PICTURE_WIDTH_MM = 30
SEAL_RED = (0.80, 0.07, 0.07)
FORM_TITLES = {
    NominationKind.CASE: "案例申报表",
    NominationKind.COLLECTIVE: "集体类奖项申报表",
    NominationKind.INDIVIDUAL: "个人类奖项申报表",
}


def _bundled_cjk_font() -> str:
    """Noto Sans CJK from the ``noto-cjk-sans-otc`` wheel: installed by command 1, so a fresh machine has it."""
    try:
        import noto_cjk_sans_otc  # type: ignore[import-untyped]  # a font file and its path, no stubs
    except ImportError:  # pragma: no cover - a dependency; the fallback below still works without it
        return ""
    return str(noto_cjk_sans_otc.FONT_PATH)


# CJK fonts looked for when drawing the Word seal picture: the bundled one, then Debian, Windows, macOS.
SEAL_FONT_CANDIDATES = (
    _bundled_cjk_font(),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


# --- what goes on the form ---------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    text: str = ""
    columns: list[str] | None = None
    people: list[list[str]] | None = None
    images: list[Path] = field(default_factory=list)  # pictures printed in the cell (a photo, …)


@dataclass
class Opinion:
    stage: str
    decision: str
    opinion: str
    signer: str  # the person's name as they signed (never the account name)
    org: str
    date: str
    sealed: bool
    # Whose seal is printed: the signer's organisation, or the unit's at a party stage sealed with it ([003]).
    seal_org: str = ""
    post: str = ""  # what the signer signed as (单位负责人, 区（县）民政局审核人, …)


@dataclass
class FormDocument:
    title: str
    subtitle: str
    unit: str
    rows: list[Row]
    opinions: list[Opinion]
    history: list[Opinion]
    code: str
    verify_url: str
    printed_at: str
    # A revoked nomination: the date (2026年12月3日) and a one-line summary of the reason. The form
    # then carries a 已撤销 banner on top and a diagonal 已撤销 stamp on every page.
    revoked_on: str = ""
    revoked_reason: str = ""
    name: str = ""  # the nomination's title as printed (masked unless revealed): the Word file's title
    # Supplements after submission (补充材料): each its content and the unit's seal over it.
    supplements: list[PrintedSupplement] = field(default_factory=list)


@dataclass
class PrintedSupplement:
    """A 补充材料 as printed: "补充材料：<label>", its text (or its files' names), then who added it,
    when, and the unit's seal, like an opinion box."""

    row: Row
    seal: Opinion


def _date(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def signer_name(s: SignOff) -> str:
    """The signer's name as it was when they signed: ``signer_label`` is "姓名(account)", or the
    account name alone for an account without a name, which is never printed (empty then)."""
    label, account = s.signer_label, s.signer.username
    suffix = f"({account})"
    if label.endswith(suffix) and len(label) > len(suffix):
        return label[: -len(suffix)]
    return "" if label == account else label


def post_of(role: str) -> str:
    """The post a role signs as (单位负责人, 区（县）民政局审核人); empty for an unknown role."""
    try:
        return str(Role(role).label)
    except ValueError:
        return ""


_post = post_of


def name_from_label(label: str) -> str:
    """An actor label "姓名(account)" as people read it: the name alone (the label as it is when it
    holds no name before the account)."""
    if label.endswith(")") and "(" in label:
        name = label[: label.rindex("(")].strip()
        if name:
            return name
    return label


def standing_opinions(signoffs: list[SignOff], round_: int, stage_keys: list[str]) -> dict[str, SignOff]:
    """The opinion that stands for each stage in round ``round_``: its latest one, unless a later
    return to an earlier stage (退回到指定环节) sent the chain back over it (it then runs again and
    the earlier opinions, the return included, are history)."""
    position = {key: i for i, key in enumerate(stage_keys)}
    current: dict[str, SignOff] = {}
    for s in signoffs:
        if s.round != round_:
            continue
        if s.to_stage and s.to_stage in position and s.stage in position:
            for key in stage_keys[position[s.to_stage] : position[s.stage] + 1]:
                current.pop(key, None)
            continue
        current[s.stage] = s
    return current


def decision_label(s: SignOff, stage_names: dict[str, str] | None = None) -> str:
    """同意 / 退回修改 / 不同意, or 退回至“<stage>” for a return to an earlier stage."""
    if s.to_stage:
        return _("退回至“{stage}”").format(stage=(stage_names or {}).get(s.to_stage, s.to_stage))
    return str(s.get_decision_display())


def signer_text(s: SignOff) -> str:
    """Who signed, by name (never the account): for a proxy (代签) the holder's and the delegate's."""
    name = signer_name(s) or name_from_label(s.signer_label)
    if s.on_behalf_of_label:
        return _("{principal}（{delegate}代签）").format(
            principal=name_from_label(s.on_behalf_of_label), delegate=name
        )
    return signer_name(s)


def _opinion(s: SignOff, stage_names: dict[str, str] | None = None) -> Opinion:
    return Opinion(
        stage=s.stage_name,
        decision=decision_label(s, stage_names),
        opinion=s.opinion,
        signer=signer_text(s),
        org=s.org.name,
        date=_date(s.signed_at),
        sealed=s.seal_id is not None,
        seal_org=s.seal.key.org.name if s.seal is not None else "",
        post=_post(s.role),
    )


_CLOSING = "。.．！!？?；;，,、 \t\r\n"


def _opinion_text(opinion: Opinion) -> str:
    """The opinion as written on paper, said once: "同意。<opinion>。", or the opinion alone when it
    already starts with the decision ("同意。" typed as the opinion of 同意 prints "同意。", not twice)."""
    if not opinion.decision:
        return ""
    said = opinion.opinion.strip()
    if not said.rstrip(_CLOSING):
        return f"{opinion.decision}。"
    text = said if said.startswith(opinion.decision) else f"{opinion.decision}。{said}"
    return text if text[-1] in _CLOSING else f"{text}。"


def _signer_text(opinion: Opinion) -> str:
    """ "签署人：张三（单位负责人，浦东新区民政局）": the name and post, never the account name."""
    if opinion.signer:
        where = "，".join(part for part in (opinion.post, opinion.org) if part)
        return f"签署人：{opinion.signer}" + (f"（{where}）" if where else "")
    if opinion.post:
        return f"签署人：{opinion.post}" + (f"（{opinion.org}）" if opinion.org else "")
    return ""


def _history_text(h: Opinion) -> str:
    who = "，".join(part for part in (h.signer, h.post, h.org) if part)
    return f"{h.date} {h.stage}：{_opinion_text(h)}" + (f"（{who}）" if who else "")


def build(nomination: Nomination, *, reveal: bool, verify_url: str) -> FormDocument:
    """Everything printed on the form; personal values masked unless ``reveal`` (the caller audits it)."""
    definition = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
    # The version that stands (修改完善, issue 17): the latest revised version, or the original.
    latest = nomination.revisions.select_related("submitted_by").order_by("-number").first()
    title, form = (latest.title, latest.form) if latest is not None else (nomination.title, nomination.form)
    data = form if reveal else forms.mask_form_data(definition, form)
    files: dict[str, list[Attachment]] = {}
    for a in Attachment.objects.filter(nomination=nomination, removed_at__isnull=True).order_by("id"):
        files.setdefault(a.field, []).append(a)
    rows = [Row("申报名称", title if reveal else mask_text(title))]
    if latest is not None:
        rows.append(Row("申报表版本", version_note(latest.number, _date(latest.submitted_at))))
    for spec in definition.get("fields", []):
        key = spec["key"]
        if spec["type"] == forms.PERSON_LIST:
            subs = spec["fields"]
            people = [[_value_text(p.get(s["key"])) for s in subs] for p in data.get(key) or [] if isinstance(p, dict)]
            rows.append(Row(spec["label"], columns=[s["label"] for s in subs], people=people))
        elif spec["type"] in forms.ATTACHMENT_FIELD_TYPES:
            attached = files.get(key, [])
            if attached and forms.is_personal(spec) and not reveal:
                rows.append(Row(spec["label"], "（个人信息，已隐去）"))
                continue
            pictures = [filestore.path_of(a.storage_name) for a in attached if a.width is not None][:MAX_PICTURES]
            names = "；".join(a.display_name for a in attached) or "（无）"
            rows.append(Row(spec["label"], names, images=[p for p in pictures if p.exists()]))
        else:
            rows.append(Row(spec["label"], _value_text(data.get(key))))
    signoffs = list(nomination.signoffs.select_related("org", "signer", "seal__key__org", "seat").order_by("id"))
    stages = list(nomination.campaign.stages.order_by("position"))
    current = standing_opinions(signoffs, nomination.round, [stage.key for stage in stages])
    stage_names = {stage.key: stage.name for stage in stages}
    standing = {s.pk for s in current.values()}
    opinions = []
    for stage in stages:
        s = current.get(stage.key)
        if s is None:
            opinions.append(Opinion(stage.name, "", "", "", "", "", False))
        elif s.seat_id is not None:
            # 会签 / 或签: every holder's opinion of the stage's standing activation, each with its seal.
            seated = [t for t in signoffs if t.task_id == s.task_id and t.seat_id is not None]
            standing.update(t.pk for t in seated)
            for t in seated:
                opinion = _opinion(t)
                assert t.seat is not None
                if t.seat.kind != StageSeat.Kind.HOLDER:  # 加签: the added person's opinion
                    opinion.stage = f"{s.stage_name}（{t.seat.get_kind_display()}）"
                elif stage.mode:
                    opinion.stage = f"{s.stage_name}（{Stage.Mode(stage.mode).label}）"
                opinions.append(opinion)
        else:
            opinions.append(_opinion(s))
    kind_title = FORM_TITLES.get(NominationKind(nomination.kind), "申报表")
    revocation = selectors.revocation_of(nomination)
    return FormDocument(
        title=nomination.campaign.title,
        subtitle=kind_title,
        unit=nomination.unit.name,
        rows=rows,
        opinions=opinions,
        history=[_opinion(s, stage_names) for s in signoffs if s.pk not in standing],
        code=nomination.verification_code or "",
        verify_url=verify_url,
        printed_at=official_time(timezone.now()),
        revoked_on=_date(revocation.revoked_at) if revocation else "",
        revoked_reason=selectors.reason_summary(revocation.reason) if revocation else "",
        name=rows[0].text,
        supplements=[_supplement(s) for s in nomination.supplements.select_related("seal__key__org", "added_by")],
    )


def version_note(number: int, on: str) -> str:
    """Which version a printed form is, and that the opinions and seals on it are the original's:
    "第2版（修改稿，2026年7月20日提交）；表中审批意见和印章针对第1版（原申报表）"."""
    return f"第{number}版（修改稿，{on}提交）；表中审批意见和印章针对第1版（原申报表）"


def _supplement(s: Any) -> PrintedSupplement:
    text = s.text or "；".join(f.get("name", "") for f in s.files) or "（无）"
    seal_org = s.seal.key.org.name
    return PrintedSupplement(
        row=Row(f"补充材料：{s.label}", text),
        seal=Opinion(
            stage=f"补充材料：{s.label}", decision="", opinion="", signer=name_from_label(s.added_by.label),
            org=seal_org, date=_date(s.added_at), sealed=True, seal_org=seal_org, post="提交人",
        ),
    )  # fmt: skip


REVOKED_MARK = "已撤销"


def revoked_banner(document: FormDocument) -> str:
    """The banner's sentence under 已撤销 (empty when the nomination is not revoked)."""
    if not document.revoked_on:
        return ""
    return f"本申报已于{document.revoked_on}被撤销，本表及其印章不再作为有效证明。撤销原因：{document.revoked_reason}"


# --- the seal -------------------------------------------------------------------------------------------


def _star_points(cx: float, cy: float, outer: float, inner: float, *, y_down: bool) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        y = r * math.sin(angle)
        points.append((cx + r * math.cos(angle), cy - y if y_down else cy + y))
    return points


def seal_layout(radius: float, count: int) -> tuple[float, float, list[float]]:
    """Font size, radius of the text's centre line and angles (radians, counter-clockwise from east,
    left to right) of ``count`` characters along the seal's top arc, hugging the ring."""
    count = max(count, 1)
    span = min(math.radians(260), math.radians(30) * count)
    size = radius * 0.3
    for _step in range(3):  # the text radius depends on the size and the size on the arc's length
        text_radius = radius * 0.9 - size * 0.62
        size = min(radius * 0.3, span * text_radius / count * 0.92)
    text_radius = radius * 0.9 - size * 0.62
    if count == 1:
        return size, text_radius, [math.pi / 2]
    start = math.pi / 2 + span / 2
    return size, text_radius, [start - i * span / (count - 1) for i in range(count)]


def draw_seal_pdf(canvas: Any, cx: float, cy: float, radius: float, name: str, *, font: str = CID_FONT) -> None:
    """A red round seal on a reportlab canvas: ring, star, the organisation's name along the top arc
    (in ``font``, which must hold the name's glyphs)."""
    canvas.saveState()
    canvas.setStrokeColorRGB(*SEAL_RED)
    canvas.setFillColorRGB(*SEAL_RED)
    canvas.setFillAlpha(0.85)
    canvas.setStrokeAlpha(0.85)
    canvas.setLineWidth(radius * 0.07)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    star = _star_points(cx, cy, radius * 0.3, radius * 0.12, y_down=False)
    path = canvas.beginPath()
    path.moveTo(*star[0])
    for point in star[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    chars = list(name)
    size, text_radius, angles = seal_layout(radius, len(chars))
    canvas.setFont(font, size)
    for ch, angle in zip(chars, angles, strict=True):
        canvas.saveState()
        canvas.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, -size * 0.35, ch)
        canvas.restoreState()
    canvas.restoreState()


def _seal_font(size: int) -> Any | None:
    from PIL import ImageFont

    configured = getattr(settings, "SEALFLOW_SEAL_FONT", "")
    for candidate in ([configured] if configured else []) + list(SEAL_FONT_CANDIDATES):
        if candidate and Path(candidate).exists():
            try:
                font = ImageFont.truetype(candidate, size)
            except OSError:
                continue
            return _simplified_face(candidate, size) or font
    return None


def _simplified_face(path: str, size: int) -> Any | None:
    """In a font collection (.ttc: Noto Sans CJK holds JP, KR, SC, TC, HK), the Simplified Chinese
    face, whose glyphs are those of the mainland standard; None when there is none or no collection."""
    from PIL import ImageFont

    if not path.lower().endswith(".ttc"):
        return None
    for index in range(10):
        try:
            face = ImageFont.truetype(path, size, index=index)
        except OSError:
            return None
        if (face.getname()[0] or "").endswith(" SC"):
            return face
    return None


def seal_png(name: str, *, size: int = 360) -> tuple[bytes, bool]:
    """The seal as a transparent PNG (Pillow); second value: whether the name could be drawn in it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (204, 18, 18, 230)
    c = size / 2
    radius = size * 0.46
    width = max(2, int(radius * 0.07))
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=red, width=width)
    draw.polygon(_star_points(c, c, radius * 0.3, radius * 0.12, y_down=True), fill=red)
    chars = list(name)
    size_f, text_radius, angles = seal_layout(radius, len(chars))
    font_size = max(6, int(size_f))
    font = _seal_font(font_size)
    if font is None:
        return _png(image), False
    for ch, angle in zip(chars, angles, strict=True):
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x = c + text_radius * math.cos(angle) - font_size
        y = c - text_radius * math.sin(angle) - font_size
        image.alpha_composite(glyph, (int(x), int(y)))
    return _png(image), True


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))


EMPTY_DATE = "     年    月    日"


def pdf_strings(document: FormDocument) -> list[str]:
    """Every text the PDF of ``document`` prints: its embedded font holds exactly these glyphs."""
    strings = [*texts(document), document.verify_url, document.printed_at, revoked_banner(document)]
    strings += [c for row in document.rows for c in (row.columns or [])]
    for opinion in document.opinions:
        strings += [_opinion_text(opinion), _signer_text(opinion), f"{opinion.date or EMPTY_DATE}（盖章）"]
    for supplement in document.supplements:
        opinion = supplement.seal
        strings += [_signer_text(opinion), f"{opinion.date or EMPTY_DATE}（盖章）"]
    strings += [_history_text(h) for h in document.history]
    strings += [f"申报单位（盖章）：{document.unit}", f"校验码：{document.code or '（提交后生成）'}"]
    strings += ["历次审批意见", "扫描二维码或访问以下地址核验电子印章：", "打印时间：", "（无）", REVOKED_MARK]
    return [plain(text) for text in strings]


@dataclass
class OpinionLayout:
    """Where an opinion box of the PDF puts things, in points from its bottom-left corner: the opinion
    and the signer at the top; below them a space of its own for the seal, over the date line
    "YYYY年M月D日（盖章）" at the bottom right ("骑年盖月"), so a seal never covers the signer's line."""

    width: float
    height: float
    text: Any  # the Paragraph of the opinion and the signer (None for a stage not yet signed)
    text_bottom: float
    seal_radius: float
    seal_x: float
    seal_y: float
    date_baseline: float

    @property
    def seal_top(self) -> float:
        return self.seal_y + self.seal_radius

    @property
    def seal_bottom(self) -> float:
        return self.seal_y - self.seal_radius


def opinion_cell_layout(opinion: Opinion, *, width: float, font: str) -> OpinionLayout:
    """The layout of one opinion box ``width`` wide with its texts in ``font`` (registered)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    if font == CID_FONT:
        _register_font()
    style = ParagraphStyle("opinion", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    lines = [t for t in (_opinion_text(opinion), _signer_text(opinion)) if t]
    text = Paragraph(pdf_text("\n".join(lines)), style) if lines else None
    text_height = text.wrap(width - 4, 2000 * mm)[1] if text is not None else 0
    radius = 14 * mm
    seal_y = 1 * mm + radius
    # The seal's circle, then 3 mm of air, then the text (2 points under the box's top).
    height = seal_y + radius + 3 * mm + text_height + 2
    return OpinionLayout(
        width=width, height=height, text=text, text_bottom=height - 2 - text_height, seal_radius=radius,
        seal_x=width - 6 - 22 * mm, seal_y=seal_y, date_baseline=6,
    )  # fmt: skip


def render_pdf(document: FormDocument) -> bytes:
    """The 申报表 as PDF, its font embedded (``config.pdf_fonts``)."""
    with pdf_fonts.embedded_font(pdf_strings(document)) as font:
        return _render_pdf(document, font)


def _render_pdf(document: FormDocument, font: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("cn", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    label_style = ParagraphStyle("label", parent=base, alignment=1)
    title_style = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)

    def para(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(pdf_text(text), style)

    class OpinionCell(Flowable):
        """An opinion box laid out by ``opinion_cell_layout``."""

        def __init__(self, opinion: Opinion, width: float) -> None:
            super().__init__()
            self.opinion = opinion
            self.layout = opinion_cell_layout(opinion, width=width, font=font)
            self.width, self.height = width, self.layout.height

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas, layout = self.canv, self.layout
            if layout.text is not None:
                layout.text.drawOn(canvas, 2, layout.text_bottom)
            canvas.setFont(font, 10.5)
            date = plain(f"{self.opinion.date or EMPTY_DATE}（盖章）")
            canvas.drawRightString(self.width - 6, layout.date_baseline, date)
            if self.opinion.sealed:
                org = plain(self.opinion.seal_org or self.opinion.org)
                draw_seal_pdf(canvas, layout.seal_x, layout.seal_y, layout.seal_radius, org, font=font)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=plain(f"{document.name}（{document.title}{document.subtitle}）" if document.name
                    else f"{document.title} {document.subtitle}"),
        author=PRODUCT, creator=PRODUCT, subject=plain(f"{document.title} {document.subtitle}"),
        initialFontName=font,
    )  # fmt: skip
    label_w = 32 * mm
    value_w = doc.width - label_w
    story: list[Any] = []
    if document.revoked_on:
        mark_style = ParagraphStyle(
            "revoked", parent=title_style, fontSize=22, leading=28, textColor=colors.Color(*SEAL_RED)
        )
        notice_style = ParagraphStyle("revoked-notice", parent=base, textColor=colors.Color(*SEAL_RED))
        banner = Table(
            [[para(REVOKED_MARK, mark_style)], [para(revoked_banner(document), notice_style)]], colWidths=[doc.width]
        )
        banner.setStyle(
            TableStyle([
                ("BOX", (0, 0), (-1, -1), 2, colors.Color(*SEAL_RED)),
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("BACKGROUND", (0, 0), (-1, -1), colors.Color(0.99, 0.93, 0.92)),
            ])
        )  # fmt: skip
        story += [banner, Spacer(1, 4 * mm)]
    story += [para(document.title, title_style), para(document.subtitle, title_style), Spacer(1, 4 * mm)]
    story.append(para(f"申报单位（盖章）：{document.unit}"))
    story.append(Spacer(1, 2 * mm))
    data: list[list[Any]] = []
    joins: list[tuple[Any, ...]] = []
    for row in document.rows:
        if row.people is not None and row.columns is not None:
            col_w = (value_w - 12) / max(len(row.columns), 1)
            inner = Table(
                [[para(c, label_style) for c in row.columns]] + [[para(v) for v in p] for p in row.people],
                colWidths=[col_w] * len(row.columns),
            )
            inner.setStyle(
                TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black), ("FONTNAME", (0, 0), (-1, -1), font)])
            )
            data.append([para(row.label, label_style), inner if row.people else para("（无）")])
        elif row.images:
            data.append([para(row.label, label_style), [para(row.text), *(_pdf_picture(p) for p in row.images)]])
        else:
            # A cell cannot break across pages: long text goes into several rows under one label.
            chunks = split_text(row.text)
            first = len(data)
            for i, chunk in enumerate(chunks):
                data.append([para(row.label, label_style) if i == 0 else "", para(chunk)])
            # One label for all the pieces: no line between their label cells (a SPAN cannot split).
            for r in range(first + 1, len(data)):
                joins.append(("LINEABOVE", (0, r), (0, r), 0.8, colors.white))
    for opinion in document.opinions:
        data.append([para(opinion.stage, label_style), OpinionCell(opinion, value_w - 12)])
    for supplement in document.supplements:
        # The text in pieces under one label, then the unit's seal box, as one block.
        first = len(data)
        for i, chunk in enumerate(split_text(supplement.row.text)):
            data.append([para(supplement.row.label, label_style) if i == 0 else "", para(chunk)])
        data.append(["", OpinionCell(supplement.seal, value_w - 12)])
        for r in range(first + 1, len(data)):
            joins.append(("LINEABOVE", (0, r), (0, r), 0.8, colors.white))
    table = Table(data, colWidths=[label_w, value_w], repeatRows=0)
    table.setStyle(
        TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("FONTNAME", (0, 0), (-1, -1), font),  # empty cells too: no font left for the viewer
            ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
            ("VALIGN", (1, 0), (1, -1), "TOP"),
            *joins,
        ])
    )  # fmt: skip
    story.append(table)
    if document.history:
        story.append(Spacer(1, 4 * mm))
        story.append(para("历次审批意见", base))
        for h in document.history:
            story.append(para(_history_text(h), small))
    story.append(Spacer(1, 5 * mm))

    class Foot(Flowable):
        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.width = available_width
            return available_width, 30 * mm

        def draw(self) -> None:
            canvas = self.canv
            size = 28 * mm
            if document.verify_url:
                _draw_qr(canvas, document.verify_url, 0, 0, size)
            canvas.setFont(font, 9.5)
            x = size + 4 * mm
            canvas.drawString(x, 20 * mm, plain(f"校验码：{document.code or '（提交后生成）'}"))
            canvas.drawString(x, 14 * mm, "扫描二维码或访问以下地址核验电子印章：")
            canvas.setFont(font, 8.5)
            canvas.drawString(x, 9 * mm, plain(document.verify_url))
            canvas.drawString(x, 3 * mm, plain(f"打印时间：{document.printed_at}"))

    story.append(Foot())

    def stamp(canvas: Any, _doc: Any) -> None:
        if document.revoked_on:
            draw_revoked_stamp_pdf(canvas, A4[0], A4[1], document.revoked_on, font=font)

    doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return buffer.getvalue()


def draw_revoked_stamp_pdf(
    canvas: Any, page_width: float, page_height: float, date: str, *, font: str = CID_FONT
) -> None:
    """A large diagonal 已撤销 across the page, in a red frame with the date, half transparent."""
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.translate(page_width / 2, page_height / 2)
    canvas.rotate(35)
    canvas.setFillColorRGB(*SEAL_RED)
    canvas.setStrokeColorRGB(*SEAL_RED)
    canvas.setFillAlpha(0.28)
    canvas.setStrokeAlpha(0.35)
    canvas.setFont(font, 72)
    canvas.drawCentredString(0, -8 * mm, REVOKED_MARK)
    canvas.setFont(font, 16)
    canvas.drawCentredString(0, -20 * mm, plain(date))
    canvas.setLineWidth(3)
    canvas.roundRect(-62 * mm, -27 * mm, 124 * mm, 50 * mm, 6 * mm, stroke=1, fill=0)
    canvas.restoreState()


def _pdf_picture(path: Path) -> Any:
    from PIL import Image as PILImage
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    with PILImage.open(path) as picture:
        width, height = picture.size
    shown = PICTURE_WIDTH_MM * mm
    return Image(str(path), width=shown, height=min(shown * height / max(width, 1), 45 * mm), kind="proportional")


CHUNK = 300  # characters of one table row of the PDF: small, so that a page break leaves little white


def split_text(text: str, size: int = CHUNK) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut after a line break or a 。 where one is near."""
    pieces = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind("。", 0, size))
        cut = cut + 1 if cut > size // 2 else size
        pieces.append(text[:cut].rstrip("\n"))
        text = text[cut:]
    pieces.append(text)
    return pieces


def _draw_qr(canvas: Any, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (crisp at any print resolution)."""
    qr = segno.make(url, error="m")
    rows = list(qr.matrix_iter(border=2))
    cell = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)
    canvas.restoreState()


# --- Word ------------------------------------------------------------------------------------------------


def render_docx(document: FormDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)

    if document.revoked_on:
        _docx_revoked(doc, document)
    for text in (document.title, document.subtitle):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(docx_text(text))
        run.bold = True
        run.font.size = Pt(16)
    doc.add_paragraph(docx_text(f"申报单位（盖章）：{document.unit}"))

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in document.rows:
        cells = table.add_row().cells
        cells[0].text = docx_text(row.label)
        if row.people is not None and row.columns is not None:
            if not row.people:
                cells[1].text = "（无）"
                continue
            inner = cells[1].add_table(rows=1, cols=len(row.columns))
            inner.style = "Table Grid"
            for i, column in enumerate(row.columns):
                inner.rows[0].cells[i].text = docx_text(column)
            for person in row.people:
                person_cells = inner.add_row().cells
                for i, value in enumerate(person):
                    person_cells[i].text = docx_text(value)
        elif row.images:
            cells[1].text = docx_text(row.text)
            for picture in row.images:
                cells[1].add_paragraph().add_run().add_picture(str(picture), width=Mm(PICTURE_WIDTH_MM))
        else:
            # A row never splits across pages (cantSplit), so long text goes into several rows, as in
            # the PDF, their label cells merged into one.
            chunks = split_text(row.text)
            cells[1].text = docx_text(chunks[0])
            last = cells[0]
            for chunk in chunks[1:]:
                more = table.add_row().cells
                more[1].text = docx_text(chunk)
                last = more[0]
            if last is not cells[0]:
                cells[0].merge(last)
    boxes: list[tuple[Opinion, list[str]]] = [(o, []) for o in document.opinions]
    boxes += [(s.seal, split_text(s.row.text)) for s in document.supplements]
    for opinion, text_chunks in boxes:
        cells = table.add_row().cells
        cells[0].text = docx_text(opinion.stage)
        if text_chunks:  # a supplement: its text in rows of its own, then the seal box, one label
            cells[1].text = docx_text(text_chunks[0])
            first = cells[0]
            for chunk in text_chunks[1:]:
                more = table.add_row().cells
                more[1].text = docx_text(chunk)
            cells = table.add_row().cells
            first.merge(cells[0])
        cell = cells[1]
        if opinion.decision:
            cell.paragraphs[0].add_run(docx_text(_opinion_text(opinion)))
        if signer := _signer_text(opinion):
            cell.add_paragraph(docx_text(signer))
        if opinion.sealed:
            png, with_name = seal_png(plain(opinion.seal_org or opinion.org))
            p = cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.add_run().add_picture(io.BytesIO(png), width=Mm(30))
            if not with_name:
                run = p.add_run(docx_text(f" {opinion.seal_org or opinion.org}"))
                run.font.color.rgb = RGBColor(0xCC, 0x12, 0x12)
        date = cell.add_paragraph(docx_text(f"{opinion.date or '     年    月    日'}（盖章）"))
        date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # Word takes the widths of each cell, not of the column: the label column narrow, as on the forms.
    table.autofit = False
    table.columns[0].width = Mm(32)
    table.columns[1].width = Mm(142)
    for table_row in table.rows:
        table_row.cells[0].width = Mm(32)
        table_row.cells[1].width = Mm(142)
    for any_table in doc.tables:
        _rows_never_split(any_table)
    if document.history:
        doc.add_paragraph("历次审批意见")
        for h in document.history:
            doc.add_paragraph(docx_text(_history_text(h)))
    doc.add_paragraph()
    foot = doc.add_table(rows=1, cols=2)
    if document.verify_url:
        buffer = io.BytesIO()
        segno.make(document.verify_url, error="m").save(buffer, kind="png", scale=6, border=2)
        foot.rows[0].cells[0].paragraphs[0].add_run().add_picture(io.BytesIO(buffer.getvalue()), width=Mm(28))
    info = foot.rows[0].cells[1]
    info.text = docx_text(f"校验码：{document.code or '（提交后生成）'}")
    info.add_paragraph("扫描二维码或访问以下地址核验电子印章：")
    info.add_paragraph(docx_text(document.verify_url))
    info.add_paragraph(docx_text(f"打印时间：{document.printed_at}"))
    _rows_never_split(foot)
    _core_properties(doc, document)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _rows_never_split(table: Any) -> None:
    """``<w:cantSplit/>`` on every row of ``table`` and of the tables in its cells: Word moves a row
    that does not fit to the next page whole (a seal stays with its date, a person with their row)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tr in table._tbl.iter(qn("w:tr")):
        tr_pr = tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _core_properties(doc: Any, document: FormDocument) -> None:
    """The file's properties (文件 → 属性): the nomination and campaign, written by the product now,
    instead of python-docx's template (author "python-docx", dates of 2013)."""
    from datetime import UTC

    now = timezone.now().astimezone(UTC).replace(tzinfo=None)  # python-docx writes it as UTC ("Z")
    properties = doc.core_properties
    heading = f"{document.title} {document.subtitle}"
    properties.title = plain(f"{document.name}（{heading}）" if document.name else heading)[:255]
    properties.subject = plain(heading)[:255]
    properties.author = PRODUCT
    properties.last_modified_by = PRODUCT
    properties.comments = plain(f"{document.unit}；校验码：{document.code}" if document.code else document.unit)[:255]
    properties.keywords = plain(document.subtitle)
    properties.category = plain(document.subtitle)
    properties.created = now
    properties.modified = now
    properties.last_printed = now
    properties.revision = 1


# A diagonal 已撤销 behind the text of every page: Word's own watermark (a VML WordArt shape in the
# header), which Word, WPS and LibreOffice all draw. The text is a constant, never user input.
_WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    "<w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e">'
    '<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>'
    '<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>'
    '<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/>'
    '<v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>'
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
    'o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="SealflowRevoked" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:140pt;rotation:315;'
    "z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#cc1212" stroked="f">'
    '<v:fill opacity=".3"/>'
    '<v:textpath style="font-family:&quot;SimSun&quot;;font-size:1pt" string="已撤销"/>'
    "</v:shape></w:pict></w:r>"
)


def _docx_revoked(doc: Any, document: FormDocument) -> None:
    """The 已撤销 banner on top (a red framed one-cell table), the mark in the page header and the
    diagonal watermark on every page."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    red = RGBColor(0xCC, 0x12, 0x12)
    banner = doc.add_table(rows=1, cols=1)
    banner.style = "Table Grid"
    cell = banner.rows[0].cells[0]
    shading = parse_xml('<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                        'w:val="clear" w:color="auto" w:fill="FDECEA"/>')  # fmt: skip
    cell._tc.get_or_add_tcPr().append(shading)
    title = cell.paragraphs[0]
    title.alignment = 1  # centre
    run = title.add_run(REVOKED_MARK)
    run.bold = True
    run.font.size = Pt(22)
    run.font.color.rgb = red
    run = cell.add_paragraph().add_run(docx_text(revoked_banner(document)))
    run.font.color.rgb = red
    borders = banner._tbl.tblPr.find(qn("w:tblBorders"))
    if borders is None:
        borders = parse_xml('<w:tblBorders xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
        banner._tbl.tblPr.append(borders)
    for side in ("top", "left", "bottom", "right"):
        borders.append(
            parse_xml(
                f'<w:{side} xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                'w:val="single" w:sz="18" w:space="0" w:color="CC1212"/>'
            )  # fmt: skip
        )
    doc.add_paragraph()
    header = doc.sections[0].header
    paragraph = header.paragraphs[0]
    paragraph.alignment = 2  # right
    run = paragraph.add_run(docx_text(f"{REVOKED_MARK}（{document.revoked_on}）"))
    run.bold = True
    run.font.color.rgb = red
    paragraph._p.append(parse_xml(_WATERMARK))


def file_name(nomination: Nomination, extension: str) -> str:
    safe = "".join(ch for ch in nomination.title if ch not in '\\/:*?"<>|').strip() or "申报表"
    return f"{safe[:60]}-申报表.{extension}"


def texts(document: FormDocument) -> Iterable[str]:
    """Every text printed (for tests and checks)."""
    yield document.title
    yield document.subtitle
    yield document.unit
    for row in document.rows:
        yield row.label
        yield row.text
        for person in row.people or []:
            yield from person
    for opinion in document.opinions:
        yield from (opinion.stage, opinion.decision, opinion.opinion, opinion.signer, opinion.org, opinion.date)
    for supplement in document.supplements:
        yield supplement.row.label
        yield supplement.row.text
        yield from (supplement.seal.signer, supplement.seal.org, supplement.seal.date)
    yield document.code
    if document.revoked_on:
        yield REVOKED_MARK
        yield revoked_banner(document)


# --- for other apps' documents (awards: certificates and the result notice) -----------------------------


def draw_qr_pdf(canvas: Any, url: str, x: float, y: float, size: float) -> None:
    """A QR code of ``url`` as vector squares on a reportlab canvas, ``size`` wide at (``x``, ``y``)."""
    _draw_qr(canvas, url, x, y, size)
