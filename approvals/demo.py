"""Demo templates of the seed campaigns: [002]'s 附件2 名额分配表 (.xlsx), [003]'s 附件1 申报表模板 (.docx);
and [002]'s entrant list of 受理中心 (顺延).

Built when the demo loads (``workflows.demo.demo_loaded``) and stored through the same audited
action as an upload; a campaign that has templates already is left alone. The entrant list is set
while the campaign is still a draft (``workflows.demo.demo_campaign_drafted``), by its committee.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from docx import Document

from accounts.models import Organization, User
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


# [002] 附件1 ranks 24 受理中心 (16 awards × 1.5). The demo tree has four Shanghai service centres, so
# the demo list is those four in a plausible order (徐家汇 is on the notice's list; the others
# stand in for it), with three places: 花木 is the reserve that gets a place when one declines.
DEMO_ENTRANT_RANKING = ("SH-PD-LJZ-C", "SH-XH-XJH-C", "SH-HP-NJD-C", "SH-PD-HM-C")
DEMO_ENTRANT_PLACES = 3


def add_demo_entrant_list(*, campaign: Campaign, seed: str, **_kwargs: Any) -> None:
    """Restrict [002]'s 受理中心组 of the collective kind to the ranked demo centres."""
    if seed != "002":
        return
    orgs = {o.code: o for o in Organization.objects.filter(code__in=DEMO_ENTRANT_RANKING)}
    committee = User.objects.filter(username="committee").first()
    if committee is None or len(orgs) != len(DEMO_ENTRANT_RANKING):
        return
    actions.set_entrant_list(
        campaign.pk, actor=committee, kind=NominationKind.COLLECTIVE, places=DEMO_ENTRANT_PLACES,
        units=[orgs[code] for code in DEMO_ENTRANT_RANKING], field="group", value="受理中心组",
    )  # fmt: skip
