"""Sign-off endpoints (api.md, Sign-off tasks): the inbox and the three decisions; withdraw; verify."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import actions, seals, selectors
from approvals.actions.delegations import create_delegation, revoke_delegation
from approvals.api.serializers import (
    AddSignerIn,
    BatchDecisionIn,
    DecisionIn,
    DelegationIn,
    DelegationOut,
    NominationOut,
    ReturnIn,
    SeatOut,
    SignOffOut,
    TaskOut,
    TransferIn,
)
from approvals.models import SignOff
from config.api.views import PaginatedListMixin, int_param
from config.request_context import request_user


class TaskListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: TaskOut(many=True)},
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("stage", str),
            OpenApiParameter("overdue", bool, description="只列出已超过办理时限的任务"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="我的待办审批任务",
    )
    def get(self, request: Request) -> Response:
        inbox = selectors.list_inbox(
            request_user(request),
            campaign=int_param(request, "campaign"),
            stage=request.query_params.get("stage") or None,
            overdue=request.query_params.get("overdue") in ("1", "true"),
        )
        return self.paginated(request, inbox, TaskOut)


class TaskDecisionView(APIView):
    decision = SignOff.Decision.APPROVE

    @extend_schema(request=DecisionIn, responses={200: SignOffOut}, summary="办理审批任务（同意 / 退回修改 / 不同意）")
    def post(self, request: Request, pk: int) -> Response:
        serializer = DecisionIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        signoff = actions.sign_off(
            pk,
            actor=request_user(request),
            decision=self.decision,
            opinion=serializer.validated_data["opinion"],
            cc=serializer.validated_data["cc"],
        )
        return Response(SignOffOut(signoff).data)


class TaskReturnView(APIView):
    @extend_schema(
        request=ReturnIn,
        responses={200: SignOffOut},
        summary="退回修改（退回申报单位，或以 to_stage 退回到之前的某一环节）",
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = ReturnIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        signoff = actions.sign_off(
            pk,
            actor=request_user(request),
            decision=SignOff.Decision.RETURN,
            opinion=data["opinion"],
            to_stage=data["to_stage"],
            cc=data["cc"],
        )
        return Response(SignOffOut(signoff).data)


class NominationWithdrawView(APIView):
    @extend_schema(request=None, responses={200: NominationOut}, summary="撤回申报（尚无审批意见时）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        nomination = actions.withdraw_nomination(nomination.pk, actor=user)
        return Response(NominationOut(nomination).data)


class NominationVerifyView(APIView):
    @extend_schema(responses={200: dict}, summary="校验申报的全部印章")
    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_visible_nomination(request_user(request), pk)
        problems = seals.verify_nomination(nomination)
        return Response({"valid": not problems, "problems": [p.as_dict() for p in problems]})


class TaskBatchApproveView(APIView):
    @extend_schema(
        request=BatchDecisionIn,
        responses={200: SignOffOut(many=True)},
        summary="批量同意（最多 100 个，全部成功或全部不办理）",
    )
    def post(self, request: Request) -> Response:
        serializer = BatchDecisionIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        signoffs = actions.sign_off_batch(data["tasks"], actor=request_user(request), opinion=data["opinion"])
        return Response({"results": SignOffOut(signoffs, many=True).data, "next": None})


class TaskTransferView(APIView):
    @extend_schema(request=TransferIn, responses={200: NominationOut}, summary="转交给本组织同一角色的其他人员")
    def post(self, request: Request, pk: int) -> Response:
        serializer = TransferIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        nomination = actions.transfer_task(
            pk, actor=request_user(request), to_user_id=data["to_user"], reason=data["reason"]
        )
        return Response(NominationOut(nomination).data)


class TaskAddSignerView(APIView):
    @extend_schema(
        request=AddSignerIn,
        responses={201: SeatOut},
        summary="加签：在本人之前（前加签）或之后（后加签）增加一位签署人（user）或一个岗位（role + org）",
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = AddSignerIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        seat = actions.add_signer(
            pk, actor=request_user(request), user_id=data["user"], role=data["role"], org_id=data["org"],
            position=data["position"], reason=data["reason"],
        )  # fmt: skip
        return Response(SeatOut(seat).data, status=201)


class NominationSealsView(APIView):
    @extend_schema(responses={200: dict}, summary="导出印章链（可用 docs/verify_seals.py 离线校验）")
    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_visible_nomination(request_user(request), pk)
        return Response(seals.export_chain(nomination))


class PublicVerifyView(APIView):
    """The public seal check by verification code: no content, no personal data."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict}, summary="公开验章（凭校验码，无需登录）")
    def get(self, request: Request, code: str) -> Response:
        return Response(selectors.public_verification(code))


class DelegationListView(PaginatedListMixin, APIView):
    """代签: the delegations the caller gave (as a stage holder) or received (as a delegate)."""

    @extend_schema(
        responses={200: DelegationOut(many=True)},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("limit", int)],
        summary="我设置或受托的代签",
    )
    def get(self, request: Request) -> Response:
        return self.paginated(request, selectors.list_delegations(request_user(request)).order_by("id"), DelegationOut)

    @extend_schema(
        request=DelegationIn, responses={201: DelegationOut}, summary="设置代签（委托本组织同事在一段时间内代为审批）"
    )
    def post(self, request: Request) -> Response:
        serializer = DelegationIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        delegation = create_delegation(
            actor=request_user(request), delegate_id=data["delegate"], role=data["role"], org_id=data["org"],
            starts_at=data["starts_at"], ends_at=data["ends_at"], reason=data["reason"],
        )  # fmt: skip
        return Response(DelegationOut(delegation).data, status=201)


class DelegationRevokeView(APIView):
    @extend_schema(request=None, responses={200: DelegationOut}, summary="撤销代签")
    def post(self, request: Request, pk: int) -> Response:
        delegation = revoke_delegation(pk, actor=request_user(request))
        return Response(DelegationOut(delegation).data)
