"""Upload inspection: every accepted type, and every way a hostile or broken file is refused."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Callable

import pytest
from PIL import Image

from approvals import uploads
from approvals.uploads import UploadInfo, UploadRejected, clean_display_name, inspect_upload, storage_name
from config.errors import InvalidInput

ALL_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "mp4")
MB = 1024 * 1024

CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>推荐材料</w:t></w:r></w:p></w:body></w:document>"
)


# Test files ------------------------------------------------------------------------------------------------------


def make_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_pixel_flood_png(width: int, height: int) -> bytes:
    """A few dozen bytes whose header declares width × height 1-bit pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def docx_entries() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES_DOCX.encode(),
        "_rels/.rels": RELS.encode(),
        "word/document.xml": DOCUMENT.encode(),
    }


def make_docx(**extra: bytes) -> bytes:
    return make_zip(docx_entries() | extra)


def make_xlsx() -> bytes:
    """A minimal workbook: one sheet, written part by part as Excel does."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return make_zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": RELS.replace("word/document.xml", "xl/workbook.xml").encode(),
            "xl/workbook.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'xmlns:r="{relationships}"><sheets><sheet name="汇总" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                '<row r="1"><c r="A1" t="inlineStr"><is><t>张三</t></is></c><c r="B1"><v>95</v></c></row>'
                "</sheetData></worksheet>"
            ).encode(),
        }
    )


def make_ole(major: int = 3) -> bytes:
    """A compound file header (MS-CFB) followed by empty sectors: enough for the header check."""
    sector = 512 if major == 3 else 4096
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<5H", 0x3E, major, 0xFFFE, 9 if major == 3 else 12, 6)
    )
    return header.ljust(sector, b"\x00") + b"\xff" * (2 * sector)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def make_mp4(brand: bytes = b"isom", *, moov: bool = True) -> bytes:
    ftyp = box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    movie = box(b"moov", box(b"mvhd", b"\x00" * 100)) if moov else b""
    return ftyp + box(b"free", b"") + box(b"mdat", os.urandom(256)) + movie


def inspect(
    name: str,
    data: bytes,
    *,
    allowed: tuple[str, ...] = ALL_TYPES,
    max_size: int = 50 * MB,
    max_pixels: int = 40_000_000,
) -> UploadInfo:
    return inspect_upload(name, io.BytesIO(data), allowed_types=allowed, max_size=max_size, max_pixels=max_pixels)


def rejected(
    name: str,
    data: bytes,
    *,
    allowed: tuple[str, ...] = ALL_TYPES,
    max_size: int = 50 * MB,
    max_pixels: int = 40_000_000,
) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect(name, data, allowed=allowed, max_size=max_size, max_pixels=max_pixels)
    return caught.value


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


# Accepted files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "kind", "mime", "dimensions"),
    [
        ("推荐表.pdf", make_pdf, "pdf", "application/pdf", None),
        ("事迹材料.doc", make_ole, "doc", "application/msword", None),
        (
            "事迹材料.docx",
            make_docx,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            None,
        ),
        ("汇总表.xls", lambda: make_ole(4), "xls", "application/vnd.ms-excel", None),
        ("汇总表.xlsx", make_xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None),
        ("照片.jpg", lambda: make_image("JPEG"), "jpg", "image/jpeg", (64, 48)),
        ("照片.PNG", lambda: make_image("PNG", (30, 70)), "png", "image/png", (30, 70)),
        ("视频.mp4", make_mp4, "mp4", "video/mp4", None),
    ],
)
def test_each_allowed_type_is_accepted_with_hash_size_and_dimensions(
    name: str, build: Callable[[], bytes], kind: str, mime: str, dimensions: tuple[int, int] | None
) -> None:
    data = build()

    info = inspect(name, data)

    assert info.type == kind
    assert info.mime == mime
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.display_name == name
    assert (info.width, info.height) == (dimensions or (None, None))
    assert info.is_image is (dimensions is not None)


def test_workbook_saved_by_openpyxl_is_accepted() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.create_sheet("汇总", 0)
    sheet.append(["姓名", "单位", "得分"])
    sheet.append(["张三", "陆家嘴中心", 95])
    buffer = io.BytesIO()
    workbook.save(buffer)

    info = inspect("汇总表.xlsx", buffer.getvalue())

    assert info.type == "xlsx"
    assert info.sha256 == hashlib.sha256(buffer.getvalue()).hexdigest()


def test_jpeg_extension_means_jpg() -> None:
    assert inspect("photo.jpeg", make_image("JPEG")).type == "jpg"


def test_mp4_with_other_compatible_brand_is_accepted() -> None:
    assert inspect("clip.mp4", make_mp4(brand=b"mp42")).type == "mp4"


# Size ------------------------------------------------------------------------------------------------------------


def test_file_of_exactly_max_size_is_accepted() -> None:
    data = make_pdf()

    assert inspect("a.pdf", data, max_size=len(data)).size == len(data)


def test_file_one_byte_over_max_size_is_rejected() -> None:
    data = make_pdf()

    error = rejected("a.pdf", data, max_size=len(data) - 1)

    assert error.code == "file_too_large"
    assert "超过大小上限" in error.detail


def test_reading_stops_as_soon_as_the_limit_is_passed() -> None:
    stream = CountingStream(b"%PDF-" + b"\x00" * (5 * MB))

    with pytest.raises(UploadRejected) as caught:
        inspect_upload("big.pdf", stream, allowed_types=["pdf"], max_size=100_000)

    assert caught.value.code == "file_too_large"
    assert stream.bytes_read == 100_001
    assert stream.tell() == 0


def test_empty_file_is_rejected() -> None:
    assert rejected("空.pdf", b"").code == "file_empty"


# Type -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, b"\x7fELF\x02\x01\x01" + b"\x00" * 100],
    ids=["exe", "elf"],
)
def test_executable_renamed_jpg_is_a_mismatch(header: bytes) -> None:
    error = rejected("photo.jpg", header)

    assert error.code == "file_type_mismatch"
    assert "可执行程序" in error.detail


def test_unrecognised_content_is_not_allowed() -> None:
    error = rejected("photo.jpg", b"just some text, not a picture\n")

    assert error.code == "file_type_not_allowed"
    assert "允许：PDF、DOC、DOCX、XLS、XLSX、JPG、PNG、MP4" in error.detail


def test_png_named_pdf_is_a_mismatch() -> None:
    error = rejected("scan.pdf", make_image("PNG"))

    assert error.code == "file_type_mismatch"
    assert "扩展名：.pdf" in error.detail
    assert "内容：PNG" in error.detail


def test_name_without_extension_is_a_mismatch() -> None:
    assert rejected("scan", make_pdf()).code == "file_type_mismatch"


def test_type_not_in_allowed_types_is_rejected() -> None:
    error = rejected("photo.png", make_image("PNG"), allowed=("pdf", "docx"))

    assert error.code == "file_type_not_allowed"
    assert error.detail == "文件“photo.png”的内容不是允许的类型（允许：PDF、DOCX）"


def test_plain_zip_is_not_allowed_and_named_docx_is_a_mismatch() -> None:
    data = make_zip({"readme.txt": b"hello"})

    assert rejected("files.zip", data).code == "file_type_not_allowed"
    assert rejected("files.docx", data).code == "file_type_mismatch"


def test_macro_enabled_document_named_docx_is_a_mismatch() -> None:
    data = make_docx(**{"word/vbaProject.bin": b"\x00" * 64})

    error = rejected("宏.docx", data)

    assert error.code == "file_type_mismatch"
    assert "启用宏" in error.detail


def test_old_office_file_type_comes_from_its_extension() -> None:
    data = make_ole()

    assert inspect("a.doc", data).type == "doc"
    assert inspect("a.xls", data).type == "xls"
    assert rejected("a.docx", data).code == "file_type_mismatch"


def test_heic_photo_named_mp4_is_a_mismatch() -> None:
    assert rejected("photo.mp4", make_mp4(brand=b"heic")).code == "file_type_mismatch"


def test_unknown_allowed_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unsupported upload types"):
        inspect("a.pdf", make_pdf(), allowed=("pdf", "exe"))


# Corrupt content --------------------------------------------------------------------------------------------------


def test_truncated_jpeg_is_corrupt() -> None:
    data = make_image("JPEG", (200, 200))

    assert rejected("photo.jpg", data[: len(data) // 2]).code == "file_corrupt"


def test_truncated_png_is_corrupt() -> None:
    data = make_image("PNG", (200, 200))

    assert rejected("photo.png", data[: len(data) // 2]).code == "file_corrupt"


def test_pdf_without_end_marker_is_corrupt() -> None:
    data = make_pdf()

    assert rejected("a.pdf", data.replace(b"%%EOF", b"")).code == "file_corrupt"
    assert rejected("a.pdf", data + b"\x00" * 2048).code == "file_corrupt"


def test_old_office_file_with_bad_header_is_corrupt() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000

    assert rejected("a.doc", data).code == "file_corrupt"


def test_mp4_whose_box_runs_past_the_end_is_corrupt() -> None:
    assert rejected("clip.mp4", make_mp4()[:-10]).code == "file_corrupt"


def test_mp4_without_movie_box_is_corrupt() -> None:
    assert rejected("clip.mp4", make_mp4(moov=False)).code == "file_corrupt"


def test_docx_with_damaged_entry_is_corrupt() -> None:
    data = bytearray(make_zip(docx_entries(), compression=zipfile.ZIP_STORED))
    at = data.index("推荐材料".encode())
    data[at] ^= 0xFF  # the stored bytes no longer match the entry's CRC

    assert rejected("a.docx", bytes(data)).code == "file_corrupt"


def test_docx_without_main_document_content_type_is_corrupt() -> None:
    entries = docx_entries()
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"wordprocessingml", b"spreadsheetml")

    assert rejected("a.docx", make_zip(entries)).code == "file_corrupt"


# Bombs and traversal -----------------------------------------------------------------------------------------------


def test_pixel_flood_png_is_rejected_before_decoding() -> None:
    # The declared pixels cannot be decoded from these few bytes: a decode would give file_corrupt.
    started = time.monotonic()

    assert rejected("flood.png", make_pixel_flood_png(100_000, 100_000)).code == "image_too_large"
    error = rejected("flood.png", make_pixel_flood_png(5000, 5000), max_pixels=1_000_000)
    assert error.code == "image_too_large"
    assert error.detail == "图片“flood.png”像素过多（超过 100 万像素），可能是恶意文件"
    assert time.monotonic() - started < 2


def test_pixel_limit_is_inclusive() -> None:
    data = make_image("PNG", (100, 100))

    assert inspect("a.png", data, max_pixels=10_000).width == 100
    assert rejected("a.png", data, max_pixels=9_999).code == "image_too_large"


def test_zip_bomb_docx_is_rejected() -> None:
    data = make_docx(**{"word/media/zeros.bin": b"\x00" * (20 * MB)})
    assert len(data) < MB

    assert rejected("炸弹.docx", data).code == "archive_bomb"


def test_docx_over_the_uncompressed_total_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "ZIP_MAX_UNCOMPRESSED", MB)
    data = make_docx(**{"word/media/noise.bin": os.urandom(2 * MB)})

    assert rejected("a.docx", data).code == "archive_bomb"


def test_docx_whose_entry_understates_its_size_is_corrupt() -> None:
    # 10 MB of zeros declared as 100 bytes in both headers: reading stops at 100 bytes and the CRC fails.
    data = bytearray(make_docx(**{"word/zeros.bin": b"\x00" * (10 * MB)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo("word/zeros.bin").header_offset
    data[local + 22 : local + 26] = struct.pack("<I", 100)
    central = data.rfind(b"word/zeros.bin") - 46  # the name's last copy is in the central directory
    assert data[central : central + 4] == b"PK\x01\x02"
    data[central + 24 : central + 28] = struct.pack("<I", 100)

    assert rejected("a.docx", bytes(data)).code == "file_corrupt"


def test_docx_with_too_many_entries_is_rejected() -> None:
    extra = {f"word/media/{i}.xml": b"<a/>" for i in range(1001)}

    assert rejected("a.docx", make_docx(**extra)).code == "archive_bomb"


def test_zip_whose_end_record_declares_a_huge_directory_is_rejected() -> None:
    data = bytearray(make_docx())
    end = data.rfind(b"PK\x05\x06")
    data[end + 12 : end + 16] = struct.pack("<I", 50 * MB)  # zipfile would read (and parse) that much

    assert rejected("a.docx", bytes(data)).code == "archive_bomb"


@pytest.mark.parametrize("entry", ["../evil", "word/../../evil", "/etc/evil", "C:/evil", "word\\..\\..\\evil"])
def test_docx_with_path_traversal_entry_is_rejected(entry: str) -> None:
    assert rejected("a.docx", make_docx(**{entry: b"x"})).code == "file_corrupt"


# Names --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\申报表.pdf", "申报表.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("\x00推荐\x1f表\x7f.pdf", "推荐表.pdf"),
        ("照片\u202egpj.exe", "照片gpj.exe"),
        ("...htaccess.pdf", "htaccess.pdf"),
        ("  先进 \t 个人\n事迹.docx  ", "先进 个人 事迹.docx"),
        ('a<b>:"c|?*.pdf', "a_b___c___.pdf"),
        ("２０２５年度表彰名单（第一批）.xlsx", "２０２５年度表彰名单（第一批）.xlsx"),
    ],
)
def test_display_name_is_cleaned(raw: str, clean: str) -> None:
    assert clean_display_name(raw) == clean


def test_long_display_name_is_cut_keeping_the_extension() -> None:
    name = clean_display_name("优秀社会组织" * 50 + ".docx")

    assert len(name) == 120
    assert name.endswith("优.docx")
    assert name.startswith("优秀社会组织")


@pytest.mark.parametrize("raw", ["", "...", "../", "a/b/", "\x00\x01", "   "])
def test_name_empty_after_cleaning_is_rejected(raw: str) -> None:
    assert rejected(raw, make_pdf()).code == "file_name_invalid"


def test_traversal_name_is_shown_cleaned_and_never_stored() -> None:
    data = make_pdf()

    info = inspect("../../../var/www/推荐表\x00.pdf", data)

    assert info.display_name == "推荐表.pdf"
    path = storage_name(info.sha256, info.type)
    digest = hashlib.sha256(data).hexdigest()
    assert path == f"{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert "推荐表" not in path
    assert ".." not in path


@pytest.mark.parametrize(
    ("sha256", "kind"), [("ab" * 31, "pdf"), ("AB" * 32, "pdf"), ("../" + "a" * 61, "pdf"), ("ab" * 32, "../x")]
)
def test_storage_name_refuses_anything_but_a_hash_and_a_type(sha256: str, kind: str) -> None:
    with pytest.raises(ValueError, match="sha256|type"):
        storage_name(sha256, kind)


# Stream and error shape ---------------------------------------------------------------------------------------------


def test_stream_is_rewound_after_acceptance_and_after_rejection() -> None:
    data = make_image("JPEG")
    stream = io.BytesIO(data)
    stream.seek(10)

    inspect_upload("a.jpg", stream, allowed_types=["jpg"], max_size=MB)
    assert stream.tell() == 0
    assert stream.read() == data

    stream.seek(0, io.SEEK_END)
    with pytest.raises(UploadRejected):
        inspect_upload("a.pdf", stream, allowed_types=["pdf"], max_size=MB)
    assert stream.tell() == 0


def test_rejection_is_invalid_input_with_a_file_field_error() -> None:
    error = rejected("空.pdf", b"")

    assert isinstance(error, InvalidInput)
    assert error.status == 400
    assert error.detail == "文件“空.pdf”是空文件"
    assert error.errors == {"file": [error.detail]}
    assert error.code in uploads.REJECTION_CODES


def test_form_file_types_are_exactly_the_types_uploads_can_verify() -> None:
    from workflows import forms

    assert set(forms.FILE_TYPES) == set(uploads.SUPPORTED_TYPES)
