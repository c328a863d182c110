"""HTTP endpoints of 公示, objections, revocation and finalisation (api.md, 公示 and objections).

Each view parses input, resolves what it names through the caller's scope and calls one
action; the public ones need no account and show no one's identity.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from approvals import filestore, publicity_public, publicity_selectors, selectors
from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.actions import revocations as revocation_actions
from approvals.models import Objection
from config.api.idempotency import idempotent
from config.api.parsers import DepthLimitedJSONParser
from config.api.serializers import IdField, RealNameField, StrictSerializer
from config.api.views import PaginatedListMixin, int_param, validated
from config.errors import NotVisible
from config.request_context import request_user
from workflows import selectors as campaign_selectors
from workflows.api.serializers import DeadlineField

# --- serializers ---------------------------------------------------------------------------


class PublicityIn(StrictSerializer):
    starts_at = serializers.DateTimeField(required=False)
    ends_at = DeadlineField(required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    how_to_object = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # Why an explicit ``ends_at`` is shorter than the campaign's rule (400 ``publicity_too_short``
    # without it); recorded in the audit event.
    short_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # A round over a subset (the 入围, later the 十佳): award tiers (keys or names) and/or ids;
    # omitted, every approved nomination. 400 ``publicity_selection_invalid`` for unknown ones.
    tiers = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=50,
        help_text="按奖项等次（标识或名称）公示",
    )
    nominations = serializers.ListField(
        child=IdField(), required=False, max_length=5000, help_text="按申报编号公示（如入围名单）"
    )


class ObjectionIn(StrictSerializer):
    nomination = IdField()
    objector_kind = serializers.ChoiceField(choices=Objection.ObjectorKind.choices, default="person")
    name = RealNameField(max_length=100, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, allow_blank=True, default="")
    unit_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    unit_contact = serializers.CharField(max_length=100, allow_blank=True, default="")
    content = serializers.CharField(max_length=20000, allow_blank=True, default="", trim_whitespace=False)


class ObjectionOut(serializers.ModelSerializer):
    """What those who may see an objection see: the content, never the objector."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    nomination_title = serializers.CharField(source="nomination.title", read_only=True)
    campaign = serializers.IntegerField(source="nomination.campaign_id", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "nomination", "nomination_title", "campaign", "round", "content", "filed_at", "status",
                  "status_label", "investigator", "finding", "response", "decided_at"]  # fmt: skip

    def to_representation(self, instance: Objection) -> dict[str, Any]:
        """``finding`` (处理意见（内部）) only for the committee and the investigator (``context["user"]``);
        the nominee's unit reads the published ``response``, the finding empty."""
        body = dict(super().to_representation(instance))
        user = self.context.get("user")
        if user is None or not permissions.may_investigate(user, instance):
            body["finding"] = ""
        return body


class DecideIn(StrictSerializer):
    outcome = serializers.ChoiceField(choices=[Objection.Status.UPHELD, Objection.Status.DISMISSED])
    finding = serializers.CharField(max_length=5000)
    response = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignIn(StrictSerializer):
    investigator = IdField()


class FindingIn(StrictSerializer):
    text = serializers.CharField(max_length=5000)


class RecoverIn(StrictSerializer):
    prize_money = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    certificate = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BarIn(StrictSerializer):
    years = serializers.IntegerField(min_value=1, max_value=20)
    unit = serializers.BooleanField(default=False)
    person_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    person_name = RealNameField(max_length=100, required=False, allow_blank=True, default="")


class RevokeIn(StrictSerializer):
    reason = serializers.CharField(max_length=5000)
    recover = RecoverIn(required=False)
    bar = BarIn(required=False)
    publish = serializers.BooleanField(default=False)


# --- 公示 ----------------------------------------------------------------------------------


