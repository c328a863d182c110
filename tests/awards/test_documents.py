"""Certificates, the result notice and the prize ledger: the PDFs print the right names, number the
certificates per campaign in rank order and verify through the public page; a revoked award gets no
certificate and its page says 已撤销; hostile titles stay data; only the committee and the nominee's
own unit get a certificate; a payment is recorded once and shows in the ledger."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from accounts.roles import Role
from audit.models import AuditEvent
from awards import casebook, documents
from awards.actions import revoke_award_of
from awards.models import Award, Certificate
from config import pdf_fonts
from tests.approvals.test_hostile_documents import assert_cell_is_data, assert_pdf_prints_literally, pdf_text
from tests.approvals.test_paper_documents import assert_fonts_embedded
from tests.awards.conftest import Ranked
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HOSTILE_LINK = '<a href="http://evil.example/">x</a>'
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example/","x")'
NOTICE = {
    "doc_number": "沪民〔2026〕12号",
    "issuer": "上海市民政局",
    "issued_on": "2026-12-02",
    "contact": "张老师 021-1234",
}


def _confirmed(ranked: Ranked, client_for) -> list[Award]:
    committee = client_for(ranked.committee)
    assert (
        committee.post(f"/api/v1/campaigns/{ranked.campaign.pk}/awards/allocate", {}, format="json").status_code == 200
    )
    assert committee.post(f"/api/v1/campaigns/{ranked.campaign.pk}/awards/confirm").status_code == 200
    return list(Award.objects.filter(campaign=ranked.campaign).order_by("rank"))


def _verify_path(pdf: bytes, kind: str) -> str:
    match = re.search(rf"/verify/{kind}/([0-9A-F]+)", pdf_text(pdf))
    assert match, "no verify address printed"
    return match.group(0)


def test_certificate_prints_names_number_and_verifies(ranked, client_for):
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    # the certificate carries the result notice's date once one is set
    committee.put(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice", NOTICE, format="json")

    response = committee.get(f"/api/v1/awards/{awards[1].pk}/certificate")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    year, cid = ranked.campaign.year, ranked.campaign.pk
    assert_pdf_prints_literally(
        pdf, "荣誉证书", ranked.entries[1].title, ranked.entries[1].unit.name, ranked.campaign.title, "二等奖",
        "2026年12月2日", f"{year}-{cid}-002", ranked.campaign.host_org.name,
    )  # fmt: skip
    # numbered in rank order at the first issue, for every confirmed award, and stable afterwards
    assert dict(Certificate.objects.values_list("award__rank", "number")) == {
        1: f"{year}-{cid}-001", 2: f"{year}-{cid}-002", 3: f"{year}-{cid}-003",
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="awards.certificates_issued").count() == 1
    assert committee.get(f"/api/v1/awards/{awards[1].pk}/certificate").status_code == 200
    assert AuditEvent.objects.filter(action="awards.certificates_issued").count() == 1

    page = Client().get(_verify_path(pdf, "certificate"))
    assert page.status_code == 200
    text = page.content.decode()
    assert ranked.entries[1].title in text
    assert "二等奖" in text
    assert f"{year}-{cid}-002" in text
    assert "证书有效" in text
    assert "已撤销" not in text
    assert Client().get("/verify/certificate/NOSUCHCODE").status_code == 404


def test_batch_certificates_one_page_per_valid_award(ranked, client_for):
    _confirmed(ranked, client_for)

    response = client_for(ranked.committee).get(f"/api/v1/campaigns/{ranked.campaign.pk}/certificates")

    assert response.status_code == 200
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page ") >= 3
    printed = pdf_text(response.content)
    for e in ranked.entries[:3]:
        assert e.title in printed
    assert ranked.entries[3].title not in printed


def test_revoked_award_has_no_certificate_and_its_page_says_revoked(ranked, client_for):
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    pdf = committee.get(f"/api/v1/awards/{awards[0].pk}/certificate").content
    path = _verify_path(pdf, "certificate")

    with transaction.atomic():
        revoke_award_of(awards[0].nomination, actor=ranked.committee)

    refused = committee.get(f"/api/v1/awards/{awards[0].pk}/certificate")
    assert (refused.status_code, refused.json()["code"]) == (409, "award_not_valid")
    page = Client().get(path).content.decode()
    assert "已撤销" in page
    assert "证书有效" not in page
    batch = pdf_text(committee.get(f"/api/v1/campaigns/{ranked.campaign.pk}/certificates").content)
    assert ranked.entries[0].title not in batch
    assert ranked.entries[1].title in batch


def test_unit_gets_only_its_own_certificate(ranked, client_for, tree):
    awards = _confirmed(ranked, client_for)  # awards[0], [2] at tree.unit, awards[1] at tree.other_unit
    own = client_for(user_with_role(Role.SUBMITTER, tree.unit))
    other = client_for(user_with_role(Role.SUBMITTER, tree.other_unit))
    reviewer = client_for(user_with_role(Role.DISTRICT_REVIEWER, tree.district))

    assert own.get(f"/api/v1/awards/{awards[0].pk}/certificate").status_code == 200
    assert own.get(f"/api/v1/awards/{awards[1].pk}/certificate").status_code == 404
    assert other.get(f"/api/v1/awards/{awards[0].pk}/certificate").status_code == 404
    assert other.get(f"/api/v1/awards/{awards[1].pk}/certificate").status_code == 200
    assert reviewer.get(f"/api/v1/awards/{awards[0].pk}/certificate").status_code == 404
    assert own.get(f"/api/v1/campaigns/{ranked.campaign.pk}/certificates").status_code in (403, 404)
    assert own.get(f"/api/v1/campaigns/{ranked.campaign.pk}/prize-ledger.xlsx").status_code in (403, 404)
    assert own.put(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice", NOTICE, format="json").status_code in (
        403, 404,
    )  # fmt: skip


def test_result_notice_is_set_audited_printed_by_tier_and_verifies(ranked, client_for):
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    base = f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice"
    assert committee.get(f"{base}.pdf").json()["code"] == "no_result_notice"
    assert committee.put(base, {**NOTICE, "issued_on": "not a date"}, format="json").status_code == 400

    saved = committee.put(base, NOTICE, format="json")

    assert saved.status_code == 200, saved.content
    assert saved.json()["doc_number"] == NOTICE["doc_number"]
    assert AuditEvent.objects.filter(action="awards.result_notice_set").count() == 1
    with transaction.atomic():
        revoke_award_of(awards[2].nomination, actor=ranked.committee)
    pdf = committee.get(f"{base}.pdf").content
    assert_pdf_prints_literally(
        pdf, NOTICE["doc_number"], NOTICE["issuer"], "一等奖", "二等奖", ranked.entries[0].title,
        ranked.entries[1].title, ranked.entries[0].unit.name, "2026年12月2日", NOTICE["contact"],
    )  # fmt: skip
    printed = pdf_text(pdf)
    assert ranked.entries[2].title not in printed  # revoked: off the list
    assert printed.index("一等奖") < printed.index(ranked.entries[0].title) < printed.index("二等奖")
    page = Client().get(_verify_path(pdf, "notice")).content.decode()
    assert NOTICE["doc_number"] in page
    assert ranked.entries[0].title in page


def test_hostile_titles_print_literally_and_stay_data_in_the_ledger(ranked, client_for):
    for n, title in zip(ranked.entries[:2], (HOSTILE_LINK, HOSTILE_FORMULA), strict=True):
        n.title = title
        n.save(update_fields=["title"])
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    committee.put(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice", NOTICE, format="json")

    for award, title in zip(awards[:2], (HOSTILE_LINK, HOSTILE_FORMULA), strict=True):
        assert_pdf_prints_literally(committee.get(f"/api/v1/awards/{award.pk}/certificate").content, title)
    notice = committee.get(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice.pdf").content
    assert_pdf_prints_literally(notice, HOSTILE_LINK, HOSTILE_FORMULA)

    workbook = load_workbook(
        io.BytesIO(committee.get(f"/api/v1/campaigns/{ranked.campaign.pk}/prize-ledger.xlsx").content)
    )
    sheet = workbook.worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert_cell_is_data(cells[HOSTILE_FORMULA], HOSTILE_FORMULA)
    assert_cell_is_data(cells[HOSTILE_LINK], HOSTILE_LINK)


def test_prize_paid_once_audited_and_in_the_ledger(ranked, client_for):
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    path = f"/api/v1/awards/{awards[0].pk}/paid"

    paid = committee.post(path, {"paid_at": "2026-12-01T10:00:00+08:00"}, format="json")

    assert paid.status_code == 200, paid.content
    assert paid.json()["paid_by"] == ranked.committee.pk
    again = committee.post(path, {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_paid")
    assert AuditEvent.objects.filter(action="awards.prize_paid").count() == 1
    with transaction.atomic():
        revoke_award_of(awards[1].nomination, actor=ranked.committee)
    refused = committee.post(f"/api/v1/awards/{awards[1].pk}/paid", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "award_not_valid")

    response = committee.get(f"/api/v1/campaigns/{ranked.campaign.pk}/prize-ledger.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=3, values_only=True))
    by_title = {r[4]: r for r in rows}
    first, revoked = by_title[ranked.entries[0].title], by_title[ranked.entries[1].title]
    assert (first[3], first[6], first[8], first[9]) == ("一等奖", 2000, "2026-12-01 10:00", str(ranked.committee))
    assert (revoked[7], revoked[8], revoked[10]) == ("已撤销", None, "是")  # an empty cell reads as None


def test_certificates_zip_has_one_pdf_per_award_named_by_number_and_title(ranked, client_for):
    ranked.entries[1].title = '社区/助老:"暖心"*服务?'  # characters no file name may hold
    ranked.entries[1].save(update_fields=["title"])
    awards = _confirmed(ranked, client_for)
    with transaction.atomic():
        revoke_award_of(awards[2].nomination, actor=ranked.committee)  # a revoked award has no certificate

    response = client_for(ranked.committee).get(f"/api/v1/campaigns/{ranked.campaign.pk}/certificates.zip")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert ".zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    numbers = dict(Certificate.objects.values_list("award__nomination__title", "number"))
    year, cid = ranked.campaign.year, ranked.campaign.pk
    assert sorted(archive.namelist()) == [
        f"{year}-{cid}-001-{ranked.entries[0].title}.pdf", f"{year}-{cid}-002-社区_助老_暖心_服务.pdf",
    ]  # fmt: skip
    for name, entry in zip(sorted(archive.namelist()), ranked.entries[:2], strict=True):
        pdf = archive.read(name)
        assert pdf.startswith(b"%PDF")
        assert_pdf_prints_literally(pdf, entry.title, entry.unit.name, numbers[entry.title])
        assert ranked.entries[2].title not in pdf_text(pdf)
        page = Client().get(_verify_path(pdf, "certificate"))
        assert page.status_code == 200
        text = page.content.decode()
        assert numbers[entry.title] in text
        assert "证书有效" in text
    assert "校验码" in pdf_text(archive.read(sorted(archive.namelist())[0]))


def test_certificates_zip_is_the_committees_only(ranked, client_for, tree):
    _confirmed(ranked, client_for)
    path = f"/api/v1/campaigns/{ranked.campaign.pk}/certificates.zip"

    assert client_for(user_with_role(Role.SUBMITTER, tree.unit)).get(path).status_code in (403, 404)
    refused = client_for(user_with_role(Role.CAMPAIGN_ADMIN, tree.committee)).get(path)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


# --- fonts embedded (issue 18: a viewer without Chinese fonts shows text, not boxes) ---------------------


def test_certificates_and_the_result_notice_embed_the_glyphs_they_print(ranked, client_for):
    awards = _confirmed(ranked, client_for)
    committee = client_for(ranked.committee)
    committee.put(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice", NOTICE, format="json")

    certificate = committee.get(f"/api/v1/awards/{awards[0].pk}/certificate").content
    notice = committee.get(f"/api/v1/campaigns/{ranked.campaign.pk}/result-notice.pdf").content

    for pdf in (certificate, notice):
        assert_fonts_embedded(pdf)
    assert_pdf_prints_literally(certificate, "荣誉证书", ranked.entries[0].title, ranked.campaign.host_org.name)
    assert_pdf_prints_literally(notice, NOTICE["issuer"], "一等奖", ranked.entries[0].title, NOTICE["contact"])
    face = documents.certificate_face(Certificate.objects.get(award=awards[0]), lambda code: f"http://x/{code}")
    printed = set(re.sub(r"\s+", "", pdf_text(certificate)))
    assert printed - set("".join(face.strings()) + "获奖证书荣誉证书" + pdf_fonts.ALWAYS) == set()


def test_the_case_book_embeds_the_glyphs_it_prints(tmp_path):
    case = casebook.Case(
        title="鳏寡孤独帮扶案例", unit="浦东新区某服务中心", tier="一等奖",
        sections=[("做法与成效", "耄耋老人得到照料，‹饕餮›也印得出。")], notes=["图片“x.jpg”未收入"],
    )  # fmt: skip
    book = casebook.Book(campaign="测试评选", host="测试组委会", date="2026年12月3日", groups=[("一等奖", [case])])

    casebook.render_pdf(book, tmp_path / "book.pdf")

    pdf = (tmp_path / "book.pdf").read_bytes()
    assert_fonts_embedded(pdf)
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert "耄耋老人得到照料，‹饕餮›也印得出。" in text
    assert "鳏寡孤独帮扶案例" in text
