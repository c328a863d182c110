"""HTTP endpoints of nominations and their attachments (api.md, Nominations)."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts import selectors as account_selectors
from approvals import actions, filestore, selectors
from approvals.api.serializers import (
    AttachmentOut,
    NominationBrief,
    NominationIn,
    NominationOut,
    NominationUpdate,
    SupplementIn,
    SupplementOut,
)
from approvals.models import Attachment
from audit.trail import record_personal_data_read
from config.api.idempotency import idempotent
from config.api.views import PaginatedListMixin, int_param, resolve_ref
from config.errors import InvalidInput, NotVisible
from config.request_context import request_user
from workflows import forms
from workflows import selectors as campaign_selectors


class NominationListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: NominationBrief(many=True)},
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("status", str),
            OpenApiParameter("unit", int),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="申报列表（仅本人可见范围）",
    )
    def get(self, request: Request) -> Response:
        nominations = selectors.list_nominations(
            request_user(request),
            campaign=int_param(request, "campaign"),
            status=request.query_params.get("status") or None,
            unit=int_param(request, "unit"),
        )
        return self.paginated(request, nominations, NominationBrief)

    @extend_schema(request=NominationIn, responses={201: NominationOut}, summary="新建申报草稿（申报单位经办人）")
    @idempotent
    def post(self, request: Request) -> Response:
        user = request_user(request)
        serializer = NominationIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = resolve_ref(campaign_selectors.get_visible_campaign, user, "campaign", data["campaign"])
        unit = resolve_ref(account_selectors.get_visible_org, user, "unit", data["unit"])
        nomination = actions.create_nomination(
            actor=user, campaign=campaign, unit=unit, kind=data["kind"], title=data["title"], form=data["form"]
        )
        return Response(NominationOut(nomination).data, status=status.HTTP_201_CREATED)


class NominationDetailView(APIView):
    @extend_schema(
        responses={200: NominationOut},
        parameters=[OpenApiParameter("reveal", str, description="personal：显示完整身份证号和手机号（记入审计）")],
        summary="申报详情（个人信息默认脱敏）",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        reveal = request.query_params.get("reveal") == "personal"
        if reveal:
            if not permissions.can_reveal_personal_data(user, nomination):
                from config.errors import NotPermitted

                raise NotPermitted(target=("approvals.nomination", str(nomination.pk)))
            definition = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
            paths = forms.personal_paths(definition, nomination.form)
            if paths:
                record_personal_data_read(actor=user, target=nomination, fields=paths)
        return Response(NominationOut(nomination, context={"reveal": reveal}).data)

    @extend_schema(
        request=NominationUpdate, responses={200: NominationOut}, summary="修改草稿或退回的申报（自动保存）"
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        serializer = NominationUpdate(data=request.data)
        serializer.is_valid(raise_exception=True)
        nomination = actions.update_nomination(nomination.pk, actor=user, **serializer.validated_data)
        return Response(NominationOut(nomination).data)

    @extend_schema(
        responses={204: None},
        summary="删除从未提交过的草稿（已提交过的申报请撤回）",
        description="409 nomination_not_deletable：不是从未提交过的草稿。",
    )
    def delete(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        actions.delete_draft(nomination.pk, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NominationSubmitView(APIView):
    @extend_schema(request=None, responses={200: NominationOut}, summary="提交申报，进入审批")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        nomination = actions.submit_nomination(nomination.pk, actor=user)
        return Response(NominationOut(nomination).data)


class AttachmentUpload(serializers.Serializer):
    field = serializers.CharField(max_length=64)
    file = serializers.FileField()


class NominationAttachmentsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=AttachmentUpload, responses={201: AttachmentOut}, summary="上传附件（multipart）")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        upload = request.FILES.get("file")
        field = request.data.get("field")
        if upload is None or not field:
            errors = {}
            if upload is None:
                errors["file"] = [str(_("请选择要上传的文件"))]
            if not field:
                errors["field"] = [str(_("请指明附件所属的表单项"))]
            raise InvalidInput(errors=errors)
        attachment = actions.add_attachment(
            nomination.pk, actor=user, field=str(field), name=upload.name or "", stream=upload.file
        )
        return Response(AttachmentOut(attachment).data, status=status.HTTP_201_CREATED)


def _visible_attachment(request: Request, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk, removed_at__isnull=True).first()
    if attachment is None:
        raise NotVisible()
    selectors.get_visible_nomination(request_user(request), attachment.nomination_id)
    return attachment


class AttachmentDetailView(APIView):
    @extend_schema(responses={200: bytes}, summary="下载附件")
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = _visible_attachment(request, pk)
        path = filestore.path_of(attachment.storage_name)
        return FileResponse(path.open("rb"), as_attachment=True, filename=attachment.display_name)

    @extend_schema(responses={204: None}, summary="删除附件（草稿或退回状态）")
    def delete(self, request: Request, pk: int) -> Response:
        attachment = _visible_attachment(request, pk)
        actions.remove_attachment(attachment.pk, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NominationSupplementsView(APIView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request=SupplementIn, responses={201: SupplementOut}, summary="提交补充材料（提交后、各自截止前；盖章）"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        nomination = selectors.get_visible_nomination(user, pk)
        key = request.data.get("key")
        if not key:
            raise InvalidInput.for_field("key", _("请指明补充材料"))
        uploads = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
        supplement = actions.add_supplement(
            nomination.pk, actor=user, key=str(key), text=str(request.data.get("text") or ""),
            files=[(f.name or "", f.file) for f in uploads],
        )  # fmt: skip
        return Response(SupplementOut(supplement).data, status=status.HTTP_201_CREATED)
