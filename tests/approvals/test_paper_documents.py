"""Documents fit for paper (issue 18): the 申报表 (PDF and Word) and the 公示 notice PDF as officials
print them: opinions said once, signers by name and post, seals clear of the signer's line, Word rows
that never split and file properties of the campaign and the product, fonts embedded in every PDF,
and a 公示 notice written as an official notice (how to object on paper, contact, address, 落款)."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from accounts.roles import Role
from approvals import documents, publicity_documents
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.actions import publicity as publicity_actions
from approvals.actions.publicity import PUBLIC_CACHE_KEY
from approvals.models import PublicityRound
from config import pdf_fonts
from tests.approvals import publicity_helpers
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.models import Campaign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]
people = publicity_helpers.people
calendar_seeded = publicity_helpers.calendar_seeded


# --- reading documents back ----------------------------------------------------------------------------


def pdf_fonts_of(pdf: bytes) -> list[Any]:
    """Every font a page of ``pdf`` uses (descendant fonts of Type0 fonts included), resolved."""
    fonts: list[Any] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for ref in (resources.get("/Font") or {}).values():
            font: Any = ref.get_object()
            fonts.append(font)
            fonts += [d.get_object() for d in font.get("/DescendantFonts", [])]
    return fonts


def assert_fonts_embedded(pdf: bytes) -> None:
    """Each font that draws text carries its glyphs (FontFile2/FontFile3): no CID or base-14 font left
    for the viewer to supply, so a machine without Chinese fonts shows text, not boxes."""
    fonts = pdf_fonts_of(pdf)
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            continue  # its glyphs are in its descendant font, checked on its own
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, font["/BaseFont"]
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
    assert b"STSong-Light" not in pdf
    assert b"/Helvetica" not in pdf


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_all_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


# --- the 申报表 -----------------------------------------------------------------------------------------


@pytest.fixture
def signed(tree, submitter):
    """A nomination through the whole chain; the city reviewer's account name is ``city_reviewer`` and
    the opinions are typed as officials do ("同意。")."""
    campaign = make_campaign(tree.committee, title="2024年上海市“一网通办”业务技能竞赛")
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    nomination = submit_nomination(nomination.pk, actor=submitter)
    signers = [
        (user_with_role(Role.UNIT_LEADER, tree.unit, username="unit_leader", display_name="李明"), "同意。"),
        (user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="city_reviewer", display_name="王芳"),
         "同意推荐"),
        (user_with_role(Role.COMMITTEE, tree.committee, username="committee_one", display_name=""), "同意"),
    ]  # fmt: skip
    for user, opinion in signers:
        nomination.refresh_from_db()
        assert nomination.task_id is not None
        sign_off(nomination.task_id, actor=user, decision="approve", opinion=opinion)
    nomination.refresh_from_db()
    return nomination


def test_an_opinion_is_printed_once():
    def said(decision: str, opinion: str) -> str:
        return documents._opinion_text(documents.Opinion("单位意见", decision, opinion, "", "", "", False))

    assert said("同意", "同意。") == "同意。"
    assert said("同意", "同意") == "同意。"
    assert said("同意", "") == "同意。"
    assert said("同意", "同意推荐") == "同意推荐。"
    assert said("同意", "材料属实，推荐参评。") == "同意。材料属实，推荐参评。"
    assert said("不同意", "不同意，材料不全。") == "不同意，材料不全。"
    assert said("退回修改", "请补充照片") == "退回修改。请补充照片。"
    assert said("", "") == ""


def test_the_form_names_signers_by_name_and_post_never_by_account(signed):
    document = documents.build(signed, reveal=False, verify_url="http://testserver/verify/X")
    signers = [(o.signer, o.post) for o in document.opinions]
    assert signers == [("李明", "单位负责人"), ("王芳", "区（县）民政局审核人"), ("", "组委会成员")]
    for content in (pdf_text(documents.render_pdf(document)), docx_all_text(documents.render_docx(document))):
        squeezed = squeeze(content)
        assert "同意。同意" not in squeezed
        assert "签署人：李明（单位负责人，" in squeezed
        assert "签署人：王芳（区（县）民政局审核人，浦东新区民政局）" in squeezed
        assert "签署人：组委会成员（" in squeezed  # an account without a name: its post, not "committee_one"
        for account in ("city_reviewer", "unit_leader", "committee_one"):
            assert account not in content


def test_the_seal_has_a_space_of_its_own_below_the_signer_line():
    """The seal's circle lies under the opinion's last line (whatever its length), over the date."""
    from reportlab.lib.units import mm

    for opinion in ("同意。", "经审核，材料属实，同意推荐。" * 30):
        cell = documents.opinion_cell_layout(
            documents.Opinion("区民政局意见", "同意", opinion, "王芳", "浦东新区民政局", "2026年12月2日", True,
                              post="区（县）民政局审核人"),
            width=140 * mm, font=pdf_fonts.FALLBACK_CID_FONT,
        )  # fmt: skip
        assert cell.seal_top < cell.text_bottom - 1 * mm
        assert cell.seal_bottom > 0
        assert cell.date_baseline < cell.seal_top


def test_word_rows_never_split_and_long_text_is_cut_into_rows(signed):
    long_text = ("社区服务案例正文，内容很长。" * 20 + "\n") * 10
    document = documents.build(signed, reveal=False, verify_url="http://testserver/verify/X")
    document.rows.append(documents.Row("正文", long_text))
    content = documents.render_docx(document)
    body = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", body, re.S)
    assert len(rows) > 10
    assert all("<w:cantSplit/>" in row for row in rows)
    doc = Document(io.BytesIO(content))
    text_rows = [r for r in doc.tables[0].rows if r.cells[1].text and "社区服务案例正文" in r.cells[1].text]
    assert len(text_rows) == len(documents.split_text(long_text)) > 1
    assert {r.cells[0].text for r in text_rows} == {"正文"}  # one merged label cell


def test_word_file_properties_name_the_nomination_the_campaign_and_the_product(signed):
    document = documents.build(signed, reveal=True, verify_url="http://testserver/verify/X")
    before = timezone.now().replace(microsecond=0) - timedelta(seconds=1)
    properties = Document(io.BytesIO(documents.render_docx(document))).core_properties
    assert properties.title == "助老服务案例（2024年上海市“一网通办”业务技能竞赛 案例申报表）"
    assert properties.author == "sealflow"
    assert properties.last_modified_by == "sealflow"
    assert "python-docx" not in (properties.comments + properties.author + properties.last_modified_by)
    for moment in (properties.created, properties.modified):
        assert moment is not None
        assert moment >= before


def test_the_form_pdf_embeds_its_font_and_its_text_extracts(signed):
    client = Client()
    client.force_login(signed.created_by)
    pdf = client.get(f"/nominations/{signed.pk}/form.pdf").content
    if os.environ.get("SEALFLOW_DOC_OUT"):
        with open(os.environ["SEALFLOW_DOC_OUT"] + "-form.pdf", "wb") as out:
            out.write(pdf)
            out.close()
            with open(os.environ["SEALFLOW_DOC_OUT"] + "-form.docx", "wb") as docx:
                docx.write(client.get(f"/nominations/{signed.pk}/form.docx").content)
    assert_fonts_embedded(pdf)
    text = squeeze(pdf_text(pdf))
    for piece in ("2024年上海市“一网通办”业务技能竞赛", "案例申报表", "助老服务案例", "同意推荐。", "王芳",
                  signed.verification_code, f"/verify/{signed.verification_code}"):  # fmt: skip
        assert piece in text
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info.author == "sealflow"
    assert "助老服务案例" in (info.title or "")


def test_every_character_printed_is_in_the_embedded_font(signed):
    """The font holds the glyphs of ``pdf_strings``: everything the PDF prints must be among them."""
    document = documents.build(signed, reveal=True, verify_url="http://testserver/verify/X")
    document.history.append(documents.Opinion("区民政局意见", "退回修改", "请补充照片", "王芳", "浦东新区民政局",
                                              "2026年12月1日", False, post="区（县）民政局审核人"))  # fmt: skip
    pdf = documents.render_pdf(document)
    printed = set(squeeze(pdf_text(pdf)))
    covered = set("".join(documents.pdf_strings(document)) + pdf_fonts.ALWAYS)
    assert printed - covered == set()


def test_a_revoked_form_still_carries_its_mark_in_the_embedded_font():
    form = documents.FormDocument(
        title="测试评选活动", subtitle="案例申报表", unit="浦东新区某单位", rows=[documents.Row("申报名称", "助老")],
        opinions=[], history=[], code="ABC", verify_url="http://testserver/verify/ABC",
        printed_at="2026-12-03 09:00", revoked_on="2026年12月3日", revoked_reason="材料弄虚作假",
    )  # fmt: skip
    pdf = documents.render_pdf(form)
    assert_fonts_embedded(pdf)
    text = squeeze(pdf_text(pdf))
    assert "已撤销" in text
    assert "2026年12月3日" in text


# --- the 公示 notice --------------------------------------------------------------------------------------


def _forget_public_list(campaign: Campaign) -> None:
    key = PUBLIC_CACHE_KEY.format(campaign_id=campaign.pk)
    cache.delete_many([f"{key}:{v}" for v in ("stamp", "json", "html", "json.gz", "html.gz")])


def _notice(tree, people, *, bodies: dict, how_to_object: str = "") -> tuple[Campaign, bytes]:
    campaign = make_campaign(
        tree.committee, title="2024年上海市“一网通办”业务技能竞赛", status=Campaign.Status.REVIEWING,
        publicity_days=5, publicity_working_days=True, bodies=bodies,
    )  # fmt: skip
    publicity_helpers.approved(campaign, tree.unit, tree.district, people.submitter, "助老服务案例")
    _forget_public_list(campaign)
    now = timezone.now()
    publicity_round = publicity_actions.start_publicity(
        campaign.pk, actor=people.committee, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=3),
        short_reason="测试",
    )  # fmt: skip
    PublicityRound.objects.filter(pk=publicity_round.pk).update(how_to_object=how_to_object)
    _forget_public_list(campaign)
    client = Client()
    client.force_login(people.committee)
    response = client.get(f"/campaigns/{campaign.pk}/publicity-notice.pdf")
    assert response.status_code == 200
    return campaign, response.content


def test_the_notice_is_an_official_notice_for_paper(tree, people, calendar_seeded, settings):
    settings.SEALFLOW_PUBLIC_BASE_URL = "https://pingjia.example.gov.cn/"
    campaign, pdf = _notice(
        tree, people,
        bodies={"host": ["上海市“一网通办”业务技能竞赛组委会", "上海市民政局"],
                "contact": "联系人：张老师，电话：021-12345678，地址：上海市某路100号"},
        how_to_object="书面异议请寄送上海市某路100号组委会办公室，或于工作日到该处当面提交；电话021-12345678。",
    )  # fmt: skip
    if os.environ.get("SEALFLOW_DOC_OUT"):  # to look at it: SEALFLOW_DOC_OUT=/tmp/doc pytest ...
        with open(os.environ["SEALFLOW_DOC_OUT"] + "-notice.pdf", "wb") as out:
            out.write(pdf)
    assert_fonts_embedded(pdf)
    text = squeeze(pdf_text(pdf))
    assert "点击" not in text
    assert "助老服务案例" in text
    assert f"https://pingjia.example.gov.cn/publicity/{campaign.pk}" in text  # the 公示 page's address
    assert "书面异议请寄送上海市某路100号组委会办公室" in text  # by post, in person, as the committee says
    assert "联系方式：联系人：张老师，电话：021-12345678" in text
    assert "匿名异议不予受理" in text
    start = timezone.localtime(PublicityRound.objects.get(campaign=campaign).starts_at)
    date = f"{start.year}年{start.month}月{start.day}日"
    # The 落款 closes the notice: the issuing bodies, then the date as officials write it.
    assert text.endswith(f"上海市“一网通办”业务技能竞赛组委会上海市民政局{date}")


def test_without_bodies_the_host_signs_and_the_notice_says_where_to_write(tree, people, calendar_seeded):
    _campaign, pdf = _notice(tree, people, bodies={})
    text = squeeze(pdf_text(pdf))
    assert "点击" not in text
    assert f"向{tree.committee.name}提出" in text
    date = re.search(r"\d{4}年\d{1,2}月\d{1,2}日$", text)
    assert date is not None
    assert text.endswith(tree.committee.name + date.group())
    assert "公示网址：" in text


def test_notice_paragraphs_of_a_revocation_round_ask_for_no_objection():
    data = {"campaign": {"id": 1, "title": "测试"}, "rounds": [
        {"number": 2, "kind": "revocation", "title": "撤销公示", "starts_at": "2026-12-02T08:35:00+08:00",
         "ends_at": "2026-12-05T00:00:00+08:00", "entries": []}]}  # fmt: skip
    facts = publicity_documents.NoticeFacts(issuer=["组委会"], page_url="https://x.example/publicity/1")
    (title, paragraphs), (_empty, closing) = publicity_documents.notice_paragraphs(data, facts)
    assert title == "撤销公示"
    assert paragraphs == ["现将以下撤销决定予以公示。公示期：2026年12月2日8时35分至2026年12月4日24时（北京时间）。"]
    assert closing == ["公示网址：https://x.example/publicity/1"]


def test_without_the_font_file_the_pdf_falls_back_to_the_cid_font(monkeypatch):
    """A broken install (no noto-cjk-sans-otc) still prints: with the CID font a viewer supplies."""
    monkeypatch.setattr(pdf_fonts, "_load_source", lambda: None)
    opinion = documents.Opinion("区民政局意见", "同意", "同意。", "王芳", "浦东新区民政局", "2026年12月2日", True)
    form = documents.FormDocument(
        title="测试评选活动", subtitle="案例申报表", unit="浦东新区某单位", rows=[documents.Row("申报名称", "助老")],
        opinions=[opinion],
        history=[], code="ABC", verify_url="http://testserver/verify/ABC", printed_at="2026-12-03 09:00",
    )  # fmt: skip
    pdf = documents.render_pdf(form)
    assert b"STSong-Light" in pdf
    assert "签署人：王芳" in squeeze(pdf_text(pdf))
