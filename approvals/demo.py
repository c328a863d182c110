"""Demo templates of the seed campaigns: [002]'s 附件2 名额分配表 (.xlsx), [003]'s 附件1 申报表模板 (.docx).

Built when the demo loads (``workflows.demo.demo_loaded``) and stored through the same audited
action as an upload; a campaign that has templates already is left alone.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from docx import Document

from accounts.models import User
from approvals import actions
from approvals.models import CampaignTemplate
from config.documents import docx_text, xlsx_set
from workflows.demo import demo_definitions
from workflows.models import Campaign, NominationKind


def _quota_workbook(campaign: Campaign) -> bytes:
    """附件2 名额分配表: one row per organisation quota of the campaign."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名额分配表"
    for column, header in enumerate(["序号", "区", "类别", "组别", "名额"], start=1):
        xlsx_set(sheet.cell(row=1, column=column), header)
    kinds = {"individual": "个人", "collective": "集体", "case": "案例"}
    for row, quota in enumerate(campaign.quotas.select_related("org").order_by("id"), start=2):
        values = [row - 1, quota.org.name, kinds.get(quota.kind, "全部"), quota.value, quota.max]
        for column, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row=row, column=column), value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form_document(campaign: Campaign) -> bytes:
    """附件1 申报表模板: the form's items, each with room to write, as the notice prints it."""
    doc = Document()
    doc.add_heading(docx_text(f"{campaign.title}申报表"), level=1)
    for kind, definition in campaign.forms.items():
        if len(campaign.forms) > 1:
            doc.add_heading(docx_text(NominationKind(kind).label), level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for spec in definition.get("fields", []):
            cells = table.add_row().cells
            cells[0].text = docx_text(spec.get("label", spec.get("key", "")))
            cells[1].text = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


DEMO_TEMPLATES = {
    "002": [("附件2 名额分配表", "附件2 名额分配表.xlsx", _quota_workbook)],
    "003": [("附件1 申报表模板", "附件1 申报表.docx", _form_document)],
}


def add_demo_templates(**_kwargs: Any) -> None:
    for definition in demo_definitions():
        templates = DEMO_TEMPLATES.get(definition["seed"])
        campaign = Campaign.objects.filter(title=definition["title"]).first()
        if not templates or campaign is None or CampaignTemplate.objects.filter(campaign=campaign).exists():
            continue
        admin = User.objects.get(username=definition["admin"])
        for title, name, build in templates:
            actions.add_campaign_template(
                campaign.pk, actor=admin, title=title, name=name, stream=io.BytesIO(build(campaign))
            )
