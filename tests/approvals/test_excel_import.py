"""Excel import and export: the template, all-or-nothing imports with a row report, masked exports."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from io import StringIO
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.roles import Role
from approvals import actions, excel
from approvals.actions.imports import ImportRejected
from approvals.api import imports as imports_api
from approvals.models import Nomination, NominationAuthor
from audit.models import AuditEvent
from config.errors import InvalidInput
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows import forms
from workflows.models import Campaign
from workflows.seed_forms import SEED_CAMPAIGNS, SEED_SAMPLES

pytestmark = pytest.mark.django_db

HEADERS = ["申报单位编码", "申报名称", "案例简介", "实施日期", "联系电话", "负责人身份证号", "团队成员"]
SUMMARY = "社区助老服务案例，覆盖三个小区。"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


def filled(campaign: Campaign, rows: list[list[Any]]) -> bytes:
    """The campaign's own template with ``rows`` typed in below the header."""
    workbook = openpyxl.load_workbook(io.BytesIO(excel.template_workbook(campaign, "case")))
    sheet = workbook[excel.DATA_SHEET]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_bytes(rows: list[list[Any]]) -> bytes:
    """A workbook made from scratch (not from the template)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_row(unit_code: str, title: str = "助老服务案例", phone: Any = "13812345678") -> list[Any]:
    return [unit_code, title, SUMMARY, date(2024, 5, 3), phone, ID_NUMBER, "张三\n李四"]


def upload(client, campaign, content: bytes, name: str = "申报导入.xlsx", kind: str = "case", **headers: str):
    return client.post(
        f"/api/v1/campaigns/{campaign.pk}/import",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
        **headers,
    )


def read(content: bytes) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


# --- template --------------------------------------------------------------------------------


def test_template_has_the_form_labels_without_attachments_and_a_guide(tree, campaign, submitter, client_for):
    response = client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/import-template?kind=case")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["申报数据", "说明"]
    assert [cell.value for cell in workbook["申报数据"][1]] == HEADERS  # no column for 照片 (images)
    guide = "\n".join(str(row[0].value) for row in workbook["说明"].iter_rows() if row[0].value)
    assert "|" in guide
    assert "照片" in guide


def test_template_round_trips_cells_into_form_values(tree, campaign):
    content = filled(
        campaign,
        [
            good_row(tree.unit.code, phone=13812345678),  # a phone typed as a number
            [],  # empty rows are skipped
            [tree.unit.code, "第二个", None, "2024/6/1", None, None, " 王五 \n\n赵六"],
        ],
    )

    rows = excel.read_rows(campaign, "case", io.BytesIO(content))

    assert [(r.line, r.unit_code, r.title, r.errors) for r in rows] == [
        (2, tree.unit.code, "助老服务案例", {}),
        (4, tree.unit.code, "第二个", {}),
    ]
    assert rows[0].form == {
        "summary": SUMMARY,
        "carried_out_on": "2024-05-03",
        "contact_phone": "13812345678",
        "leader_id": ID_NUMBER,
        "members": [{"name": "张三"}, {"name": "李四"}],
    }
    assert rows[1].form == {"carried_out_on": "2024-06-01", "members": [{"name": "王五"}, {"name": "赵六"}]}


@pytest.mark.parametrize(
    ("seed", "kind"), [(seed, kind) for seed, spec in SEED_CAMPAIGNS.items() for kind in spec["forms"]]
)
def test_seed_samples_survive_the_cell_encoding(tree, seed, kind):
    definition = SEED_CAMPAIGNS[seed]["forms"][kind]
    campaign = make_campaign(tree.committee, kinds=[kind], forms={kind: definition})
    columns = excel.form_columns(definition)
    sample = SEED_SAMPLES[seed][kind]
    cells = [excel.to_cell_value(c.field, sample.get(c.key)) for c in columns]
    workbook = openpyxl.load_workbook(io.BytesIO(excel.template_workbook(campaign, kind)))
    workbook[excel.DATA_SHEET].append([tree.unit.code, "样例", *cells])
    buffer = io.BytesIO()
    workbook.save(buffer)

    (row,) = excel.read_rows(campaign, kind, io.BytesIO(buffer.getvalue()))

    assert row.errors == {}
    expected = forms.clean_form_data(definition, {c.key: sample[c.key] for c in columns if c.key in sample})
    assert forms.clean_form_data(definition, row.form) == expected


def test_cells_that_cannot_be_read_become_row_errors(tree, campaign):
    content = filled(campaign, [[tree.unit.code, "案例", None, "去年五月", None, 110105194912310020, "张三|男"]])

    (row,) = excel.read_rows(campaign, "case", io.BytesIO(content))

    assert set(row.errors) == {"实施日期", "负责人身份证号", "团队成员"}
    assert "YYYY-MM-DD" in row.errors["实施日期"][0]
    assert "文本格式" in row.errors["负责人身份证号"][0]
    assert "第 1 人" in row.errors["团队成员"][0]


# --- import ----------------------------------------------------------------------------------


def test_clean_file_creates_drafts_and_one_import_event(tree, campaign, submitter, client_for):
    content = filled(campaign, [good_row(tree.unit.code, title=f"案例{i}") for i in range(3)])

    response = upload(client_for(submitter), campaign, content)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] == 3
    nominations = list(Nomination.objects.order_by("id"))
    assert [n.pk for n in nominations] == data["ids"]
    assert [n.title for n in nominations] == ["案例0", "案例1", "案例2"]
    expected = valid_case_form() | {"carried_out_on": "2024-05-03", "members": [{"name": "张三"}, {"name": "李四"}]}
    assert all(n.status == Nomination.Status.DRAFT and n.form == expected for n in nominations)
    assert all(n.unit == tree.unit and n.district == tree.district and n.created_by == submitter for n in nominations)
    assert AuditEvent.objects.filter(action="nomination.created").count() == 3
    # Each draft's creator is recorded as its author (separation of duties reads it).
    assert set(NominationAuthor.objects.values_list("nomination_id", "user_id", "kind")) == {
        (n.pk, submitter.pk, NominationAuthor.Kind.CREATED) for n in nominations
    }
    event = AuditEvent.objects.get(action="import.applied")
    assert (event.object_type, event.object_id, event.actor) == ("workflows.campaign", str(campaign.pk), submitter)
    assert event.data["created"] == 3
    assert event.data["sha256"] == hashlib.sha256(content).hexdigest()


def test_retried_upload_with_the_same_key_imports_once(tree, campaign, submitter, client_for):
    client = client_for(submitter)
    content = filled(campaign, [good_row(tree.unit.code, title=f"案例{i}") for i in range(2)])
    other = filled(campaign, [good_row(tree.unit.code, title="另一份")])

    first = upload(client, campaign, content, HTTP_IDEMPOTENCY_KEY="import-1")
    again = upload(client, campaign, content, HTTP_IDEMPOTENCY_KEY="import-1")
    same_name_other_file = upload(client, campaign, other, HTTP_IDEMPOTENCY_KEY="import-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert same_name_other_file.status_code == 422
    assert Nomination.objects.count() == 2


def test_one_bad_row_refuses_the_whole_file(tree, campaign, submitter, client_for):
    content = filled(
        campaign,
        [good_row(tree.unit.code), good_row(tree.unit.code, phone="138-abc"), good_row(tree.unit.code)],
    )

    response = upload(client_for(submitter), campaign, content)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    assert "1 行" in body["detail"]
    assert body["errors"]["rows"] == [{"line": 3, "errors": {"联系电话": ["“联系电话”只能包含数字和“-”"]}}]
    assert not Nomination.objects.exists()
    assert not NominationAuthor.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["nomination.created", "import.applied"]).exists()


def test_unknown_unit_and_unit_without_submitter_role_are_row_errors(tree, campaign, submitter, client_for):
    content = filled(
        campaign,
        [
            good_row("NO-SUCH-UNIT"),
            good_row(tree.party.code),  # visible to the submitter (below the unit), but not theirs to submit for
            good_row(tree.other_unit.code),  # another district: answered like an unknown code
            good_row(tree.unit.code),
            ["", "", SUMMARY],
        ],
    )

    response = upload(client_for(submitter), campaign, content)

    assert response.status_code == 400
    rows = {row["line"]: row["errors"] for row in response.json()["errors"]["rows"]}
    assert sorted(rows) == [2, 3, 4, 6]
    assert rows[2] == {"申报单位编码": ["申报单位编码“NO-SUCH-UNIT”不存在或不在您的权限范围内"]}
    assert rows[3] == {"申报单位编码": ["您不是“陆家嘴中心党支部”的申报经办人，不能为其申报"]}
    assert rows[4] == {"申报单位编码": [f"申报单位编码“{tree.other_unit.code}”不存在或不在您的权限范围内"]}
    assert rows[6] == {"申报单位编码": ["请填写申报单位编码"], "申报名称": ["请填写申报名称"]}
    assert not Nomination.objects.exists()


def test_rejection_report_carries_every_problem_of_a_row(tree, campaign, submitter):
    long_summary = "长" * 501
    rows = excel.read_rows(
        campaign,
        "case",
        io.BytesIO(filled(campaign, [[tree.unit.code, "案例", long_summary, "2024-13-01", "1381234567890123"]])),
    )

    with pytest.raises(ImportRejected) as caught:
        actions.import_nominations(actor=submitter, campaign=campaign, kind="case", rows=rows)

    assert caught.value.code == "import_rejected"
    (report,) = caught.value.rows
    assert report["line"] == 2
    assert set(report["errors"]) == {"案例简介", "实施日期", "联系电话"}
    assert "不能超过 500 个字" in report["errors"]["案例简介"][0]


def test_file_that_is_not_an_xlsx_is_refused(campaign, submitter, client_for):
    client = client_for(submitter)

    as_text = upload(client, campaign, "单位,名称\n".encode(), name="申报.xlsx")
    as_csv = upload(client, campaign, "单位,名称\n".encode(), name="申报.csv")

    assert as_text.status_code == 400
    assert as_text.json()["code"].startswith("file_")
    assert as_csv.status_code == 400
    assert not Nomination.objects.exists()


def test_file_over_the_size_limit_is_refused(tree, campaign, submitter, client_for, monkeypatch):
    monkeypatch.setattr(imports_api, "MAX_IMPORT_BYTES", 1000)

    response = upload(client_for(submitter), campaign, filled(campaign, [good_row(tree.unit.code)]))

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert not Nomination.objects.exists()


def test_unreadable_workbook_is_refused_by_the_reader(campaign):
    with pytest.raises(InvalidInput) as caught:
        excel.read_rows(campaign, "case", io.BytesIO(b"PK\x03\x04 not really a zip"))

    assert caught.value.code == "import_file_invalid"


def test_header_mismatch_names_missing_and_unknown_columns(tree, campaign, submitter, client_for):
    headers = [h for h in HEADERS if h != "联系电话"] + ["备注"]
    content = sheet_bytes([headers, [tree.unit.code, "案例", SUMMARY]])

    response = upload(client_for(submitter), campaign, content)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_file_invalid"
    assert "联系电话" in body["detail"]
    assert "备注" in body["detail"]
    assert body["errors"] == {"missing_columns": ["联系电话"], "unknown_columns": ["备注"]}
    assert not Nomination.objects.exists()


def test_columns_may_come_in_any_order(tree, campaign, submitter):
    content = sheet_bytes([list(reversed(HEADERS)), list(reversed(good_row(tree.unit.code)))])

    (row,) = excel.read_rows(campaign, "case", io.BytesIO(content))

    assert row.errors == {}
    assert row.form["contact_phone"] == "13812345678"


def test_file_without_data_rows_is_refused(campaign, submitter, client_for):
    response = upload(client_for(submitter), campaign, filled(campaign, []))

    assert response.status_code == 400
    assert response.json()["code"] == "import_file_invalid"


def test_import_after_the_deadline_is_a_conflict(tree, submitter, client_for):
    closed = make_campaign(tree.committee, status=Campaign.Status.CLOSED)

    response = upload(client_for(submitter), closed, filled(closed, [good_row(tree.unit.code)]))

    assert response.status_code == 409
    assert not Nomination.objects.exists()


def test_kind_the_campaign_does_not_accept_is_refused(tree, campaign, submitter, client_for):
    response = upload(client_for(submitter), campaign, filled(campaign, [good_row(tree.unit.code)]), kind="individual")

    assert response.status_code == 400
    assert response.json()["code"] == "kind_not_accepted"


def test_progress_is_reported_at_the_end(tree, campaign, submitter):
    rows = excel.read_rows(campaign, "case", io.BytesIO(filled(campaign, [good_row(tree.unit.code)] * 3)))
    calls: list[tuple[int, int]] = []

    report = actions.import_nominations(
        actor=submitter, campaign=campaign, kind="case", rows=rows, progress=lambda d, t: calls.append((d, t))
    )

    assert report.created == 3
    assert calls == [(3, 3)]


def test_management_command_imports_and_reports_rows(tree, campaign, submitter, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled(campaign, [good_row(tree.unit.code)] * 2))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled(campaign, [good_row("NO-SUCH-UNIT")]))
    out, err = StringIO(), StringIO()

    call_command(
        "import_nominations", campaign.pk, "case", str(good), "--as", submitter.username, stdout=out, stderr=err
    )
    with pytest.raises(SystemExit) as exited:
        call_command("import_nominations", campaign.pk, "case", str(bad), "--as", submitter.username, stdout=out)

    assert Nomination.objects.count() == 2
    assert "… 2/2 rows" in err.getvalue()
    assert exited.value.code == 1
    assert "line 2: 申报单位编码: 申报单位编码“NO-SUCH-UNIT”不存在" in out.getvalue()


# --- export ----------------------------------------------------------------------------------


def test_export_holds_the_visible_nominations_with_personal_data_masked(tree, campaign, submitter, client_for):
    form = valid_case_form()
    mine = actions.create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="我的案例", form=form
    )
    stranger = user_with_role(Role.SUBMITTER, tree.other_unit)
    actions.create_nomination(
        actor=stranger, campaign=campaign, unit=tree.other_unit, kind="case", title="别人的", form=form
    )

    response = client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/export")

    assert response.status_code == 200, response.content
    rows = read(response.content)
    header = rows[0]
    assert header[:8] == ["编号", "申报单位", "单位编码", "类别", "申报名称", "状态", "当前环节", "提交时间"]
    assert header[8:] == HEADERS[2:]
    assert len(rows) == 2  # only the submitter's own unit
    values = dict(zip(header, rows[1], strict=True))
    assert (values["编号"], values["申报单位"], values["单位编码"]) == (mine.pk, "陆家嘴中心", tree.unit.code)
    assert (values["类别"], values["状态"], values["提交时间"]) == ("案例", "草稿", None)
    assert values["联系电话"] == "138****5678"
    assert values["负责人身份证号"] == "1101**********002X"
    assert values["团队成员"] == "张三\n李四"  # the import encoding


def test_export_writes_submission_time_in_shanghai_and_text_never_as_formula(tree, campaign, submitter):
    nomination = actions.create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title='=HYPERLINK("x")', form={}
    )
    Nomination.objects.filter(pk=nomination.pk).update(
        status=Nomination.Status.IN_REVIEW,
        stage="district_review",
        submitted_at=datetime.fromisoformat("2024-05-03T02:00:00+00:00"),
    )

    content = excel.export_workbook(Nomination.objects.select_related("unit"), campaign)

    sheet = openpyxl.load_workbook(io.BytesIO(content))["案例"]
    assert sheet["E2"].value == '=HYPERLINK("x")'
    assert sheet["E2"].data_type == "s"
    assert (sheet["F2"].value, sheet["G2"].value) == ("审批中", "区民政局意见")
    assert sheet["H2"].value.isoformat() == "2024-05-03T10:00:00"  # naive, Asia/Shanghai


def test_user_who_cannot_see_the_campaign_gets_404(tree, submitter, security_admin, client_for):
    draft = make_campaign(tree.committee, status=Campaign.Status.DRAFT)  # only its campaign admins see it
    open_campaign = make_campaign(tree.committee)
    client = client_for(submitter)

    template = client.get(f"/api/v1/campaigns/{draft.pk}/import-template?kind=case")
    imported = upload(client, draft, filled(open_campaign, [good_row(tree.unit.code)]))
    exported = client.get(f"/api/v1/campaigns/{draft.pk}/export")
    by_admin = client_for(security_admin).get(f"/api/v1/campaigns/{open_campaign.pk}/export")

    assert [template.status_code, imported.status_code, exported.status_code, by_admin.status_code] == [404] * 4
    assert not Nomination.objects.exists()
