"""HTTP endpoints of the audit trail: the list (auditors) and the verification."""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from audit import selectors
from audit.models import AuditEvent
from audit.selectors import SHORT_TYPES
from audit.verification import run_verification
from config.api.views import PaginatedListMixin, int_param
from config.errors import InvalidInput, NotPermitted
from config.request_context import request_user


class AuditEventOut(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "action",
            "action_label",
            "actor",
            "actor_label",
            "object_type",
            "object_id",
            "seq",
            "data",
            "request_id",
            "ip_address",
            "prev_hash",
            "hash",
        ]


class AuditProblemOut(serializers.Serializer):
    kind = serializers.CharField()
    object = serializers.CharField()
    event_id = serializers.IntegerField(allow_null=True)
    seq = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()


class AuditVerifyOut(serializers.Serializer):
    valid = serializers.BooleanField()
    events = serializers.IntegerField()
    chains = serializers.IntegerField()
    anchors = serializers.IntegerField()
    problems = AuditProblemOut(many=True)


def _datetime_param(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        raise InvalidInput.for_field(name, _("请使用带时区的 ISO 8601 时间，例如 2026-01-01T00:00:00+08:00"))
    return value


class AuditListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: AuditEventOut(many=True)},
        parameters=[
            OpenApiParameter("object", str, description="对象，形如 nomination:12 或 accounts.user:3"),
            OpenApiParameter("actor", int),
            OpenApiParameter("action", str),
            OpenApiParameter("since", str),
            OpenApiParameter("until", str),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="审计记录（审计管理员），按时间先后",
    )
    def get(self, request: Request) -> Response:
        object_type = object_id = None
        raw = request.query_params.get("object")
        if raw:
            object_type, sep, object_id = raw.rpartition(":")
            if not sep or not object_type or not object_id:
                raise InvalidInput.for_field("object", _("格式应为 类型:编号，例如 nomination:12"))
            if "." not in object_type:
                object_type = SHORT_TYPES.get(object_type, object_type)
        events = selectors.list_audit_events(
            request_user(request),
            object_type=object_type,
            object_id=object_id,
            actor=int_param(request, "actor"),
            action=request.query_params.get("action") or None,
            since=_datetime_param(request, "since"),
            until=_datetime_param(request, "until"),
        )
        return self.paginated(request, events, AuditEventOut)


class AuditVerifyView(APIView):
    @extend_schema(responses={200: AuditVerifyOut}, summary="校验审计链与锚点（审计管理员）")
    def get(self, request: Request) -> Response:
        user = request_user(request)
        if not permissions.can_read_audit(user):
            raise NotPermitted(target=("audit.trail", "all"))
        report = run_verification(user)
        return Response(
            {
                "valid": report.valid,
                "events": report.events,
                "chains": report.chains,
                "anchors": report.anchors,
                "problems": [p.as_dict() for p in report.problems],
            }
        )
