"""Inspect an uploaded file from its content before anything is stored (ASVS 5.2, 5.3).

``inspect_upload`` reads the stream once in bounded chunks (size and SHA-256 on the way,
rejecting as soon as the size limit is passed), detects the type from magic bytes, requires the
name's extension to agree, then parses the content as that type: images through Pillow with a
pixel limit checked before decoding, Office zips against entry, size and ratio limits, PDFs and
MP4s for their structure. Every refusal is an ``UploadRejected`` with a stable code and a
Chinese message; the caller stores nothing unless an ``UploadInfo`` comes back.

The original file name is only ever shown (``display_name``); files are stored under a path
built from their hash alone (``storage_name``).
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import Image

from config.errors import InvalidInput

# Short type name -> MIME type, for every type an upload may have.
MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
}
SUPPORTED_TYPES: tuple[str, ...] = tuple(MIME_TYPES)
IMAGE_TYPES = frozenset({"jpg", "png"})

REJECTION_CODES: tuple[str, ...] = (
    "file_empty",
    "file_too_large",
    "file_type_not_allowed",
    "file_type_mismatch",
    "file_corrupt",
    "image_too_large",
    "archive_bomb",
    "file_name_invalid",
)

DISPLAY_NAME_MAX = 120
CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 4096
PDF_EOF_WINDOW = 1024

# Office (OOXML) zip limits. The ratio only counts beyond ZIP_RATIO_FLOOR: below that nothing can blow up.
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
# A central directory entry is 46 bytes plus name, extra field and comment; Office's are ~100 bytes.
ZIP_MAX_DIRECTORY_BYTES = ZIP_MAX_ENTRIES * 1024
ZIP_CONTENT_TYPES_MAX = 1024 * 1024

MP4_MAX_TOP_LEVEL_BOXES = 100_000

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_WINDOWS_RESERVED = str.maketrans('<>:"|?*', "_" * 7)
_EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "htm": "html"}

# ISO base media file format brands (the ``ftyp`` box) that mean an MP4 video.
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42", b"mp71"}
    | {b"avc1", b"dash", b"M4V ", b"M4VH", b"M4VP", b"f4v ", b"MSNV", b"NDAS", b"XAVC"}
)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})

# How a detected kind that is not an upload type is named in messages.
_KIND_LABELS = {
    "ole": "Office 97-2003 文档",
    "docm": "启用宏的 Word 文档",
    "xlsm": "启用宏的 Excel 工作簿",
    "zip": "ZIP 压缩包",
    "exe": "可执行程序",
    "elf": "可执行程序",
    "script": "脚本",
    "html": "网页",
    "heic": "HEIC/AVIF 图片",
    "mov": "QuickTime 视频",
    "m4a": "音频",
}


class UploadRejected(InvalidInput):
    """An upload refused by ``inspect_upload``; ``code`` is one of ``REJECTION_CODES``."""

    code = "upload_rejected"

    def __init__(self, message: str, *, code: str, field: str = "file") -> None:
        super().__init__(message, errors={field: [message]}, code=code)


@dataclass(frozen=True)
class UploadInfo:
    """What an accepted upload is; store it under ``storage_name(sha256, type)``."""

    type: str
    mime: str
    size: int
    sha256: str
    display_name: str
    width: int | None
    height: int | None
    is_image: bool


def clean_display_name(name: str) -> str:
    """The name to show: last path component, no control or format characters, no leading dots.

    At most ``DISPLAY_NAME_MAX`` characters (the extension is kept when cut); Chinese is kept.
    May be empty, which ``inspect_upload`` refuses. Never use it as a storage path.
    """
    name = unicodedata.normalize("NFC", name)
    # Both separators, whatever the client's platform: only the last component is the name.
    name = re.split(r"[/\\]", name)[-1]
    # Whitespace (tabs, newlines too) becomes one space; other control, format (e.g. U+202E right-to-left
    # override), surrogate, private-use and unassigned characters go.
    name = "".join(c for c in name if c in "\t\n\r\v\f" or not unicodedata.category(c).startswith("C"))
    name = " ".join(name.split())
    name = name.translate(_WINDOWS_RESERVED)
    name = name.strip(". ")
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= 16:
            name = stem[: DISPLAY_NAME_MAX - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            name = name[:DISPLAY_NAME_MAX].rstrip(". ")
    return name


def storage_name(sha256: str, type: str) -> str:
    """The relative storage path, from the hash only: ``ab/cd/abcd…(64 hex).pdf``."""
    if not _SHA256_RE.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hex digits")
    if type not in MIME_TYPES:
        raise ValueError(f"unknown upload type {type!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{type}"


def inspect_upload(
    name: str,
    stream: BinaryIO,
    *,
    allowed_types: Collection[str],
    max_size: int,
    max_pixels: int = 40_000_000,
) -> UploadInfo:
    """Check an upload from its content; raise ``UploadRejected`` or return what it is.

    ``stream`` must be seekable; it is read from the start and left rewound to 0 either way.
    ``allowed_types`` are short type names from ``SUPPORTED_TYPES``.
    """
    unknown = set(allowed_types) - set(SUPPORTED_TYPES)
    if unknown:
        raise ValueError(f"unsupported upload types: {sorted(unknown)}")
    if max_size <= 0 or max_pixels <= 0:
        raise ValueError("max_size and max_pixels must be positive")

    stream.seek(0)
    try:
        display_name = clean_display_name(name)
        if not display_name:
            raise UploadRejected(_("文件名无效，请重命名后重新上传"), code="file_name_invalid")
        size, sha256, head, tail = _read_bounded(stream, display_name, max_size)
        kind = _detect(stream, head, size, display_name)
        extension = _extension(display_name)
        if kind == "ole" and extension in ("doc", "xls"):
            kind = extension
        if kind is None:
            raise _not_allowed(display_name, allowed_types)
        if extension != kind:
            raise UploadRejected(
                _("文件“{name}”的扩展名与实际内容不符（扩展名：{ext}，内容：{kind}）").format(
                    name=display_name, ext=f".{extension}" if extension else _("无"), kind=_label(kind)
                ),
                code="file_type_mismatch",
            )
        if kind not in allowed_types:
            raise _not_allowed(display_name, allowed_types)

        width: int | None = None
        height: int | None = None
        if kind in IMAGE_TYPES:
            width, height = _check_image(stream, kind, display_name, max_pixels)
        elif kind in ("docx", "xlsx"):
            _check_ooxml(stream, kind, display_name)
        elif kind == "pdf":
            if b"%%EOF" not in tail:
                raise _corrupt(display_name, kind)
        elif kind in ("doc", "xls"):
            _check_ole(head, size, kind, display_name)
        elif kind == "mp4":
            _check_mp4(stream, size, display_name)
    finally:
        stream.seek(0)

    return UploadInfo(
        type=kind,
        mime=MIME_TYPES[kind],
        size=size,
        sha256=sha256,
        display_name=display_name,
        width=width,
        height=height,
        is_image=kind in IMAGE_TYPES,
    )


# Reading and detection ------------------------------------------------------------------------------------------


def _read_bounded(stream: BinaryIO, name: str, max_size: int) -> tuple[int, str, bytes, bytes]:
    """Size, SHA-256, first ``HEAD_SIZE`` and last ``PDF_EOF_WINDOW`` bytes; never reads past max_size + 1."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    while True:
        chunk = stream.read(min(CHUNK_SIZE, max_size + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > max_size:
            raise UploadRejected(
                _("文件“{name}”超过大小上限（{limit}）").format(name=name, limit=_human_size(max_size)),
                code="file_too_large",
            )
        digest.update(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        tail = (tail + chunk)[-PDF_EOF_WINDOW:]
    if size == 0:
        raise UploadRejected(_("文件“{name}”是空文件").format(name=name), code="file_empty")
    return size, digest.hexdigest(), head, tail


def _detect(stream: BinaryIO, head: bytes, size: int, name: str) -> str | None:
    """The kind the content says it is (an upload type or a named other kind), or None if unknown.

    OLE2 files come back as ``ole``: doc and xls are told apart by the extension only.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(stream, size, name)
    if head[4:8] == b"ftyp":
        return _detect_iso_media(head)
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"#!"):
        return "script"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return "html"
    return None


def _detect_iso_media(head: bytes) -> str | None:
    (box_size,) = struct.unpack(">I", head[:4])
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    if major in _MP4_BRANDS:
        return "mp4"
    if major in _HEIF_BRANDS:
        return "heic"
    if major == b"qt  ":
        return "mov"
    if major in _AUDIO_BRANDS:
        return "m4a"
    if compatible & _MP4_BRANDS:
        return "mp4"
    return None


def _detect_zip(stream: BinaryIO, size: int, name: str) -> str:
    """docx, xlsx (or their macro-enabled docm, xlsm) from the part names; any other zip is ``zip``."""
    entries, directory_size = _zip_directory(stream, size, name)
    if entries > ZIP_MAX_ENTRIES or directory_size > ZIP_MAX_DIRECTORY_BYTES:
        raise _too_many_entries(name)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = {info.filename.lower() for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise _corrupt(name, "zip") from exc
    if "[content_types].xml" not in names:
        return "zip"
    word = any(n.startswith("word/") for n in names)
    excel = any(n.startswith("xl/") for n in names)
    if word == excel:
        return "zip"
    if word:
        return "docm" if "word/vbaproject.bin" in names else "docx"
    return "xlsm" if "xl/vbaproject.bin" in names else "xlsx"


def _zip_directory(stream: BinaryIO, size: int, name: str) -> tuple[int, int]:
    """Entry count and central directory size from the end record, before zipfile reads the directory."""
    # Found the way zipfile finds it, so both read the same directory.
    start = max(0, size - 22 - (1 << 16))  # the end record plus the longest comment
    stream.seek(start)
    data = stream.read(size - start)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        raise _corrupt(name, "zip")
    _, _, _, _, entries, directory_size, _, _ = struct.unpack("<4s4H2LH", data[at : at + 22])
    # ZIP64: zipfile takes the counts from a ZIP64 end record right before a locator right before the end record.
    locator = data[at - 20 : at] if at >= 20 else b""
    record = data[at - 76 : at - 20] if at >= 76 else b""
    if locator[:4] == b"PK\x06\x07" and record[:4] == b"PK\x06\x06":
        entries, directory_size = struct.unpack("<2Q", record[32:48])
    return entries, directory_size


# Checks per type ------------------------------------------------------------------------------------------------


def _check_image(stream: BinaryIO, kind: str, name: str, max_pixels: int) -> tuple[int, int]:
    """Declared size against max_pixels before any decoding, then verify() and a full load() of a fresh handle."""
    image_format = "JPEG" if kind == "jpg" else "PNG"
    try:
        stream.seek(0)
        # Opening reads the header only; Pillow's own bomb check may already refuse here.
        with Image.open(stream, formats=[image_format]) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _corrupt(name, kind)
            if width * height > max_pixels:
                raise _image_too_large(name, max_pixels)
            image.verify()
        stream.seek(0)
        with Image.open(stream, formats=[image_format]) as image:
            if image.size != (width, height):
                raise _corrupt(name, kind)
            image.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _image_too_large(name, max_pixels) from exc
    except Exception as exc:
        # Pillow's parsers and decoders raise many types on bad input (OSError, SyntaxError, ValueError,
        # struct.error, EOFError, zlib.error...): all mean the content is not a readable image.
        raise _corrupt(name, kind) from exc
    return width, height


def _check_ooxml(stream: BinaryIO, kind: str, name: str) -> None:
    """Entry names, declared sizes and ratio, then every entry decompressed (CRC and real size checked)."""
    main_part = {
        "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    }[kind]
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise _too_many_entries(name)
            for info in infos:
                if not _safe_member_name(info.filename):
                    raise _corrupt(name, kind)
            total = sum(info.file_size for info in infos)
            compressed = sum(info.compress_size for info in infos)
            if total > ZIP_MAX_UNCOMPRESSED or (
                total > ZIP_RATIO_FLOOR and total > ZIP_MAX_RATIO * max(compressed, 1)
            ):
                raise _archive_bomb(name)
            content_types = next(i for i in infos if i.filename.lower() == "[content_types].xml")
            if content_types.file_size > ZIP_CONTENT_TYPES_MAX or main_part not in archive.read(content_types):
                raise _corrupt(name, kind)
            # zipfile stops each entry at its declared size and checks its CRC, so a lying header
            # cannot make this read more than ``total`` bytes.
            produced = 0
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK_SIZE):
                        produced += len(chunk)
                        if produced > ZIP_MAX_UNCOMPRESSED:
                            raise _archive_bomb(name)
    except UploadRejected:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # unsupported compression method
        RuntimeError,  # encrypted entry
        OSError,
        ValueError,
        EOFError,
        struct.error,
        zlib.error,
    ) as exc:
        raise _corrupt(name, kind) from exc


def _safe_member_name(member: str) -> bool:
    path = member.replace("\\", "/")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path) or "\x00" in path:
        return False
    return ".." not in path.split("/")


def _check_ole(head: bytes, size: int, kind: str, name: str) -> None:
    """The compound file header: version, byte order and sector sizes (MS-CFB 2.2)."""
    if len(head) < 34:
        raise _corrupt(name, kind)
    major, byte_order, sector_shift, mini_shift = struct.unpack("<4H", head[26:34])
    expected_shift = {3: 9, 4: 12}.get(major)
    if byte_order != 0xFFFE or sector_shift != expected_shift or mini_shift != 6:
        raise _corrupt(name, kind)
    if size < 2 * (1 << sector_shift):
        raise _corrupt(name, kind)


def _check_mp4(stream: BinaryIO, size: int, name: str) -> None:
    """Top-level boxes chain exactly to the end of the file, start with ``ftyp`` and include ``moov``."""
    position = 0
    seen: set[bytes] = set()
    count = 0
    while position < size:
        count += 1
        if count > MP4_MAX_TOP_LEVEL_BOXES:
            raise _corrupt(name, "mp4")
        stream.seek(position)
        header = stream.read(16)
        if len(header) < 8:
            raise _corrupt(name, "mp4")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                raise _corrupt(name, "mp4")
            (box_size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif box_size == 0:
            box_size = size - position
        if box_size < header_size or position + box_size > size:
            raise _corrupt(name, "mp4")
        if not all(0x20 <= b <= 0x7E for b in box_type) or (count == 1 and box_type != b"ftyp"):
            raise _corrupt(name, "mp4")
        seen.add(box_type)
        position += box_size
    if b"moov" not in seen:
        raise _corrupt(name, "mp4")


# Helpers ----------------------------------------------------------------------------------------------------------


def _extension(display_name: str) -> str:
    stem, dot, ext = display_name.rpartition(".")
    if not dot or not stem:
        return ""
    ext = ext.lower()
    return _EXTENSION_ALIASES.get(ext, ext)


def _label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.upper())


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return _("{n} 字节").format(n=n)


def _not_allowed(name: str, allowed_types: Collection[str]) -> UploadRejected:
    types = "、".join(t.upper() for t in SUPPORTED_TYPES if t in allowed_types)
    return UploadRejected(
        _("文件“{name}”的内容不是允许的类型（允许：{types}）").format(name=name, types=types),
        code="file_type_not_allowed",
    )


def _corrupt(name: str, kind: str) -> UploadRejected:
    return UploadRejected(
        _("文件“{name}”已损坏或格式不正确，无法作为 {type} 文件读取").format(name=name, type=_label(kind)),
        code="file_corrupt",
    )


def _image_too_large(name: str, max_pixels: int) -> UploadRejected:
    return UploadRejected(
        _("图片“{name}”像素过多（超过 {n} 万像素），可能是恶意文件").format(name=name, n=f"{max_pixels / 10_000:g}"),
        code="image_too_large",
    )


def _archive_bomb(name: str) -> UploadRejected:
    return UploadRejected(
        _("文件“{name}”解压后过大或压缩比异常，可能是恶意文件").format(name=name),
        code="archive_bomb",
    )


def _too_many_entries(name: str) -> UploadRejected:
    return UploadRejected(
        _("文件“{name}”包含的条目过多（超过 {n} 个），可能是恶意文件").format(name=name, n=ZIP_MAX_ENTRIES),
        code="archive_bomb",
    )
