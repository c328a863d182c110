"""HTTP endpoints of the verifiable lottery (抽签) and the live results (api.md, Lottery, Live
results); each parses input and calls one action. The public ones need no account."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.models import Nomination
from config.api.serializers import StrictSerializer
from config.api.views import validated
from config.errors import NotVisible
from config.request_context import request_user
from judging import actions, lottery
from judging.api import _committee_campaign
from judging.models import Draw

# --- serializers ---------------------------------------------------------------------------


class DrawIn(StrictSerializer):
    contributions = serializers.ListField(
        child=serializers.CharField(max_length=actions.MAX_CONTRIBUTION_LENGTH),
        allow_empty=False,
        max_length=actions.MAX_CONTRIBUTIONS,
    )


class PublishIn(StrictSerializer):
    through = serializers.IntegerField(min_value=1, max_value=100_000)
    partial_group = serializers.BooleanField(
        required=False,
        default=False,
        help_text="publish through a place that ends no whole group (the committee decides)",
    )


class CommitOut(serializers.Serializer):
    draw = serializers.IntegerField()
    commitment = serializers.CharField()


class DrawOut(serializers.Serializer):
    draw = serializers.IntegerField()
    order = serializers.ListField(child=serializers.IntegerField())


class PresentationOut(serializers.Serializer):
    place = serializers.IntegerField()
    nomination = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField()


class PublicDrawOut(serializers.Serializer):
    draw = serializers.IntegerField()
    campaign = serializers.IntegerField()
    campaign_title = serializers.CharField()
    round = serializers.CharField()
    round_name = serializers.CharField()
    commitment = serializers.CharField()
    committed_at = serializers.DateTimeField()
    drawn = serializers.BooleanField()
    drawn_at = serializers.DateTimeField(allow_null=True)
    secret = serializers.CharField(allow_null=True, help_text="64 hex characters; null before the draw")
    contributions = serializers.ListField(child=serializers.CharField(), allow_null=True)
    entries = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    order = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    presentations = PresentationOut(many=True)
    method = serializers.CharField()


class ScoreRowOut(serializers.Serializer):
    order = serializers.IntegerField(help_text="place in the order of presentation, from 1")
    title = serializers.CharField()
    unit = serializers.CharField()
    score = serializers.DecimalField(max_digits=9, decimal_places=4)


class PublishOut(serializers.Serializer):
    published_through = serializers.IntegerField()
    results = ScoreRowOut(many=True)


class PublicScoresOut(serializers.Serializer):
    round = serializers.CharField()
    round_name = serializers.CharField()
    published_through = serializers.IntegerField()
    results = ScoreRowOut(many=True)
    next = serializers.CharField(allow_null=True, help_text="always null: one page holds every presentation")


# --- payloads shared with the pages (judging/web_live.py) ------------------------------------


def _labels(ids: list[int]) -> dict[int, tuple[str, str]]:
    """nomination id -> (title, unit name): what the public sees of an entry."""
    rows = Nomination.objects.filter(pk__in=ids).values_list("pk", "title", "unit__name")
    return {pk: (title, unit) for pk, title, unit in rows}


def public_draw(draw_id: int) -> dict[str, Any]:
    """The public record of a draw: the commitment always; secret, contributions, entries and
    order only once drawn. 404 for an unknown draw."""
    draw = Draw.objects.select_related("round__campaign").filter(pk=draw_id).first()
    if draw is None:
        raise NotVisible()
    campaign = draw.round.campaign
    definition: dict[str, Any] = next((d for d in campaign.rounds or [] if d.get("key") == draw.round.key), {})
    drawn = draw.drawn_at is not None
    labels = _labels(list(draw.order)) if drawn else {}
    return {
        "draw": draw.pk,
        "campaign": campaign.pk,
        "campaign_title": campaign.title,
        "round": draw.round.key,
        "round_name": definition.get("name") or draw.round.key,
        "commitment": draw.commitment,
        "committed_at": draw.committed_at,
        "drawn": drawn,
        "drawn_at": draw.drawn_at,
        "secret": draw.secret if drawn else None,
        "contributions": list(draw.contributions) if drawn else None,
        "entries": list(draw.entries) if drawn else None,
        "order": list(draw.order) if drawn else None,
        "presentations": [
            {
                "place": place,
                "nomination": entry,
                "title": labels.get(entry, ("", ""))[0],
                "unit": labels.get(entry, ("", ""))[1],
            }
            for place, entry in enumerate(draw.order if drawn else [], start=1)
        ],  # fmt: skip
        "method": lottery.METHOD_ZH,
    }


def score_rows(published: list[tuple[int, int, Any]]) -> list[dict[str, Any]]:
    """The published presentations as the public sees them: order, title, unit, score."""
    labels = _labels([entry for _place, entry, _score in published])
    return [
        {"order": place, "title": labels.get(entry, ("", ""))[0], "unit": labels.get(entry, ("", ""))[1],
         "score": score}
        for place, entry, score in published
    ]  # fmt: skip


def public_scores(campaign_id: int, round_key: str) -> dict[str, Any]:
    definition, published = actions.published_scores(campaign_id, round_key)
    return {
        "round": round_key,
        "round_name": definition.get("name") or round_key,
        "published_through": len(published),
        "results": score_rows(published),
        "next": None,
    }


# --- committee ------------------------------------------------------------------------------


class DrawCommitView(APIView):
    @extend_schema(
        request=None, responses={200: CommitOut}, summary="公布抽签承诺值（组委会；只能一次，抽签前也不能重新生成）"
    )
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        draw = actions.commit_draw(campaign.pk, key, actor=request_user(request))
        return Response({"draw": draw.pk, "commitment": draw.commitment})


class DrawView(APIView):
    @extend_schema(
        request=DrawIn, responses={200: DrawOut}, summary="现场抽签：录入代表取值并确定出场顺序（只能一次）"
    )
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(DrawIn, request.data)
        draw = actions.perform_draw(campaign.pk, key, actor=request_user(request), contributions=data["contributions"])
        return Response({"draw": draw.pk, "order": draw.order})


class PublishView(APIView):
    @extend_schema(
        request=PublishIn,
        responses={200: PublishOut},
        summary="公布前 through 个出场的成绩（组委会；已公布的不能撤回）",
    )
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(PublishIn, request.data)
        publication = actions.publish_results(
            campaign.pk, key, actor=request_user(request), through=data["through"], partial=data["partial_group"]
        )
        return Response(
            {"published_through": publication.published_through, "results": score_rows(publication.scores)}
        )


# --- public ---------------------------------------------------------------------------------


class PublicDrawView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicDrawOut}, summary="抽签公开记录（无需登录；抽签前只有承诺值）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(PublicDrawOut(public_draw(pk)).data)


class PublicScoresView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicScoresOut}, summary="现场成绩（无需登录；只含已公布的出场）")
    def get(self, request: Request, pk: int, key: str) -> Response:
        return Response(PublicScoresOut(public_scores(pk, key)).data)
