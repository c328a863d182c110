"""The printed 申报表: PDF and Word with every opinion, a seal per sealing organisation, the QR code."""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest
from django.test import Client
from docx import Document

from accounts.roles import Role
from approvals import documents
from approvals.actions import create_nomination, sign_off, submit_nomination
from audit import audit_events
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def approved(tree, submitter):
    campaign = make_campaign(tree.committee, title="2024年上海市“一网通办”业务技能竞赛")
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    nomination = submit_nomination(nomination.pk, actor=submitter)
    signers = [
        (user_with_role(Role.UNIT_LEADER, tree.unit, username="leader"), "同意推荐"),
        (user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district"), "经审核，材料属实，同意推荐"),
        (user_with_role(Role.COMMITTEE, tree.committee, username="committee"), "同意"),
    ]
    for user, opinion in signers:
        nomination.refresh_from_db()
        assert nomination.task_id is not None
        sign_off(nomination.task_id, actor=user, decision="approve", opinion=opinion)
    nomination.refresh_from_db()
    return nomination


def test_pdf_has_the_chinese_font_every_stage_and_two_seals(approved, submitter):
    client = Client()
    client.force_login(submitter)
    response = client.get(f"/nominations/{approved.pk}/form.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" not in pdf  # the font is embedded (tests/approvals/test_paper_documents.py)
    assert b"/FontFile2" in pdf
    if os.environ.get("SEALFLOW_DOC_OUT"):  # to look at it: SEALFLOW_DOC_OUT=/tmp/form pytest ...
        with open(os.environ["SEALFLOW_DOC_OUT"] + ".pdf", "wb") as out:
            out.write(pdf)
    document = documents.build(
        approved, reveal=False, verify_url=f"http://testserver/verify/{approved.verification_code}"
    )
    printed = list(documents.texts(document))
    for text in (
        "区民政局意见",
        "经审核，材料属实，同意推荐",
        "浦东新区民政局",
        "组委会意见",
        approved.verification_code,
    ):
        assert text in printed
    assert [o.sealed for o in document.opinions] == [False, True, True]
    # Personal data printed masked for who may not reveal it; in full (and audited) for the submitter.
    assert "138****5678" in printed
    assert AuditEvent.objects.filter(action=audit_events.PERSONAL_DATA_READ, actor_id=submitter.pk).exists()


def test_word_document_holds_every_opinion_the_seals_and_the_qr_code(approved, submitter):
    client = Client()
    client.force_login(submitter)
    response = client.get(f"/nominations/{approved.pk}/form.docx")
    assert response.status_code == 200
    content = response.content
    if os.environ.get("SEALFLOW_DOC_OUT"):
        with open(os.environ["SEALFLOW_DOC_OUT"] + ".docx", "wb") as out:
            out.write(content)
    doc = Document(io.BytesIO(content))
    text = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells) + "\n".join(
        p.text for p in doc.paragraphs
    )
    code = approved.verification_code
    expected = ("单位意见", "区民政局意见", "组委会意见", "经审核，材料属实，同意推荐", code, f"/verify/{code}")
    assert "13812345678" in text  # the submitter may see it in full
    for piece in expected:
        assert piece in text
    images = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("word/media/")]
    assert len(images) == 3  # two seals and the QR code


def test_seal_picture_is_a_red_ring(tmp_path):
    from PIL import Image

    png, _with_name = documents.seal_png("浦东新区民政局", size=200)
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    pixel = image.getpixel((100, 100 - int(200 * 0.46)))  # top of the ring
    assert isinstance(pixel, tuple)
    r, g, b, a = pixel
    assert a > 0
    assert r > 150
    assert g < 80
    assert b < 80
    corner = image.getpixel((2, 2))
    assert isinstance(corner, tuple)
    assert corner[3] == 0  # transparent outside


def test_no_one_outside_the_scope_may_print_it(approved, tree):
    stranger = user_with_role(Role.SUBMITTER, tree.other_unit, username="stranger")
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/nominations/{approved.pk}/form.docx").status_code == 404


