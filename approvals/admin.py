"""The campaign admin with its templates (附件1 申报表模板 …): an inline whose saves call the audited actions.

The template model lives here, above workflows, so the campaign's admin is extended here: the
campaign admin of ``workflows.admin`` gains one inline, and its ``save_related`` adds new rows and
removes deleted ones through ``approvals.actions`` (never a bare save).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import RoleAdminMixin
from accounts.models import User
from accounts.roles import CAMPAIGN_ADMINISTRATORS
from approvals import actions
from approvals.models import CampaignTemplate
from workflows.admin import CampaignAdmin
from workflows.models import Campaign


class CampaignTemplateForm(django_forms.ModelForm):
    file = django_forms.FileField(label=_("文件"), required=False, help_text=_("Word、Excel 或 PDF，不超过 20 MB"))

    class Meta:
        model = CampaignTemplate
        fields = ["title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a stored template is replaced by deleting it and adding another
            self.fields["title"].disabled = True
            self.fields["file"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and data.get("title") and not data.get("file"):
            self.add_error("file", _("请选择要上传的文件"))
        return data


class CampaignTemplateInline(RoleAdminMixin, admin.TabularInline):
    change_roles = CAMPAIGN_ADMINISTRATORS
    model = CampaignTemplate
    form = CampaignTemplateForm
    fields = ("title", "file", "display_name", "size", "uploaded_at")
    readonly_fields = ("display_name", "size", "uploaded_at")
    extra = 1
    verbose_name = _("活动附件模板")
    verbose_name_plural = _("活动附件模板（附件1 申报表模板、附件2 名额分配表等）")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CampaignTemplate]:
        return super().get_queryset(request).filter(removed_at__isnull=True)


class CampaignWithTemplatesAdmin(CampaignAdmin):
    inlines = [*CampaignAdmin.inlines, CampaignTemplateInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Stages and quotas are read-only; templates are added and removed through the actions."""
        user = request.user
        assert isinstance(user, User)
        for formset in formsets:
            # What Django's change message reads; nothing here is saved by the formsets themselves.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is not CampaignTemplate:
                continue
            for template_form in formset.forms:
                instance = template_form.instance
                if instance.pk and formset.can_delete and formset._should_delete_form(template_form):
                    actions.remove_campaign_template(instance.pk, actor=user)
                elif not instance.pk and template_form.cleaned_data.get("file"):
                    upload = template_form.cleaned_data["file"]
                    actions.add_campaign_template(
                        form.instance.pk,
                        actor=user,
                        title=template_form.cleaned_data.get("title", ""),
                        name=upload.name or "",
                        stream=upload.file,
                    )


admin.site.unregister(Campaign)
admin.site.register(Campaign, CampaignWithTemplatesAdmin)
