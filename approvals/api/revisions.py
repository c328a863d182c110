"""Revision after selection (修改完善, issue 17): the committee's windows, the unit's revised versions,
every version and the field-by-field difference for whoever may read the nomination.

Values of personal fields are masked here (as in the nomination's default view); the difference
marks a changed field from the real values.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from approvals import actions, revisions, selectors
from approvals.models import Nomination, RevisionWindow
from config.errors import InvalidInput, NotVisible
from config.request_context import request_user
from workflows import forms
from workflows import selectors as campaign_selectors


class RevisionWindowIn(serializers.Serializer):
    nominations = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    starts_at = serializers.DateTimeField(required=False, help_text="默认为现在")
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" is the name of a Serializer attribute: declared here rather than on the class.
        declared = dict(super().get_fields())
        declared["fields"] = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False, default=list,
            help_text="可修改的表单项标识（可含 title）；为空则除附件外均可修改",
        )  # fmt: skip
        return declared


class RevisionWindowOut(serializers.ModelSerializer):
    nominations = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = RevisionWindow
        fields = ["id", "campaign", "nominations", "starts_at", "ends_at", "note", "fields", "opened_at",
                  "closed_at", "is_open"]  # fmt: skip

    def get_nominations(self, window: RevisionWindow) -> list[int]:
        return sorted(window.nominations.values_list("pk", flat=True))

    def get_is_open(self, window: RevisionWindow) -> bool:
        from django.utils import timezone

        now = timezone.now()
        return window.closed_at is None and window.starts_at <= now < window.ends_at


class RevisionIn(serializers.Serializer):
    form = serializers.DictField(help_text="修改的表单项及其新值（只能是本次修改完善期允许的项）")
    title = serializers.CharField(required=False, max_length=200, help_text="新的申报名称（允许修改时）")


def _version_dict(definition: dict[str, Any], version: revisions.Version) -> dict[str, Any]:
    return {
        "version": version.number,
        "original": version.is_original,
        "title": version.title,
        "form": forms.mask_form_data(definition, version.form),
        "changed": version.changed,
        "content_hash": version.content_hash,
        "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
        "seal_sequence": version.revision.seal.sequence if version.revision is not None else None,
    }


def _committee_campaign(request: Request, pk: int) -> Any:
    user = request_user(request)
    campaign = campaign_selectors.get_visible_campaign(user, pk)
    return user, campaign


class CampaignRevisionWindowsView(APIView):
    @extend_schema(responses={200: RevisionWindowOut(many=True)}, summary="本活动的修改完善期（组委会、活动管理员）")
    def get(self, request: Request, pk: int) -> Response:
        user, campaign = _committee_campaign(request, pk)
        if not permissions.can_see_campaign_dashboard(user, campaign):
            raise NotVisible()
        windows = RevisionWindow.objects.filter(campaign=campaign).order_by("id")
        return Response({"results": RevisionWindowOut(windows, many=True).data, "next": None})

    @extend_schema(
        request=RevisionWindowIn, responses={201: RevisionWindowOut}, summary="开放修改完善期（组委会；入围申报）"
    )
    def post(self, request: Request, pk: int) -> Response:
        user, campaign = _committee_campaign(request, pk)
        serializer = RevisionWindowIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = actions.open_revision_window(
            campaign.pk, actor=user, nomination_ids=data["nominations"], starts_at=data.get("starts_at"),
            ends_at=data["ends_at"], note=data["note"], fields=data["fields"],
        )  # fmt: skip
        return Response(RevisionWindowOut(window).data, status=status.HTTP_201_CREATED)


class RevisionWindowCloseView(APIView):
    @extend_schema(request=None, responses={200: RevisionWindowOut}, summary="关闭修改完善期（组委会）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        window = RevisionWindow.objects.filter(pk=pk, campaign__in=campaign_selectors.visible_campaigns(user)).first()
        if window is None:
            raise NotVisible()
        return Response(RevisionWindowOut(actions.close_revision_window(window.pk, actor=user)).data)


class NominationRevisionsView(APIView):
    @extend_schema(responses={200: dict}, summary="申报的各个版本（原申报表为第1版；个人信息脱敏）")
    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_visible_nomination(request_user(request), pk)
        definition = revisions.definition_of(nomination)
        number, _title, _form = revisions.current_content(nomination)
        return Response(
            {
                "current_version": number,
                "results": [_version_dict(definition, v) for v in revisions.versions(nomination)],
                "next": None,
            }
        )

    @extend_schema(request=RevisionIn, responses={201: dict}, summary="提交修改稿（修改完善期内，申报单位经办人）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        serializer = RevisionIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        revision = actions.submit_revision(nomination.pk, actor=user, form=data["form"], title=data.get("title"))
        version = next(v for v in revisions.versions(nomination) if v.number == revision.number)
        return Response(_version_dict(revisions.definition_of(nomination), version), status=status.HTTP_201_CREATED)


def _version_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput.for_field(name, _("版本号须为整数"), code="invalid_version") from exc


def version_pair(nomination: Nomination, old: int | None, new: int | None) -> tuple[Any, Any, list[Any]]:
    """The two versions to compare (default: the one before the current, and the current), or 400."""
    found = revisions.versions(nomination)
    by_number = {v.number: v for v in found}
    new_number = new if new is not None else found[-1].number
    old_number = old if old is not None else max(1, new_number - 1)
    if old_number not in by_number or new_number not in by_number:
        raise InvalidInput.for_field("version", _("没有这个版本"), code="unknown_version")
    return by_number[old_number], by_number[new_number], found


class NominationRevisionDiffView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", int), OpenApiParameter("to", int)],
        responses={200: dict},
        summary="两个版本逐项对比（默认：当前版本与上一版本）",
    )
    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_visible_nomination(request_user(request), pk)
        old, new, _all = version_pair(
            nomination, _version_param(request, "from", 0) or None, _version_param(request, "to", 0) or None
        )
        rows = revisions.diff(revisions.definition_of(nomination), old, new)
        return Response({"from": old.number, "to": new.number, "fields": rows})