def test_a_field_longer_than_a_page_flows_onto_the_next_pages():
    """[001] allows 5000 characters of text: a table cell cannot break, so the text is cut into rows."""
    long_text = ("社区服务案例正文，内容很长。" * 20 + "\n") * 20
    document = documents.FormDocument(
        title="2023年坪山区社会组织参与基层社会治理案例征集", subtitle="案例申报表", unit="坪山区和谐社区发展中心",
        rows=[documents.Row("正文", long_text)], opinions=[], history=[], code="ABC",
        verify_url="http://testserver/verify/ABC", printed_at="2026-11-23 14:00",
    )  # fmt: skip
    pdf = documents.render_pdf(document)
    assert len(re.findall(rb"/Type /Page[^s]", pdf)) >= 3
    assert "".join(documents.split_text(long_text)).replace("\n", "") == long_text.replace("\n", "")


def test_a_fresh_install_draws_the_seal_with_its_name_from_the_bundled_font(settings):
    """Command 1 installs Noto Sans CJK (noto-cjk-sans-otc): no system font is needed for the seal's name."""
    settings.SEALFLOW_SEAL_FONT = ""
    assert documents.SEAL_FONT_CANDIDATES[0].endswith("NotoSansCJK-Regular.ttc")
    _png, with_name = documents.seal_png("浦东新区民政局")
    assert with_name is True
    # The collection's Simplified Chinese face (its first face is Japanese).
    font = documents._seal_font(40)
    assert font is not None
    assert font.getname()[0] == "Noto Sans CJK SC"


def test_without_a_cjk_font_the_word_seal_names_its_organisation_beside_it(approved, monkeypatch, settings):
    """A fresh machine has no CJK font: the seal picture has no name, so the name is printed in red."""
    monkeypatch.setattr(documents, "SEAL_FONT_CANDIDATES", ())
    settings.SEALFLOW_SEAL_FONT = ""
    _png, with_name = documents.seal_png("浦东新区民政局")
    assert with_name is False
    document = documents.build(approved, reveal=False, verify_url="http://testserver/verify/X")
    doc = Document(io.BytesIO(documents.render_docx(document)))
    red_runs = [
        run.text.strip()
        for table in doc.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.font.color is not None and run.font.color.rgb is not None
    ]
    assert "浦东新区民政局" in red_runs


def test_pictures_of_the_form_are_printed_in_the_pdf_and_word(tree, submitter, settings, tmp_path):
    from PIL import Image

    from approvals.actions import add_attachment

    settings.MEDIA_ROOT = str(tmp_path / "media")
    campaign = make_campaign(tree.committee)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老", form=valid_case_form()
    )
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 60)).save(buffer, format="PNG")
    buffer.seek(0)
    add_attachment(nomination.pk, actor=submitter, field="photos", name="现场.png", stream=buffer)
    document = documents.build(nomination, reveal=False, verify_url="")
    row = next(r for r in document.rows if r.label == "照片")
    assert row.text == "现场.png"
    assert len(row.images) == 1
    assert b"/Subtype /Image" in documents.render_pdf(document)
    media = [n for n in zipfile.ZipFile(io.BytesIO(documents.render_docx(document))).namelist() if "media/" in n]
    assert len(media) == 1  # the picture (no seal yet, no QR code without a verification URL)
    # A personal picture (the 2-inch photo of [002]) is printed only for those who may reveal it.
    campaign.refresh_from_db()  # a copy from the database: the shared CASE_FORM stays as it is
    photos = next(f for f in campaign.forms["case"]["fields"] if f["key"] == "photos")
    photos["personal"] = True
    campaign.save(update_fields=["forms"])
    nomination.refresh_from_db()
    hidden = next(r for r in documents.build(nomination, reveal=False, verify_url="").rows if r.label == "照片")
    assert hidden.images == []
    assert hidden.text == "（个人信息，已隐去）"
    shown = next(r for r in documents.build(nomination, reveal=True, verify_url="").rows if r.label == "照片")
    assert len(shown.images) == 1


def test_the_timeline_names_people_and_posts_never_accounts(approved, submitter):
    client = Client()
    client.force_login(submitter)
    page = client.get(f"/nominations/{approved.pk}/").content.decode()
    timeline = page[page.index('class="timeline"') :]
    district = approved.signoffs.get(role=Role.DISTRICT_REVIEWER).signer
    assert f"{district.display_name}，区（县）民政局审核人" in timeline
    for account in ("(leader)", "(district)", "(committee)", f"({submitter.username})"):
        assert account not in timeline
