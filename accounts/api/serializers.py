"""Input and output shapes of the accounts API (api.md, Accounts)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Grant, Organization, User
from accounts.roles import ADMIN_ROLES, ROLE_ORG_KINDS, ROLE_SCOPE, OrgKind, Role
from config.api.serializers import IdField, RealNameField, StrictSerializer
from config.masking import mask_phone


class TokenRequest(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    user = serializers.IntegerField()


class PasswordChangeRequest(StrictSerializer):
    old_password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class PasswordResetRequest(StrictSerializer):
    """Empty: the administrator never chooses the password (三员分立); a ``password`` field is refused."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise serializers.ValidationError(
                {"password": [str(_("管理员不能设置他人密码：重置验证码将发送到账户本人的手机或邮箱"))]}
            )
        return super().to_internal_value(data)


class PasswordResetOut(serializers.Serializer):
    channels = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()


class OrgCreate(StrictSerializer):
    name = serializers.CharField(max_length=200)
    code = serializers.RegexField(r"^[A-Za-z0-9_.\-]+$", max_length=64)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    parent = IdField(allow_null=True)  # type: ignore[assignment]


class OrgUpdate(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    parent = IdField(allow_null=True, required=False)  # type: ignore[assignment]


class OrgOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "code", "kind", "kind_label", "parent", "depth", "created_at"]

    def to_representation(self, org: Organization) -> dict[str, Any]:
        # Written out by hand: lists of organisations are the hottest read of the accounts API,
        # and DRF's generic field walk cost about 0.2 ms per row (bench/README.md).
        if not hasattr(self, "_labels"):
            self._labels = {value: str(label) for value, label in OrgKind.choices}
            self._time = serializers.DateTimeField()
        return {
            "id": org.pk,
            "name": org.name,
            "code": org.code,
            "kind": org.kind,
            "kind_label": self._labels[org.kind],
            "parent": org.parent_id,
            "depth": org.depth,
            "created_at": self._time.to_representation(org.created_at),
        }


class UserCreate(StrictSerializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.@+\-]+$", max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    display_name = RealNameField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    org = IdField(allow_null=True, required=False)


class UserUpdate(StrictSerializer):
    display_name = RealNameField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    org = IdField(allow_null=True, required=False)
    is_active = serializers.BooleanField(required=False)


class GrantBrief(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "role", "role_label", "org"]


class UserOut(serializers.ModelSerializer):
    """An account; the phone is masked unless the context says the reader may see it whole."""

    phone = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "phone", "org", "is_active", "date_joined", "last_login"]

    def get_phone(self, user: User) -> str:
        if self.context.get("full_phone"):
            return user.phone
        return mask_phone(user.phone)


class UserDetailOut(UserOut):
    grants = GrantBrief(many=True, read_only=True)

    class Meta(UserOut.Meta):
        fields = [*UserOut.Meta.fields, "grants"]


class GrantCreate(StrictSerializer):
    user = IdField()
    role = serializers.ChoiceField(choices=Role.choices)
    org = IdField(allow_null=True)


class GrantOut(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "user", "role", "role_label", "org", "granted_by", "created_at"]


class RoleOut(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    scope = serializers.CharField()
    org_kinds = serializers.ListField(child=serializers.CharField())
    separation_of_duties = serializers.BooleanField()


def role_rows() -> list[dict[str, Any]]:
    return [
        {
            "role": role.value,
            "label": str(role.label),
            "scope": ROLE_SCOPE[role].value,
            "org_kinds": [k.value for k in OrgKind if k in ROLE_ORG_KINDS[role]],
            "separation_of_duties": role in ADMIN_ROLES,
        }
        for role in Role
    ]


class MeOut(UserDetailOut):
    pass


NOT_VISIBLE_REF = _("对象不存在或不在您的权限范围内")


class FirstPasswordRequest(StrictSerializer):
    """Set one's own password by username and current (e.g. initial) password, without a token."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class ResetWithCodeRequest(StrictSerializer):
    """Set a new password with the one-time code the account's owner received."""

    username = serializers.CharField(max_length=150)
    code = serializers.CharField(max_length=16)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)
