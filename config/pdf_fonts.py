"""Chinese text in generated PDFs with its font embedded, so any viewer shows it (no CID font).

ReportLab embeds TrueType fonts only, and the one CJK font every install has, Noto Sans CJK from
the ``noto-cjk-sans-otc`` wheel (SIL Open Font License), is an OpenType collection with CFF
outlines. So each document gets a font of its own: the glyphs of exactly the characters it prints,
drawn from the Simplified Chinese face (Noto Sans CJK SC) and converted to TrueType outlines with
fontTools' ``cu2qu``. ReportLab then embeds that small font as a subset (``FontFile2``).

The source face is opened once per process (lazily: only the glyphs asked for are read), and every
converted glyph is kept, so a document costs a few milliseconds per new character and nothing for
the common ones. Without the font file (it is a dependency, so only on a broken install) the
documents fall back to ReportLab's CID font STSong-Light, which a viewer must supply.

Use::

    with pdf_fonts.embedded_font(texts) as font_name:
        ...  # build the PDF with ``font_name`` for every text of ``texts``
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

FALLBACK_CID_FONT = "STSong-Light"
FACE_NAME = "Noto Sans CJK SC"
# Always present, whatever the document's texts: digits, Latin letters, ASCII and common CJK punctuation,
# the date and seal words, so a string drawn at build time (a page number, a date) never lacks a glyph.
ALWAYS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "　、。，．：；？！“”‘’（）《》〈〉【】「」『』〔〕…—－～·／％＋＝"
    + "〇一二三四五六七八九十百千年月日时分秒至第页共北京时间盖章签署人已撤销"
)

_lock = threading.Lock()
_source: Any = None  # the Noto Sans CJK SC face (fontTools TTFont, lazy), once per process
_glyphs: dict[str, tuple[Any, int, int]] = {}  # glyph name → (TrueType glyph, advance, left side bearing)
_names = itertools.count(1)


def _font_path() -> str:
    try:
        import noto_cjk_sans_otc  # type: ignore[import-untyped]  # a font file and its path, no stubs
    except ImportError:  # pragma: no cover - a dependency; documents fall back to the CID font
        return ""
    return str(noto_cjk_sans_otc.FONT_PATH)


def _load_source() -> Any:
    """The Simplified Chinese face of the collection, or None without the font file."""
    global _source
    if _source is None:
        from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

        path = _font_path()
        if not path:
            return None
        collection = TTCollection(path, lazy=True)
        faces = [f for f in collection.fonts if f["name"].getDebugName(1) == FACE_NAME]
        _source = faces[0] if faces else collection.fonts[0]
    return _source


def _glyph(source: Any, name: str) -> tuple[Any, int, int]:
    """One glyph of the CFF face as a TrueType glyph (quadratic curves), with its horizontal metrics."""
    cached = _glyphs.get(name)
    if cached is None:
        from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
        from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]

        pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType's clockwise: reverse while converting.
        source.getGlyphSet()[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        advance, lsb = source["hmtx"][name]
        cached = _glyphs[name] = (pen.glyph(), advance, lsb)
    return cached


def font_bytes(texts: Iterable[str], family: str = "SealflowCJK") -> bytes | None:
    """A TrueType font holding the glyphs of every character of ``texts`` (and ``ALWAYS``); None
    without the source font. Characters the face lacks are left out (they print as a blank box)."""
    from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]

    with _lock:
        source = _load_source()
        if source is None:
            return None
        cmap = source.getBestCmap()
        chars = sorted({ord(ch) for text in texts for ch in text} | {ord(ch) for ch in ALWAYS})
        mapping = {code: cmap[code] for code in chars if code in cmap}
        order = [".notdef", *sorted(set(mapping.values()) - {".notdef"})]
        converted = {name: _glyph(source, name) for name in order}
        units = source["head"].unitsPerEm
        hhea, os2 = source["hhea"], source["OS/2"]
    builder = FontBuilder(units, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf({name: glyph for name, (glyph, _a, _l) in converted.items()})
    builder.setupHorizontalMetrics({name: (advance, lsb) for name, (_g, advance, lsb) in converted.items()})
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    builder.setupNameTable({"familyName": family, "styleName": "Regular", "psName": family,
                            "copyright": "Noto Sans CJK SC, SIL Open Font License 1.1"})  # fmt: skip
    builder.setupOS2(
        fsType=0,  # installable embedding, as the source font (OFL)
        sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender, sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent,
    )  # fmt: skip
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


@contextmanager
def embedded_font(texts: Iterable[str]) -> Iterator[str]:
    """Register a font for ``texts`` with ReportLab for the time of one document and yield its name
    (``FALLBACK_CID_FONT`` without the source font). Every text the document prints must be in
    ``texts`` or in ``ALWAYS``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # A name of its own, also inside the font: ReportLab shares one font object per face name.
    name = f"SealflowCJK{next(_names)}"
    data = font_bytes(texts, family=name)
    if data is None:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        if FALLBACK_CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
        yield FALLBACK_CID_FONT
        return
    font = TTFont(name, io.BytesIO(data))
    pdfmetrics.registerFont(font)
    try:
        yield name
    finally:
        # One font per document: drop it from ReportLab's registries (module-level dicts), or a
        # long-running worker would keep every document's font.
        pdfmetrics._fonts.pop(name, None)
        pdfmetrics._dynFaceNames.pop(font.face.name, None)
