"""Entrant lists with 顺延 ([002]): read, set (committee, before intake opens) and decline a place."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import Organization, User
from approvals import actions
from config.api.serializers import IdField, StrictSerializer
from config.errors import InvalidInput, NotPermitted, NotVisible
from config.request_context import request_user
from workflows import entrants
from workflows import selectors as campaign_selectors
from workflows.models import Campaign, EntrantList, NominationKind


class EntrantListIn(StrictSerializer):
    places = serializers.IntegerField(min_value=1, max_value=10_000)
    units = serializers.ListField(child=IdField(), min_length=1, max_length=10_000)
    # Optional: the list restricts only the kind's nominations answering ``value`` in this choice field.
    field = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    value = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class EntrantDeclineIn(StrictSerializer):
    unit = IdField()
    reason = serializers.CharField(max_length=500, allow_blank=True)


class EntrantEntryOut(serializers.Serializer):
    rank = serializers.IntegerField()
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    standing = serializers.ChoiceField(choices=["place", "reserve", "declined"])
    standing_label = serializers.CharField()
    declined_at = serializers.DateTimeField(allow_null=True)
    declined_by = serializers.IntegerField(allow_null=True, help_text="组委会可见")
    declined_by_name = serializers.CharField(allow_null=True, help_text="组委会可见")
    reason = serializers.CharField(allow_null=True, help_text="组委会可见")


class EntrantListOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()
    places = serializers.IntegerField()
    holding = serializers.IntegerField()
    reserves = serializers.IntegerField()
    declined = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    entries = EntrantEntryOut(many=True)


def list_data(entrant_list: EntrantList, *, full: bool) -> dict[str, Any]:
    """A list as the API and the page show it; who declined and why only when ``full``."""
    rows = entrants.standings(entrant_list)
    counts = {s: sum(1 for r in rows if r.standing == s) for s in ("place", "reserve", "declined")}
    return {
        "kind": entrant_list.kind,
        "kind_label": str(NominationKind(entrant_list.kind).label),
        "field": entrant_list.field,
        "value": entrant_list.value,
        "places": entrant_list.places,
        "holding": counts["place"],
        "reserves": counts["reserve"],
        "declined": counts["declined"],
        "updated_at": serializers.DateTimeField().to_representation(entrant_list.updated_at),
        "entries": [
            {"rank": r.entry.rank, "unit": r.entry.unit_id, "unit_name": r.entry.unit.name, "standing": r.standing,
             "standing_label": r.standing_label,
             "declined_at": serializers.DateTimeField().to_representation(r.entry.declined_at)
             if r.entry.declined_at else None,
             "declined_by": r.entry.declined_by_id if full else None,
             "declined_by_name": (r.entry.declined_by.label if r.entry.declined_by else None) if full else None,
             "reason": r.entry.decline_reason if full and r.entry.declined_at else None}
            for r in rows
        ],
    }  # fmt: skip


def readable_lists(user: User, campaign: Campaign) -> tuple[list[EntrantList], bool]:
    """The campaign's lists the user may read, and whether in full (with the declines' reasons).

    The host's committee reads every list in full; a submitter or leader of a listed unit reads
    the lists naming it, without who declined and why; anyone else is refused (403)."""
    lists = list(EntrantList.objects.filter(campaign=campaign).order_by("kind"))
    if permissions.can_manage_entrant_list(user, campaign):
        return lists, True
    mine = set(permissions.units_nominating_by(user).values_list("pk", flat=True)) | set(
        permissions.units_of_own_nominations(user).values_list("pk", flat=True)
    )
    named = [lst for lst in lists if lst.entries.filter(unit_id__in=mine).exists()]
    if not named:
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return named, False


def entrant_campaign(user: User, pk: int) -> Campaign:
    """The campaign as the caller sees it; a draft also for its committee, which sets the lists
    before intake opens (a draft is otherwise seen by its campaign administrators only)."""
    try:
        return campaign_selectors.get_visible_campaign(user, pk)
    except NotVisible:
        campaign = Campaign.objects.select_related("host_org").filter(pk=pk).first()
        if campaign is None or not permissions.can_manage_entrant_list(user, campaign):
            raise
        return campaign


def _kind(campaign: Campaign, kind: str) -> str:
    if kind not in campaign.kinds:
        raise NotVisible(_("本活动没有该申报类别"))
    return kind


class EntrantListsView(APIView):
    @extend_schema(
        responses={200: EntrantListOut(many=True)}, summary="参赛名单（顺延）：各类别的排名、名额、候补与放弃"
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = entrant_campaign(user, pk)
        lists, full = readable_lists(user, campaign)
        return Response({"results": [list_data(lst, full=full) for lst in lists], "next": None})


class EntrantListView(APIView):
    @extend_schema(responses={200: EntrantListOut}, summary="一个类别的参赛名单")
    def get(self, request: Request, pk: int, kind: str) -> Response:
        user = request_user(request)
        campaign = entrant_campaign(user, pk)
        lists, full = readable_lists(user, campaign)
        found = next((lst for lst in lists if lst.kind == _kind(campaign, kind)), None)
        if found is None:
            raise NotVisible(_("本类别没有参赛名单"))
        return Response(list_data(found, full=full))

    @extend_schema(
        request=EntrantListIn, responses={200: EntrantListOut},
        summary="设置或更换一个类别的参赛名单（组委会，开始征集前）：units 按排名，前 places 个持有名额",
    )  # fmt: skip
    def put(self, request: Request, pk: int, kind: str) -> Response:
        user = request_user(request)
        campaign = entrant_campaign(user, pk)
        serializer = EntrantListIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids: list[int] = serializer.validated_data["units"]
        orgs = Organization.objects.in_bulk(ids)
        missing = {f"units[{i}]": [str(_("组织不存在"))] for i, unit in enumerate(ids) if unit not in orgs}
        if missing:
            raise InvalidInput(errors=missing)
        entrant_list = actions.set_entrant_list(
            campaign.pk, actor=user, kind=_kind(campaign, kind), places=serializer.validated_data["places"],
            units=[orgs[i] for i in ids], field=serializer.validated_data["field"],
            value=serializer.validated_data["value"],
        )  # fmt: skip
        return Response(list_data(entrant_list, full=True))


class EntrantDeclineView(APIView):
    @extend_schema(
        request=EntrantDeclineIn, responses={200: EntrantListOut},
        summary="放弃参赛名额（申报单位经办人、负责人或组委会，须填写理由）：名额按排名顺延给下一候补单位",
    )  # fmt: skip
    def post(self, request: Request, pk: int, kind: str) -> Response:
        user = request_user(request)
        campaign = entrant_campaign(user, pk)
        serializer = EntrantDeclineIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = Organization.objects.filter(pk=serializer.validated_data["unit"]).first()
        if unit is None:
            raise InvalidInput.for_field("unit", _("组织不存在"))
        entry = actions.decline_entrant_place(
            campaign.pk, actor=user, kind=_kind(campaign, kind), unit=unit, reason=serializer.validated_data["reason"]
        )
        entrant_list = EntrantList.objects.get(pk=entry.entrant_list_id)
        _lists, full = readable_lists(user, campaign)
        return Response(list_data(entrant_list, full=full))
