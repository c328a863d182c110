"""Sign-off endpoints (api.md, Sign-off tasks): the inbox and the three decisions; withdraw; verify."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import PaginatedListMixin, _int_param, _user
from approvals import actions, seals, selectors
from approvals.api.serializers import DecisionIn, NominationOut, SignOffOut, TaskOut
from approvals.models import SignOff


class TaskListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: TaskOut(many=True)},
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("stage", str),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="我的待办审批任务",
    )
    def get(self, request: Request) -> Response:
        inbox = selectors.list_inbox(
            _user(request), campaign=_int_param(request, "campaign"), stage=request.query_params.get("stage") or None
        )
        return self.paginated(request, inbox, TaskOut)


class TaskDecisionView(APIView):
    decision = SignOff.Decision.APPROVE

    @extend_schema(request=DecisionIn, responses={200: SignOffOut}, summary="办理审批任务（同意 / 退回修改 / 不同意）")
    def post(self, request: Request, pk: int) -> Response:
        serializer = DecisionIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        signoff = actions.sign_off(
            pk, actor=_user(request), decision=self.decision, opinion=serializer.validated_data["opinion"]
        )
        return Response(SignOffOut(signoff).data)


class NominationWithdrawView(APIView):
    @extend_schema(request=None, responses={200: NominationOut}, summary="撤回申报（尚无审批意见时）")
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        nomination = actions.withdraw_nomination(nomination.pk, actor=user)
        return Response(NominationOut(nomination).data)


class NominationVerifyView(APIView):
    @extend_schema(responses={200: dict}, summary="校验申报的全部印章")
    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_visible_nomination(_user(request), pk)
        problems = seals.verify_nomination(nomination)
        return Response({"valid": not problems, "problems": [p.as_dict() for p in problems]})
