from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from approvals.models import Attachment, CampaignTemplate, Delegation, Nomination, SignOff, StageSeat, Supplement
from config.api.serializers import IdField, StrictSerializer
from workflows import forms
from workflows.models import NominationKind


class NominationIn(StrictSerializer):
    campaign = IdField()
    unit = IdField()
    kind = serializers.ChoiceField(choices=NominationKind.choices)
    title = serializers.CharField(max_length=200, allow_blank=True, default="")
    form = serializers.DictField(required=False, default=dict)


class NominationUpdate(StrictSerializer):
    title = serializers.CharField(max_length=200, allow_blank=True, required=False)
    form = serializers.DictField(required=False)


class AttachmentOut(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Attachment
        fields = ["id", "field", "name", "type", "size", "sha256", "width", "height", "uploaded_at"]


class CampaignTemplateOut(serializers.ModelSerializer):
    """A campaign's template file; ``download`` is where the API serves its bytes."""

    name = serializers.CharField(source="display_name")
    download = serializers.SerializerMethodField()

    class Meta:
        model = CampaignTemplate
        fields = ["id", "campaign", "title", "name", "type", "size", "sha256", "uploaded_at", "download"]

    def get_download(self, template: CampaignTemplate) -> str:
        return f"/api/v1/campaigns/{template.campaign_id}/templates/{template.pk}"


class CampaignTemplateUpload(serializers.Serializer):
    title = serializers.CharField(help_text="如“附件1 申报表模板”")
    file = serializers.FileField()


class SupplementOut(serializers.ModelSerializer):
    """A supplement added after submission (补充材料) with the sequence of its addendum seal."""

    seal_sequence = serializers.IntegerField(source="seal.sequence", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Supplement
        fields = ["id", "key", "label", "type", "text", "files", "content_hash", "seal_sequence", "added_at"]

    def get_files(self, supplement: Supplement) -> list[dict[str, Any]]:
        return [{k: f.get(k) for k in ("name", "type", "size", "sha256")} for f in supplement.files]


class SupplementIn(serializers.Serializer):
    key = serializers.CharField(max_length=28)
    text = serializers.CharField(required=False, allow_blank=True, help_text="长文本类补充材料的内容")
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="文件类补充材料")


class NominationOut(serializers.ModelSerializer):
    """A nomination; personal values in the form are masked unless the context reveals them."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    form = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    signoffs = serializers.SerializerMethodField()
    supplements = serializers.SerializerMethodField()

    class Meta:
        model = Nomination
        fields = [
            "id", "campaign", "unit", "unit_name", "district", "kind", "title", "form", "status", "status_label",
            "stage", "version", "content_hash", "created_at", "updated_at", "submitted_at", "attachments", "signoffs",
            "supplements",
        ]  # fmt: skip

    def get_form(self, nomination: Nomination) -> dict[str, Any]:
        if self.context.get("reveal"):
            return dict(nomination.form)
        definition = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
        return forms.mask_form_data(definition, nomination.form)

    def get_attachments(self, nomination: Nomination) -> list[dict[str, Any]]:
        live = nomination.attachments.filter(removed_at__isnull=True).order_by("id")
        return list(AttachmentOut(live, many=True).data)

    def get_signoffs(self, nomination: Nomination) -> list[dict[str, Any]]:
        return list(
            SignOffOut(nomination.signoffs.select_related("org", "seal__key", "seat").order_by("id"), many=True).data
        )

    def get_supplements(self, nomination: Nomination) -> list[dict[str, Any]]:
        return list(SupplementOut(nomination.supplements.select_related("seal").order_by("id"), many=True).data)


class NominationBrief(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "campaign", "unit", "unit_name", "kind", "title", "status", "stage", "submitted_at"]


class SignOffOut(serializers.ModelSerializer):
    """One opinion (api.md: stage, decision, opinion, signer, org, signed_at, seal)."""

    signer = serializers.CharField(source="signer_label")
    org = serializers.IntegerField(source="org_id")
    org_name = serializers.CharField(source="org.name")
    decision_label = serializers.CharField(source="get_decision_display")
    # 代签: the stage holder the signer decided for (blank when they decided for themselves).
    on_behalf_of = serializers.CharField(source="on_behalf_of_label")
    seal = serializers.SerializerMethodField()
    # 会签 / 或签: the holder's place at the stage (0, 1, …); null at a stage of one holder.
    seat = serializers.IntegerField(source="seat.position", allow_null=True, default=None)

    class Meta:
        model = SignOff
        fields = ["stage", "stage_name", "round", "decision", "decision_label", "opinion", "to_stage", "signer",
                  "on_behalf_of", "org", "org_name", "signed_at", "seal", "seat"]  # fmt: skip

    def get_seal(self, signoff: SignOff) -> dict[str, Any] | None:
        if signoff.seal is None:
            return None
        return {"sequence": signoff.seal.sequence, "hash": signoff.seal.seal_hash, "key_id": signoff.seal.key.key_id,
                "algorithm": signoff.seal.algorithm}  # fmt: skip


class TaskOut(serializers.Serializer):
    """An open sign-off task in a reviewer's inbox."""

    id = serializers.IntegerField(source="task_id")
    nomination = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    kind = serializers.CharField()
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_title = serializers.CharField(source="campaign.title")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    stage = serializers.CharField()
    stage_name = serializers.CharField()
    org = serializers.IntegerField(source="stage_org_id")
    waiting_since = serializers.DateTimeField(source="stage_entered_at")
    deadline = serializers.DateTimeField(source="stage_deadline")
    overdue = serializers.SerializerMethodField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)

    def get_overdue(self, nomination: Nomination) -> bool:
        from django.utils import timezone

        return nomination.stage_deadline is not None and nomination.stage_deadline < timezone.now()


