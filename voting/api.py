"""HTTP endpoints of public likes (api.md, Public voting (点赞)); each parses input and calls one
action or selector. The public ones need no account; the committee's ask ``can_run_voting``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from config.api.serializers import IdField, StrictSerializer
from config.api.views import validated
from config.errors import InvalidInput, NotPermitted, NotVisible
from config.request_context import request_user
from voting import actions, selectors
from voting.models import VotingWindow
from workflows import selectors as campaign_selectors
from workflows.api.serializers import DeadlineField

# --- serializers ---------------------------------------------------------------------------


class VotingIn(StrictSerializer):
    round = serializers.CharField(max_length=40)
    starts_at = serializers.DateTimeField()
    ends_at = DeadlineField()
    per_phone_per_day = serializers.IntegerField(min_value=1, max_value=100)


class VotingOut(serializers.ModelSerializer):
    round = serializers.CharField(source="round_key", read_only=True)
    entries = serializers.SerializerMethodField()

    class Meta:
        model = VotingWindow
        fields = ["id", "campaign", "round", "starts_at", "ends_at", "per_phone_per_day", "opened_at", "closed_at",
                  "entries"]  # fmt: skip

    def get_entries(self, window: VotingWindow) -> list[int]:
        return list(window.entries.order_by("nomination_id").values_list("nomination_id", flat=True))


class VotingListOut(serializers.Serializer):
    results = VotingOut(many=True)
    next = serializers.CharField(allow_null=True)


class CodeIn(StrictSerializer):
    phone = serializers.CharField(max_length=40)


class CodeOut(serializers.Serializer):
    sent = serializers.BooleanField()
    expires_in = serializers.IntegerField()


class VoteIn(StrictSerializer):
    nomination = IdField()
    phone = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=12)


class VoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    nomination = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class StandingOut(serializers.Serializer):
    nomination = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    votes = serializers.IntegerField()
    rank = serializers.IntegerField()


class StandingsOut(serializers.Serializer):
    results = StandingOut(many=True)
    next = serializers.CharField(allow_null=True)
    round = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    open = serializers.BooleanField()


class VoidIn(StrictSerializer):
    reason = serializers.CharField(max_length=500)
    ids = serializers.ListField(child=IdField(), required=False, default=list, max_length=100_000)
    address = serializers.IPAddressField(required=False, allow_blank=True, default="")
    phone_prefix = serializers.RegexField(r"^\d{3,11}$", required=False, allow_blank=True, default="")
    since = serializers.DateTimeField(required=False, allow_null=True, default=None)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VoidOut(serializers.Serializer):
    voided = serializers.ListField(child=serializers.IntegerField())


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _committee_window(request: Request, pk: int) -> VotingWindow:
    """The window (404 unless the caller sees its campaign), 403 unless the caller runs its voting."""
    user = request_user(request)
    window = VotingWindow.objects.filter(pk=pk).first()
    if window is None:
        raise NotVisible()
    campaign = campaign_selectors.get_visible_campaign(user, window.campaign_id)
    if not permissions.can_run_voting(user, campaign):
        raise NotPermitted(target=("voting.votingwindow", str(window.pk)))
    return window


# --- the committee --------------------------------------------------------------------------


class CampaignVotingView(APIView):
    @extend_schema(responses={200: VotingListOut}, summary="本活动的网络点赞（组委会）")
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        if not permissions.can_run_voting(user, campaign):
            raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
        windows = VotingWindow.objects.filter(campaign=campaign).order_by("id")
        return Response({"results": VotingOut(windows, many=True).data, "next": None})

    @extend_schema(request=VotingIn, responses={201: VotingOut}, summary="开启网络点赞（组委会，vote 轮次）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        data = validated(VotingIn, request.data)
        window = actions.open_voting(
            campaign.pk, data["round"], actor=user, starts_at=data["starts_at"], ends_at=data["ends_at"],
            per_phone_per_day=data["per_phone_per_day"],
        )  # fmt: skip
        return Response(VotingOut(window).data, status=status.HTTP_201_CREATED)


class VotingCloseView(APIView):
    @extend_schema(request=None, responses={200: VotingOut}, summary="结束网络点赞并按票数写入本轮成绩（组委会）")
    def post(self, request: Request, pk: int) -> Response:
        window = _committee_window(request, pk)
        return Response(VotingOut(actions.close_voting(window.pk, actor=request_user(request))).data)


class VotingAnomaliesView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("burst", int, description="每分钟达到多少票视为突增（默认10）")],
        responses={200: dict},
        summary="网络点赞异常报告：每分钟票数、突增的来源地址与号段（组委会）",
    )
    def get(self, request: Request, pk: int) -> Response:
        window = _committee_window(request, pk)
        raw = request.query_params.get("burst") or "10"
        burst = int(raw) if raw.isdigit() and 1 <= int(raw) <= 100_000 else None
        if burst is None:
            raise InvalidInput.for_field("burst", "必须是1到100000之间的整数", code="invalid_parameter")
        return Response(selectors.anomaly_report(window, burst=burst))


class VotingVoidView(APIView):
    @extend_schema(request=VoidIn, responses={200: VoidOut}, summary="作废点赞票（组委会，须填写原因）")
    def post(self, request: Request, pk: int) -> Response:
        window = _committee_window(request, pk)
        data = validated(VoidIn, request.data)
        where = actions.VoteFilter(
            address=data["address"], phone_prefix=data["phone_prefix"], since=data["since"], until=data["until"]
        )
        voided = actions.void_votes(window.pk, actor=request_user(request), reason=data["reason"], ids=data["ids"],
                                    where=where)  # fmt: skip
        return Response({"voided": voided})


# --- the public -----------------------------------------------------------------------------


class PublicVoteCodeView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=CodeIn, responses={200: CodeOut}, summary="获取点赞短信验证码（无需登录）")
    def post(self, request: Request) -> Response:
        data = validated(CodeIn, request.data)
        actions.send_vote_code(data["phone"], address=client_address(request))
        return Response({"sent": True, "expires_in": actions.CODE_MINUTES * 60})


class PublicVotesView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=VoteIn, responses={201: VoteOut}, summary="网络点赞投票（无需登录，凭短信验证码）")
    def post(self, request: Request) -> Response:
        data = validated(VoteIn, request.data)
        vote = actions.cast_vote(
            data["nomination"], phone=data["phone"], code=data["code"], address=client_address(request)
        )
        return Response(
            {"id": vote.pk, "nomination": vote.nomination_id, "created_at": vote.created_at},
            status=status.HTTP_201_CREATED,
        )


def standings_payload(window: VotingWindow) -> dict[str, Any]:
    rows = selectors.standings(window)
    return {
        "results": [
            {"nomination": s.nomination, "title": s.title, "kind": s.kind, "votes": s.votes, "rank": s.rank}
            for s in rows
        ],
        "next": None,
        "round": window.round_key,
        "starts_at": window.starts_at,
        "ends_at": window.ends_at,
        "open": selectors.is_open(window),
    }


class PublicStandingsView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("round", str, description="轮次标识（默认最近一次点赞）")],
        responses={200: StandingsOut},
        summary="网络点赞票数与排名（公开；按类别排名，作废票不计）",
    )
    def get(self, request: Request, pk: int) -> Response:
        window = selectors.public_window(pk, request.query_params.get("round") or None)
        return Response(StandingsOut(standings_payload(window)).data)
