"""HTTP endpoints of Excel import and export of a campaign's nominations.

- ``GET /api/v1/campaigns/{id}/import-template?kind=case`` → the .xlsx template (anyone who sees the campaign).
- ``POST /api/v1/campaigns/{id}/import`` (multipart: ``kind``, ``file``) → 201 ``{"created": n, "ids": [...]}``;
  400 ``import_rejected`` with ``errors = {"rows": [{"line": n, "errors": {column: [message]}}]}`` when any
  row is wrong (nothing is imported); 400 ``import_file_invalid`` (not an .xlsx from the template; header
  problems in ``errors.missing_columns`` / ``unknown_columns`` / ``repeated_columns``), 400 ``file_*`` from
  the upload checks, 409 outside the submission window.
- ``GET /api/v1/campaigns/{id}/export`` → .xlsx of the campaign's nominations the caller sees, masked.
"""

from __future__ import annotations

import re
from typing import BinaryIO, cast

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import actions, excel, selectors, uploads
from config.api.idempotency import idempotent
from config.errors import InvalidInput
from config.request_context import request_user
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Multipart framing around the file (boundaries, part headers, the kind field).
_MULTIPART_OVERHEAD = 64 * 1024
XLSX_MIME = uploads.MIME_TYPES["xlsx"]


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    filename = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", filename)
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


def _kind(campaign: Campaign, raw: object) -> str:
    """The requested kind; may be left out when the campaign has only one."""
    if raw:
        return str(raw)
    if len(campaign.kinds) == 1:
        return str(campaign.kinds[0])
    raise InvalidInput.for_field("kind", _("请指明申报类别"), code="kind_required")


class ImportUpload(serializers.Serializer):
    kind = serializers.CharField(required=False)
    file = serializers.FileField()


class ImportResult(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ImportTemplateView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, description="申报类别，活动只有一个类别时可省略")],
        responses={(200, XLSX_MIME): OpenApiResponse(description="导入模板（.xlsx）")},
        summary="下载申报导入模板（Excel）",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        campaign = campaign_selectors.get_visible_campaign(request_user(request), pk)
        kind = _kind(campaign, request.query_params.get("kind"))
        content = excel.template_workbook(campaign, kind)
        return _xlsx(content, f"{campaign.title}-{kind}-导入模板.xlsx")


class ImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUpload},
        responses={
            201: ImportResult,
            400: OpenApiResponse(
                description=(
                    'import_rejected：errors = {"rows": [{"line": Excel 行号, "errors": {列名: [提示]}}]}，'
                    "未导入任何申报；import_file_invalid：不是模板格式的 .xlsx（表头问题见 errors.missing_columns、"
                    "unknown_columns、repeated_columns）；file_*：文件检查未通过"
                )
            ),
            409: OpenApiResponse(description="不在征集时间内"),
        },
        summary="从 Excel 批量导入申报草稿（全部无误才导入）",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        # Refuse an oversized body before it is parsed (files are not bound by DATA_UPLOAD_MAX_MEMORY_SIZE).
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_IMPORT_BYTES + _MULTIPART_OVERHEAD:
            message = str(_("导入文件不能超过 20 MB"))
            raise uploads.UploadRejected(message, code="file_too_large")
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(errors={"file": [str(_("请选择要导入的 Excel 文件"))]})
        kind = _kind(campaign, request.data.get("kind"))
        stream = cast(BinaryIO, upload.file)
        info = uploads.inspect_upload(upload.name or "", stream, allowed_types=["xlsx"], max_size=MAX_IMPORT_BYTES)
        rows = excel.read_rows(campaign, kind, stream)
        report = actions.import_nominations(
            actor=user, campaign=campaign, kind=kind, rows=rows, file_sha256=info.sha256
        )
        return Response({"created": report.created, "ids": report.ids}, status=status.HTTP_201_CREATED)


class ExportView(APIView):
    @extend_schema(
        responses={(200, XLSX_MIME): OpenApiResponse(description="申报一览（.xlsx，个人信息已脱敏）")},
        summary="导出本活动中您可见的申报（Excel，个人信息脱敏）",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        nominations = selectors.list_nominations(user, campaign=campaign.pk)
        content = excel.export_workbook(nominations, campaign)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return _xlsx(content, f"{campaign.title}-申报-{stamp}.xlsx")
