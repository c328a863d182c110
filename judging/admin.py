"""Read-only admin of judging for the campaign administrators: every change goes through the audited actions."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_site import RoleAdminMixin
from accounts.roles import CAMPAIGN_ADMINISTRATORS
from judging.models import Assignment, Draw, ImportBatch, JudgeProfile, Round, RoundResult, ScoreCorrection


class ReadOnlyAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = CAMPAIGN_ADMINISTRATORS


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "key", "status", "deadline", "closed_at"]
    list_filter = ["status"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["round", "judge", "nomination", "status", "recusal_kind", "submitted_at"]
    list_filter = ["status"]
    raw_id_fields = ["round", "judge", "nomination"]


@admin.register(JudgeProfile)
class JudgeProfileAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The expert pool's profiles (field of expertise, affiliation for automatic recusal): kept by
    the campaign administrators; every save is audited by the mixin (``admin.changed``)."""

    view_roles = change_roles = CAMPAIGN_ADMINISTRATORS
    list_display = ["user", "expertise", "affiliation"]
    raw_id_fields = ["user", "affiliation"]


for _model in (ScoreCorrection, ImportBatch, RoundResult, Draw):
    admin.site.register(_model, ReadOnlyAdmin)
