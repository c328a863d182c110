"""The prize ledger (奖金台账) of a campaign as Excel: each award's prize, paid (when, by whom) or
recovered. Read only; every text through ``config.documents.xlsx_cell``."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from awards.documents import awards_by_tier, kind_label
from awards.models import Award, Certificate
from config.documents import xlsx_cell
from workflows.models import Campaign


def ledger_awards(campaign: Campaign) -> list[Award]:
    """Every award that was confirmed (confirmed, declined or revoked after confirmation), by kind, tier, rank."""
    awards = (
        Award.objects.filter(campaign=campaign, confirmed_at__isnull=False)
        .select_related("nomination__unit", "paid_by")
        .order_by("kind", "rank", "pk")
    )
    return [a for _heading, members in awards_by_tier(campaign, awards) for a in members]


def render_ledger_xlsx(campaign: Campaign) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("奖金台账")))
    numbers = dict(Certificate.objects.filter(campaign=campaign).values_list("award_id", "number"))
    sheet.append([xlsx_cell(sheet, str(campaign.title))])
    headers = (
        _("序号"), _("证书编号"), _("类别"), _("奖项等次"), _("名称"), _("申报单位"), _("奖金（元）"), _("状态"),
        _("发放时间"), _("发放人"), _("已追回或不再发放"),
    )  # fmt: skip
    sheet.append([xlsx_cell(sheet, str(h)) for h in headers])
    for i, a in enumerate(ledger_awards(campaign), 1):
        prize = a.prize if a.prize is not None or not a.prize_text else a.prize_text  # a gift: its text
        paid_at = timezone.localtime(a.paid_at).strftime("%Y-%m-%d %H:%M") if a.paid_at else ""
        row = (
            i, numbers.get(a.pk, ""), kind_label(a.kind), a.tier_name, a.nomination.title, a.nomination.unit.name,
            prize, str(a.get_status_display()), paid_at, str(a.paid_by) if a.paid_by else "",
            str(_("是")) if a.recovered else "",
        )  # fmt: skip
        sheet.append(
            [
                xlsx_cell(
                    sheet, value, "0.00" if j == 6 and value is not None and not isinstance(value, str) else None
                )
                for j, value in enumerate(row)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
