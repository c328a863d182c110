"""HTTP endpoints of judging (api.md, Judging, awards and results); each parses input and calls one
action or selector. A judge sees only their own assignments and scores until the round closes."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from audit.hashing import canonical_json
from config.api.serializers import IdField, StrictSerializer
from config.api.views import PaginatedListMixin, validated
from config.errors import InvalidInput, NotPermitted
from config.request_context import request_user
from judging import actions, excel, selectors
from judging.models import Assignment, RoundResult
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

MAX_IMPORT_BYTES = 10 * 1024 * 1024

# --- serializers ---------------------------------------------------------------------------


class PanelIn(StrictSerializer):
    judges = serializers.ListField(child=IdField(), allow_empty=False, max_length=500)
    per_entry = serializers.IntegerField(min_value=1, max_value=500, required=False, allow_null=True)


class ScoreIn(StrictSerializer):
    scores = serializers.DictField(child=serializers.JSONField())
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class SubmitIn(StrictSerializer):
    scores = serializers.DictField(child=serializers.JSONField(), required=False)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RecuseIn(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class ImportRowIn(StrictSerializer):
    nomination = serializers.JSONField()
    score = serializers.JSONField()


class ImportIn(StrictSerializer):
    scores = serializers.ListField(child=ImportRowIn(), allow_empty=False, max_length=100_000)


class CorrectionIn(StrictSerializer):
    scores = serializers.DictField(child=serializers.JSONField())
    reason = serializers.CharField(max_length=5000)


class TieIn(StrictSerializer):
    advancing = serializers.ListField(child=IdField(), allow_empty=False, max_length=1000)


class AssignmentOut(serializers.ModelSerializer):
    round = serializers.CharField(source="round.key", read_only=True)
    campaign = serializers.IntegerField(source="round.campaign_id", read_only=True)
    title = serializers.CharField(source="nomination.title", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "campaign", "round", "nomination", "title", "status"]


class AssignmentDetailOut(AssignmentOut):
    kind = serializers.CharField(source="nomination.kind", read_only=True)
    unit = serializers.CharField(source="nomination.unit.name", read_only=True)
    content = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id", "campaign", "round", "nomination", "title", "kind", "unit", "status", "recusal_kind",
            "recusal_reason", "scores", "comment", "saved_at", "submitted_at", "criteria", "content",
        ]  # fmt: skip

    def get_content(self, assignment: Assignment) -> dict[str, Any]:
        return selectors.masked_content(assignment)

    def get_criteria(self, assignment: Assignment) -> list[dict[str, Any]]:
        definition = actions.round_definition(assignment.round.campaign, assignment.round.key)
        return list(definition.get("criteria") or [])


class ResultOut(serializers.ModelSerializer):
    title = serializers.CharField(source="nomination.title", read_only=True)

    class Meta:
        model = RoundResult
        fields = ["nomination", "title", "kind", "score", "round_score", "rank", "tied", "advanced"]


class ResultsOut(serializers.Serializer):
    results = ResultOut(many=True)
    boundary_tie = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class RecusedOut(serializers.Serializer):
    judge = serializers.IntegerField()
    nomination = serializers.IntegerField()
    reason = serializers.CharField()


class PanelOut(serializers.Serializer):
    assignments = serializers.ListField(child=serializers.DictField())
    recused = RecusedOut(many=True)
    short = serializers.ListField(child=serializers.DictField())


class ProgressOut(serializers.Serializer):
    judge = serializers.IntegerField()
    name = serializers.CharField()
    pending = serializers.IntegerField()
    submitted = serializers.IntegerField()
    recused = serializers.IntegerField()


def _committee_campaign(request: Request, pk: int) -> Campaign:
    """The campaign (404 outside the caller's view), and 403 unless the caller runs its judging."""
    user = request_user(request)
    campaign = campaign_selectors.get_visible_campaign(user, pk)
    if not permissions.can_run_judging(user, campaign):
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return campaign


def _results_payload(campaign: Campaign, key: str, results: list[RoundResult]) -> dict[str, Any]:
    current = selectors.get_round(campaign, key)
    prefetch_related_objects(results, "nomination")  # the titles in one query, not one per result
    return {
        "results": ResultOut(results, many=True).data,
        "boundary_tie": (current.boundary_tie if current else {}) or {},
    }


# --- committee: rounds ----------------------------------------------------------------------


class PanelView(APIView):
    @extend_schema(request=PanelIn, responses={200: PanelOut}, summary="组建评审专家组（组委会），自动回避")
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(PanelIn, request.data)
        panel = actions.set_up_panel(
            campaign.pk, key, actor=request_user(request), judge_ids=data["judges"], per_entry=data.get("per_entry")
        )
        return Response(
            {
                "assignments": [
                    {"id": a.pk, "judge": a.judge_id, "nomination": a.nomination_id} for a in panel.assignments
                ],
                "recused": [
                    {"judge": a.judge_id, "nomination": a.nomination_id, "reason": a.recusal_reason}
                    for a in panel.recused
                ],
                "short": panel.short,
            }
        )


class ScoresImportView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={"application/json": ImportIn, "multipart/form-data": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}}}},
        responses={200: dict},
        summary="导入成绩（组委会；JSON 或 Excel），全部成功或全部不导入",
    )  # fmt: skip
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise InvalidInput.for_field("file", "文件过大")
            content = upload.read()
            rows = excel.read_score_rows(content)
            digest = hashlib.sha256(content).hexdigest()
            filename = upload.name or ""
        elif request.content_type.startswith("multipart/"):
            raise InvalidInput.for_field("file", "请上传 Excel 文件")
        else:
            data = validated(ImportIn, request.data)
            rows = [(f"scores[{i}]", r["nomination"], r["score"]) for i, r in enumerate(data["scores"])]
            digest = hashlib.sha256(canonical_json(request.data).encode()).hexdigest()
            filename = ""
        batch = actions.import_scores(
            campaign.pk, key, actor=request_user(request), rows=rows, sha256=digest, filename=filename
        )
        return Response({"batch": batch.pk, "rows": batch.row_count, "sha256": batch.sha256})


