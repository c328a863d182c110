"""A campaign's downloadable templates (附件1 申报表模板, 附件2 名额分配表): added and removed by its admin."""

from __future__ import annotations

from typing import IO, BinaryIO, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, filestore, uploads
from approvals.models import CampaignTemplate
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted
from workflows.models import Campaign

# What a template may be: the documents offices hand out, never images or video.
TEMPLATE_TYPES = ("docx", "doc", "xlsx", "xls", "pdf")
TEMPLATE_MAX_SIZE = 20 * 1024 * 1024
TITLE_MAX = 200


def _lock_campaign(campaign_id: int, actor: User) -> Campaign:
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    if not permissions.can_manage_campaigns_at(actor, campaign.host_org):
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return campaign


@transaction.atomic(durable=True)
def add_campaign_template(
    campaign_id: int, *, actor: User, title: str, name: str, stream: IO[bytes]
) -> CampaignTemplate:
    """Store a template file of a campaign (checked from its content like any upload) and audit it."""
    campaign = _lock_campaign(campaign_id, actor)
    title = " ".join(title.split())
    if not title:
        raise InvalidInput.for_field("title", _("请填写模板标题，如“附件1 申报表模板”"), code="title_required")
    if len(title) > TITLE_MAX:
        raise InvalidInput.for_field("title", _("标题不能超过 {n} 个字").format(n=TITLE_MAX), code="title_too_long")
    info = uploads.inspect_upload(
        name, cast(BinaryIO, stream), allowed_types=TEMPLATE_TYPES, max_size=TEMPLATE_MAX_SIZE
    )
    stored = filestore.store(info, stream)
    template = CampaignTemplate.objects.create(
        campaign=campaign,
        title=title,
        type=info.type,
        mime=info.mime,
        size=info.size,
        sha256=info.sha256,
        display_name=info.display_name,
        storage_name=stored,
        uploaded_by=actor,
    )
    record_event(
        audit_events.CAMPAIGN_TEMPLATE_ADDED,
        actor=actor,
        target=campaign,
        data={"template": template.pk, "title": title, "sha256": info.sha256, "size": info.size,
              "type": info.type, "name": info.display_name},
    )  # fmt: skip
    return template


@transaction.atomic(durable=True)
def remove_campaign_template(template_id: int, *, actor: User) -> None:
    """Take a template off its campaign (the row stays, marked removed), audited."""
    template = CampaignTemplate.objects.get(pk=template_id)
    campaign = _lock_campaign(template.campaign_id, actor)
    template = CampaignTemplate.objects.select_for_update().get(pk=template_id)
    if template.removed_at is not None:
        return
    template.removed_at = timezone.now()
    template.save(update_fields=["removed_at"])
    record_event(
        audit_events.CAMPAIGN_TEMPLATE_REMOVED,
        actor=actor,
        target=campaign,
        data={"template": template.pk, "title": template.title, "sha256": template.sha256},
    )
