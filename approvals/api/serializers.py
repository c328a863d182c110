from __future__ import annotations

from rest_framework import serializers

from approvals.models import AuditEvent


class AuditEventOut(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)

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