class CampaignPublicityView(APIView):
    @extend_schema(
        request=PublicityIn,
        responses={200: dict},
        summary="开始公示（组委会）：审批通过的申报全部进入公示，或按奖项等次、申报编号分轮公示其中一部分",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        data = validated(PublicityIn, request.data)
        publicity_round = publicity_actions.start_publicity(
            campaign.pk, actor=user, starts_at=data.get("starts_at"), ends_at=data.get("ends_at"),
            title=data["title"], how_to_object=data["how_to_object"], short_reason=data["short_reason"],
            tiers=data.get("tiers", []), nominations=data.get("nominations", []),
        )  # fmt: skip
        return Response(
            {
                "id": publicity_round.pk,
                "number": publicity_round.number,
                "title": publicity_round.title,
                "starts_at": DeadlineField().to_representation(publicity_round.starts_at),
                "ends_at": DeadlineField().to_representation(publicity_round.ends_at),
                "selection": publicity_round.selection or None,
                "nominations": list(
                    publicity_round.entries.order_by("nomination_id").values_list("nomination_id", flat=True)
                ),
                # the list as published, grouped by award tier after the awards are confirmed
                "entries": [
                    {"nomination": nomination_id, "tier_name": label}
                    for nomination_id, label in publicity_round.entries.order_by(
                        "position", "nomination_id"
                    ).values_list("nomination_id", "label")
                ],
            }
        )


class CampaignFinalizeView(APIView):
    @extend_schema(request=None, responses={200: dict}, summary="确定最终名单（组委会；公示期满且异议处理完毕后）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        ids = publicity_actions.finalize_campaign(campaign.pk, actor=user)
        return Response({"campaign": campaign.pk, "status": "finished", "final": ids})


class PublicPublicityView(APIView):
    """The public 公示 list: no account, cached in Redis, personal data masked or absent."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict}, summary="公示名单（无需登录）")
    def get(self, request: Request, pk: int) -> HttpResponse:
        gzipped = publicity_public.accepts_gzip(request)
        return publicity_public.public_response(
            publicity_public.public_json(pk, gzipped=gzipped),
            gzipped=gzipped,
            content_type="application/json; charset=utf-8",
        )


# --- objections: public --------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


class PublicObjectionsView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes = [DepthLimitedJSONParser, MultiPartParser]

    @extend_schema(request=ObjectionIn, responses={201: dict}, summary="实名提出异议（无需登录，公示期内）")
    @idempotent  # without an account: the key is scoped by the client address
    def post(self, request: Request) -> Response:
        files = request.FILES.getlist("evidence") if hasattr(request, "FILES") else []
        raw = request.data
        fields = {k: raw.get(k) for k in raw if k != "evidence"} if hasattr(raw, "keys") else raw
        objection_actions.check_objection_rate(
            _client_ip(request), str(fields.get("phone") or "") if isinstance(fields, dict) else ""
        )
        data = validated(ObjectionIn, fields)
        objection = objection_actions.file_objection(
            data["nomination"],
            objector=objection_actions.ObjectorInput(
                kind=data["objector_kind"], name=data["name"], phone=data["phone"],
                unit_name=data["unit_name"], unit_contact=data["unit_contact"],
            ),
            content=data["content"],
            evidence=[(f.name or "", f.file) for f in files],
            ip_address=_client_ip(request) or None,
        )  # fmt: skip
        return Response(
            {"receipt": objection.receipt, "status": objection.status, "filed_at": objection.filed_at},
            status=status.HTTP_201_CREATED,
        )


class PublicObjectionReceiptView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict}, summary="凭回执码查询异议处理情况（不含任何人的身份信息）")
    def get(self, request: Request, receipt: str) -> Response:
        objection = Objection.objects.select_related("nomination").filter(receipt=receipt.strip().upper()[:32]).first()
        if objection is None:
            raise NotVisible()
        decided = objection.status not in Objection.OPEN
        return Response(
            {
                "status": objection.status,
                "status_label": objection.get_status_display(),
                "response": objection.response if decided else "",
                "nomination_title": objection.nomination.title,
                "filed_at": objection.filed_at,
                "decided_at": objection.decided_at,
            }
        )


# --- objections: the committee, the investigator, the unit ----------------------------------


class ObjectionListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: ObjectionOut(many=True)},
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("nomination", int),
            OpenApiParameter("status", str),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="异议列表（组委会；被异议单位与调查人只见内容，不见异议人）",
    )
    def get(self, request: Request) -> Response:
        objections = publicity_selectors.list_objections(
            request_user(request),
            campaign=int_param(request, "campaign"),
            nomination=int_param(request, "nomination"),
            status=request.query_params.get("status") or None,
        )
        return self.paginated(request, objections, ObjectionOut, user=request_user(request))


class ObjectionDetailView(APIView):
    @extend_schema(responses={200: ObjectionOut}, summary="异议详情（不含异议人身份）")
    def get(self, request: Request, pk: int) -> Response:
        objection = publicity_selectors.get_visible_objection(request_user(request), pk)
        user = request_user(request)
        body = dict(ObjectionOut(objection, context={"user": user}).data)
        if permissions.may_investigate(user, objection):
            body["findings"] = [
                {"id": f.pk, "author": f.author_id, "text": f.text, "created_at": f.created_at}
                for f in objection.findings.order_by("id")
            ]
            body["evidence"] = [
                {"id": e.pk, "type": e.type, "size": e.size, "sha256": e.sha256}
                for e in objection.evidence.order_by("id")
            ]
        return Response(body)


class ObjectionIdentityView(APIView):
    @extend_schema(responses={200: dict}, summary="查看异议人身份（仅组委会，每次查看记入审计）")
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        objection = publicity_selectors.get_visible_objection(user, pk)
        return Response(objection_actions.read_objector_identity(objection.pk, actor=user))


class ObjectionEvidenceView(APIView):
    @extend_schema(responses={200: bytes}, summary="下载异议证明材料（仅组委会，每次下载记入审计）")
    def get(self, request: Request, pk: int, evidence: int) -> FileResponse:
        user = request_user(request)
        objection = publicity_selectors.get_visible_objection(user, pk)
        item = objection_actions.read_objection_evidence(objection.pk, evidence, actor=user)
        path = filestore.path_of(item.storage_name)
        return FileResponse(path.open("rb"), as_attachment=True, filename=item.display_name)


class ObjectionAssignView(APIView):
    @extend_schema(request=AssignIn, responses={200: ObjectionOut}, summary="指派调查人（组委会）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        objection = publicity_selectors.get_visible_objection(user, pk)
        data = validated(AssignIn, request.data)
        objection = objection_actions.assign_investigator(
            objection.pk, actor=user, investigator_id=data["investigator"]
        )
        return Response(ObjectionOut(objection, context={"user": user}).data)


class ObjectionFindingView(APIView):
    @extend_schema(request=FindingIn, responses={201: dict}, summary="记录调查核实情况（调查人或组委会）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        objection = publicity_selectors.get_visible_objection(user, pk)
        data = validated(FindingIn, request.data)
        finding = objection_actions.record_finding(objection.pk, actor=user, text=data["text"])
        return Response({"id": finding.pk, "created_at": finding.created_at}, status=status.HTTP_201_CREATED)


class ObjectionDecideView(APIView):
    @extend_schema(request=DecideIn, responses={200: ObjectionOut}, summary="作出异议处理决定（成立则撤销申报）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        objection = publicity_selectors.get_visible_objection(user, pk)
        data = validated(DecideIn, request.data)
        objection = objection_actions.decide_objection(
            objection.pk, actor=user, outcome=data["outcome"], finding=data["finding"], response=data["response"]
        )
        return Response(ObjectionOut(objection, context={"user": user}).data)


# --- revocation ----------------------------------------------------------------------------


class NominationRevokeView(APIView):
    @extend_schema(
        request=RevokeIn, responses={200: dict}, summary="撤销申报或奖项（组委会），可追回奖金证书、限制再申报"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        data = validated(RevokeIn, request.data)
        recover = data.get("recover")
        bar = data.get("bar")
        revocation = revocation_actions.revoke_nomination(
            nomination.pk,
            actor=user,
            reason=data["reason"],
            recovery=revocation_actions.Recovery(recover.get("prize_money"), recover["certificate"], recover["note"])
            if recover
            else None,
            bar=revocation_actions.Bar(bar["years"], bar["unit"], bar["person_id_number"], bar["person_name"])
            if bar
            else None,
            publish=data["publish"],
        )
        return Response(
            {
                "status": "revoked",
                "nomination": nomination.pk,
                "revocation": revocation.pk,
                "recover_prize_money": revocation.recover_prize_money,
                "recover_certificate": revocation.recover_certificate,
                "bars": [
                    {"until": b.until, "unit": b.unit_id, "person": b.person_label} for b in revocation.bars.all()
                ],
                "notice": revocation.notice_id,
            }
        )
