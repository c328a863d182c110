"""HTTP endpoints of campaigns; each parses input and calls one action or selector.

They live above workflows because a campaign's response carries its quota usage, which is counted
from nominations (``approvals.quotas``); the campaign's own fields are ``workflows``' serializers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts.models import Organization
from approvals.quotas import quota_usage
from config.api.idempotency import idempotent
from config.api.views import PaginatedListMixin, resolve_ref
from config.errors import InvalidInput
from config.request_context import request_user
from workflows import actions, selectors
from workflows.api.serializers import CampaignBrief, CampaignIn, CampaignOutBase
from workflows.models import Campaign


class CampaignOut(CampaignOutBase):
    """The campaign with the used and remaining places of each organisation quota."""

    quotas = serializers.SerializerMethodField()

    class Meta(CampaignOutBase.Meta):
        fields = list(CampaignOutBase.Meta.fields)
        fields.insert(fields.index("stages") + 1, "quotas")  # where the API has always shown it

    def get_quotas(self, campaign: Campaign) -> list[dict[str, Any]]:
        return [
            {"org": u.org.pk, "org_name": u.org.name, "kind": u.kind, "field": u.field, "value": u.value,
             "max": u.max, "used": u.used, "remaining": u.remaining, "stage": u.stage, "stage_name": u.stage_name}
            for u in quota_usage(campaign)
        ]  # fmt: skip


def _resolve(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """Ids to organisations: the host through the caller's scope, quota organisations must exist."""
    user = request_user(request)
    if "host_org" in data:
        data["host_org"] = resolve_ref(account_selectors.get_visible_org, user, "host_org", data["host_org"])
    if "quotas" in data:
        ids = {q["org"] for q in data["quotas"]}
        orgs = Organization.objects.in_bulk(ids)
        missing = {
            f"quotas[{i}].org": [str(_("组织不存在"))] for i, q in enumerate(data["quotas"]) if q["org"] not in orgs
        }
        if missing:
            raise InvalidInput(errors=missing)
        data["quotas"] = [{**q, "org": orgs[q["org"]]} for q in data["quotas"]]
    if "stages" in data:
        data["stages"] = [dict(s) for s in data["stages"]]
    return data


class CampaignListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: CampaignBrief(many=True)},
        parameters=[OpenApiParameter("status", str), OpenApiParameter("cursor", str)],
        summary="评选活动列表",
    )
    def get(self, request: Request) -> Response:
        campaigns = selectors.visible_campaigns(request_user(request))
        if request.query_params.get("status"):
            campaigns = campaigns.filter(status=request.query_params["status"])
        return self.paginated(request, campaigns.order_by("id"), CampaignBrief)

    @extend_schema(request=CampaignIn, responses={201: CampaignOut}, summary="创建评选活动（主办方活动管理员）")
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = CampaignIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        spec = _resolve(request, dict(serializer.validated_data))
        campaign = actions.create_campaign(actor=request_user(request), spec=spec)
        return Response(CampaignOut(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(APIView):
    @extend_schema(responses={200: CampaignOut}, summary="评选活动详情（含名额使用情况）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(CampaignOut(selectors.get_visible_campaign(request_user(request), pk)).data)

    @extend_schema(request=CampaignIn, responses={200: CampaignOut}, summary="修改草稿状态的评选活动")
    def patch(self, request: Request, pk: int) -> Response:
        campaign = selectors.get_visible_campaign(request_user(request), pk)
        serializer = CampaignIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = _resolve(request, dict(serializer.validated_data))
        campaign = actions.update_campaign(campaign.pk, actor=request_user(request), changes=changes)
        return Response(CampaignOut(campaign).data)


class CampaignTransitionView(APIView):
    transition = ""

    @extend_schema(request=None, responses={200: CampaignOut}, summary="评选活动状态变更（开始征集、截止、评审）")
    def post(self, request: Request, pk: int) -> Response:
        campaign = selectors.get_visible_campaign(request_user(request), pk)
        campaign = actions.change_campaign_status(campaign.pk, actor=request_user(request), transition=self.transition)
        return Response(CampaignOut(campaign).data)