class CloseView(APIView):
    @extend_schema(request=None, responses={200: ResultsOut}, summary="结束评审轮次并计算排名（组委会）")
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        results = actions.close_round(campaign.pk, key, actor=request_user(request))
        results.sort(key=lambda r: (r.kind, r.rank, r.nomination_id))
        return Response(_results_payload(campaign, key, results))


class ResultsView(APIView):
    @extend_schema(responses={200: ResultsOut}, summary="轮次成绩与排名（组委会；本轮专家在结束后）")
    def get(self, request: Request, pk: int, key: str) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        actions.round_definition(campaign, key)
        return Response(_results_payload(campaign, key, selectors.results_for(user, campaign, key)))


class ProgressView(APIView):
    @extend_schema(responses={200: ProgressOut(many=True)}, summary="评分进度（组委会，按专家）")
    def get(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        actions.round_definition(campaign, key)
        return Response(selectors.progress(campaign, key))


class TieView(APIView):
    @extend_schema(request=TieIn, responses={200: dict}, summary="裁定晋级线上的同分（组委会）")
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(TieIn, request.data)
        chosen = actions.resolve_tie(campaign.pk, key, actor=request_user(request), advancing=data["advancing"])
        return Response({"advancing": chosen})


class UrgeView(APIView):
    @extend_schema(request=None, responses={200: dict}, summary="催评：提醒尚未完成评分的专家（组委会）")
    def post(self, request: Request, pk: int, key: str) -> Response:
        campaign = _committee_campaign(request, pk)
        judges = actions.urge_judges(campaign.pk, key, actor=request_user(request))
        return Response({"judges": judges})


# --- judges: assignments --------------------------------------------------------------------


class AssignmentListView(PaginatedListMixin, APIView):
    @extend_schema(responses={200: AssignmentOut(many=True)}, summary="我的评审任务（评审专家）")
    def get(self, request: Request) -> Response:
        return self.paginated(request, selectors.assignments_of(request_user(request)).order_by("id"), AssignmentOut)


class AssignmentDetailView(APIView):
    @extend_schema(responses={200: AssignmentDetailOut}, summary="评审任务详情：申报内容（个人信息脱敏）与本人评分")
    def get(self, request: Request, pk: int) -> Response:
        assignment = selectors.get_assignment(request_user(request), pk)
        return Response(AssignmentDetailOut(assignment).data)


class ScoreView(APIView):
    @extend_schema(request=ScoreIn, responses={200: AssignmentDetailOut}, summary="保存评分（草稿，可修改）")
    def put(self, request: Request, pk: int) -> Response:
        data = validated(ScoreIn, request.data)
        user = request_user(request)
        actions.save_score(pk, actor=user, scores=data["scores"], comment=data.get("comment"))
        return Response(AssignmentDetailOut(selectors.get_assignment(user, pk)).data)


class SubmitView(APIView):
    @extend_schema(request=SubmitIn, responses={200: AssignmentDetailOut}, summary="提交评分（提交后不可修改）")
    def post(self, request: Request, pk: int) -> Response:
        data = validated(SubmitIn, request.data or {})
        user = request_user(request)
        actions.submit_score(pk, actor=user, scores=data.get("scores"), comment=data.get("comment"))
        return Response(AssignmentDetailOut(selectors.get_assignment(user, pk)).data)


class RecuseView(APIView):
    @extend_schema(request=RecuseIn, responses={200: AssignmentDetailOut}, summary="申明回避（填写原因）")
    def post(self, request: Request, pk: int) -> Response:
        data = validated(RecuseIn, request.data)
        user = request_user(request)
        actions.declare_conflict(pk, actor=user, reason=data["reason"])
        return Response(AssignmentDetailOut(selectors.get_assignment(user, pk)).data)


class CorrectionView(APIView):
    @extend_schema(request=CorrectionIn, responses={201: dict}, summary="更正已提交的评分（组委会，须填写原因）")
    def post(self, request: Request, pk: int) -> Response:
        data = validated(CorrectionIn, request.data)
        user = request_user(request)
        selectors.get_assignment(user, pk)
        correction = actions.correct_score(pk, actor=user, scores=data["scores"], reason=data["reason"])
        return Response({"id": correction.pk, "old": correction.old, "new": correction.new}, status=201)
