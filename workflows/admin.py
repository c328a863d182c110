"""A Chinese admin for campaign administrators: create a campaign from a seed template, edit drafts, open.

Every save goes through the audited actions of workflows/actions.py. The admin wraps its
change form in a transaction of its own; the actions are durable transactions, so this admin
runs its change form without that wrapper (the action is the transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms as django_forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin_site import RoleAdminMixin
from accounts.models import Organization, User
from accounts.roles import CAMPAIGN_ADMINISTRATORS, SYSTEM_ADMINISTRATORS
from config.errors import SealflowError
from workflows import actions, admin_preview, calendar_actions
from workflows.demo import campaign_spec, demo_definitions
from workflows.models import CalendarDay, CalendarYear, Campaign, Quota, Stage

_ADMINS = CAMPAIGN_ADMINISTRATORS
# Fields a draft may change here; forms, rules, stages and quotas come from the template or the API.
_EDITABLE = ("title", "description", "opens_at", "submission_deadline", "per_unit_max", "total_max",
             "min_per_township", "min_per_unit", "publicity_days", "publicity_working_days",
             "publicity_counts_publication_day")  # fmt: skip


def _templates() -> list[tuple[str, str]]:
    return [(d["seed"], d["title"]) for d in demo_definitions()]


class CampaignAddForm(django_forms.ModelForm):
    template = django_forms.ChoiceField(
        label=_("参照模板"), choices=_templates, help_text=_("新活动沿用所选通知的申报表、申报条件、审批环节和名额")
    )

    class Meta:
        model = Campaign
        fields = ["template", "title", "host_org", "opens_at", "submission_deadline"]


class StageInline(RoleAdminMixin, admin.TabularInline):
    view_roles = _ADMINS
    model = Stage
    fields = (
        "position", "key", "name", "role", "signer_org", "seal", "seal_org", "time_limit_days", "due_date",
        "same_signer_as_previous",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False


class QuotaInline(RoleAdminMixin, admin.TabularInline):
    view_roles = _ADMINS
    model = Quota
    fields = ("org", "kind", "field", "value", "max", "stage")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(RoleAdminMixin, admin.ModelAdmin):
    change_roles = _ADMINS
    writes_through_actions = True
    list_display = ("title", "host_org", "status", "submission_deadline")
    list_filter = ("status",)
    inlines = [StageInline, QuotaInline]
    actions = ["open_campaigns", "close_campaigns"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        user = request.user
        assert isinstance(user, User)
        return super().get_queryset(request).filter(host_org__in=permissions.campaign_hosts_managed_by(user))

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CampaignAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["template", "title", "host_org", "opens_at", "submission_deadline"]
        return [*_EDITABLE, "status", "kinds_preview", "forms_preview", "eligibility_preview", "supplements"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        readonly = ["status", "kinds_preview", "forms_preview", "eligibility_preview", "supplements"]
        return readonly if obj.status == Campaign.Status.DRAFT else [*readonly, *_EDITABLE]

    # The definitions as the campaign admin reads them, not the JSON they are stored as.
    @admin.display(description=_("申报类别"))
    def kinds_preview(self, obj: Campaign) -> str:
        return admin_preview.kinds_html(obj.kinds)

    @admin.display(description=_("申报表"))
    def forms_preview(self, obj: Campaign) -> Any:
        return admin_preview.forms_html(obj.forms)

    @admin.display(description=_("申报条件"))
    def eligibility_preview(self, obj: Campaign) -> Any:
        return admin_preview.eligibility_html(obj.eligibility)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "host_org":
            user = request.user
            assert isinstance(user, User)
            kwargs["queryset"] = permissions.campaign_hosts_managed_by(user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # No outer transaction: the action called by save_model is the transaction. A refusal
        # (a rule of the definition, a state) comes back as a message on the same page.
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]
        except SealflowError as exc:
            details = "；".join(f"{k}: {'，'.join(v)}" for k, v in getattr(exc, "errors", {}).items())
            messages.error(request, f"{exc.detail} {details}".strip())
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        data = form.cleaned_data
        if not change:
            definition = next(d for d in demo_definitions() if d["seed"] == data["template"])
            orgs = {o.code: o for o in Organization.objects.all()}
            window = {
                name: data[name]
                for name in ("opens_at", "submission_deadline")
                if isinstance(data.get(name), datetime)
            }
            spec = campaign_spec({**definition, "title": data["title"]}, orgs, **window)
            spec["host_org"] = data["host_org"]
            if data["host_org"].code != definition["host"]:
                spec["quotas"] = []  # the template's quotas name the template host's districts
            created = actions.create_campaign(actor=user, spec=spec)
            obj.pk = created.pk
        else:
            changes = {name: data[name] for name in form.changed_data if name in _EDITABLE}
            if changes:
                actions.update_campaign(obj.pk, actor=user, changes=changes)
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Stages and quotas are read-only here; nothing related to save."""

    @admin.action(description=_("开始征集所选活动"))
    def open_campaigns(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._transition(request, queryset, "open")

    @admin.action(description=_("截止征集所选活动"))
    def close_campaigns(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._transition(request, queryset, "close")

    def _transition(self, request: HttpRequest, queryset: QuerySet[Campaign], transition: str) -> None:
        user = request.user
        assert isinstance(user, User)
        for campaign in queryset:
            try:
                actions.change_campaign_status(campaign.pk, actor=user, transition=transition)
            except SealflowError as exc:
                messages.error(request, f"{campaign.title}：{exc.detail}")
            else:
                messages.success(request, f"{campaign.title}：{campaign.get_status_display()} → 已更新")


# --- the working-day calendar (system administrator) ----------------------------------------

_SYSTEM = SYSTEM_ADMINISTRATORS


class _ActionAdminMixin:
    """The audited action is the transaction: no outer one from the admin (see CampaignAdmin)."""

    writes_through_actions = True

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]
        except SealflowError as exc:
            messages.error(request, exc.detail)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        return self._delete_view(request, object_id, extra_context)  # type: ignore[attr-defined]

    def get_actions(self, request: HttpRequest) -> Any:
        actions_ = super().get_actions(request)  # type: ignore[misc]
        actions_.pop("delete_selected", None)
        return actions_


@admin.register(CalendarDay)
class CalendarDayAdmin(_ActionAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    change_roles = _SYSTEM
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "date"
    fields = ("date", "kind", "name")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        if change and "date" in form.changed_data:
            calendar_actions.remove_calendar_day(form.initial["date"], actor=user)
        saved = calendar_actions.set_calendar_day(obj.date, actor=user, kind=obj.kind, name=obj.name)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        user = request.user
        assert isinstance(user, User)
        calendar_actions.remove_calendar_day(obj.date, actor=user)


@admin.register(CalendarYear)
class CalendarYearAdmin(_ActionAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    change_roles = _SYSTEM
    list_display = ("year", "source", "note")
    fields = ("year", "note")

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        saved = calendar_actions.set_calendar_year(obj.year, actor=user, covered=True, note=obj.note)
        assert saved is not None
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        user = request.user
        assert isinstance(user, User)
        calendar_actions.set_calendar_year(obj.year, actor=user, covered=False)