class DecisionIn(StrictSerializer):
    opinion = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    # 抄送: users copied on this decision (notified, may read the nomination).
    cc = serializers.ListField(child=IdField(), required=False, default=list, max_length=20)


class ReturnIn(DecisionIn):
    # 退回到指定环节: the key of an earlier stage; without it the return goes back to the unit.
    to_stage = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")


class BatchDecisionIn(StrictSerializer):
    tasks = serializers.ListField(child=IdField(), min_length=1, max_length=100)
    opinion = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class TransferIn(StrictSerializer):
    to_user = IdField()
    # Required by the action (400 ``transfer_reason_required``), which gives the stable code.
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class AddSignerIn(StrictSerializer):
    # Exactly one of a person (``user``) or a post (``role`` at ``org``); the action checks the
    # combination (400 ``invalid_add_signer_target``) and gives the stable code.
    user = IdField(required=False, allow_null=True, default=None)
    role = serializers.CharField(max_length=32, allow_blank=True, required=False, default="")
    org = IdField(required=False, allow_null=True, default=None)
    position = serializers.ChoiceField(choices=[("before", "前加签"), ("after", "后加签")])
    # Required by the action (400 ``add_signer_reason_required``), which gives the stable code.
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class SeatOut(serializers.ModelSerializer):
    """A place at a stage: a 会签 / 或签 holder's, or a person's added by 加签 (``kind`` before / after)."""

    org_name = serializers.CharField(source="org.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = StageSeat
        fields = ["id", "stage", "task_id", "position", "kind", "role", "org", "org_name", "user", "added_by",
                  "reason", "status", "status_label"]  # fmt: skip


class DelegationIn(StrictSerializer):
    delegate = IdField()
    role = serializers.CharField(max_length=32)
    org = IdField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class DelegationOut(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.label")
    delegate = serializers.CharField(source="delegate.label")
    role_label = serializers.CharField(source="get_role_display")
    org_name = serializers.CharField(source="org.name")
    active = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = ["id", "principal", "principal_id", "delegate", "delegate_id", "role", "role_label", "org",
                  "org_name", "starts_at", "ends_at", "reason", "revoked_at", "active"]  # fmt: skip

    def get_active(self, delegation: Delegation) -> bool:
        now = timezone.now()
        return delegation.revoked_at is None and delegation.starts_at <= now < delegation.ends_at
