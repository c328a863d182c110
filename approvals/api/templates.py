"""A campaign's template files (附件1 申报表模板, 附件2 名额分配表): list, upload, download, remove."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import actions, filestore, selectors
from approvals.api.serializers import CampaignTemplateOut, CampaignTemplateUpload
from approvals.models import CampaignTemplate
from config.errors import InvalidInput, NotVisible
from config.request_context import request_user
from workflows import selectors as campaign_selectors


class CampaignTemplatesView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: CampaignTemplateOut(many=True)}, summary="活动附件模板列表")
    def get(self, request: Request, pk: int) -> Response:
        campaign = campaign_selectors.get_visible_campaign(request_user(request), pk)
        # One page holds them all (a notice has a handful), in the shape of every list of the API.
        return Response(
            {"results": CampaignTemplateOut(selectors.campaign_templates(campaign), many=True).data, "next": None}
        )

    @extend_schema(
        request=CampaignTemplateUpload, responses={201: CampaignTemplateOut}, summary="上传活动附件模板（multipart）"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput.for_field("file", _("请选择要上传的文件"))
        template = actions.add_campaign_template(
            campaign.pk, actor=user, title=str(request.data.get("title") or ""), name=upload.name or "",
            stream=upload.file,
        )  # fmt: skip
        return Response(CampaignTemplateOut(template).data, status=status.HTTP_201_CREATED)


def _template(request: Request, pk: int, template_id: int) -> CampaignTemplate:
    template = selectors.get_visible_template(request_user(request), template_id)
    if template.campaign_id != pk:
        raise NotVisible()
    return template


class CampaignTemplateDetailView(APIView):
    @extend_schema(responses={200: bytes}, summary="下载活动附件模板")
    def get(self, request: Request, pk: int, template_id: int) -> FileResponse:
        template = _template(request, pk, template_id)
        path = filestore.path_of(template.storage_name)
        return FileResponse(path.open("rb"), as_attachment=True, filename=template.display_name)

    @extend_schema(responses={204: None}, summary="删除活动附件模板")
    def delete(self, request: Request, pk: int, template_id: int) -> Response:
        template = _template(request, pk, template_id)
        actions.remove_campaign_template(template.pk, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
