from __future__ import annotations

from rest_framework import serializers

from config.api.serializers import StrictSerializer


class NotificationOut(serializers.Serializer):
    """An in-app notification (api.md, Notifications)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    link = serializers.CharField()


class UnreadCountOut(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedOut(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceOut(serializers.Serializer):
    in_app = serializers.SerializerMethodField()
    email_enabled = serializers.BooleanField()
    sms_enabled = serializers.BooleanField()
    has_email = serializers.SerializerMethodField()
    has_phone = serializers.SerializerMethodField()

    def get_in_app(self, obj: object) -> bool:
        return True

    def get_has_email(self, obj: object) -> bool:
        return bool(obj.user.email)  # type: ignore[attr-defined]

    def get_has_phone(self, obj: object) -> bool:
        return bool(obj.user.phone)  # type: ignore[attr-defined]


class PreferenceIn(StrictSerializer):
    email_enabled = serializers.BooleanField(required=False)
    sms_enabled = serializers.BooleanField(required=False)


class UrgeIn(StrictSerializer):
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class UrgeOut(serializers.Serializer):
    nomination = serializers.IntegerField(source="pk")
    task = serializers.IntegerField(source="task_id")
    stage = serializers.CharField()
