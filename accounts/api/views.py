"""HTTP endpoints of the accounts package; each parses input and calls one action or selector."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import actions, permissions, selectors
from accounts.api import serializers as s
from accounts.models import Organization, User
from audit.trail import record_personal_data_read
from config.api.idempotency import idempotent
from config.api.views import PaginatedListMixin, int_param, resolve_ref, validated
from config.request_context import request_user

# --- authentication -----------------------------------------------------------------------


class TokenView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.TokenRequest, responses={200: s.TokenResponse}, summary="登录，获取 API 令牌")
    def post(self, request: Request) -> Response:
        data = validated(s.TokenRequest, request.data)
        user, token = actions.log_in(request=request._request, username=data["username"], password=data["password"])
        return _token_response(user, token)


def _token_response(user: User, token: str) -> Response:
    from knox.models import AuthToken

    expiry = AuthToken.objects.filter(user=user).order_by("-created").values_list("expiry", flat=True).first()
    return Response({"token": token, "expires_at": expiry, "user": user.pk})


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="退出登录，吊销当前令牌")
    def post(self, request: Request) -> Response:
        from knox.models import AuthToken

        if isinstance(request.auth, AuthToken):
            actions.log_out(actor=request_user(request), token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Two ways to change one's own password (api.md, Accounts).

    With ``username`` in the body (no token needed): the way out of ``password_change_required``
    at the first sign-in; answers 200 with a new token. Otherwise, signed in: ``old_password`` and
    ``new_password``; answers 204 and every token of the account is revoked.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="PasswordChange",
            serializers=[s.FirstPasswordRequest, s.PasswordChangeRequest],
            resource_type_field_name=None,
        ),
        responses={200: s.TokenResponse, 204: None},
        summary="修改本人密码：首次登录（用户名 + 初始密码，返回令牌）或已登录（吊销全部令牌）",
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.data, dict) and "username" in request.data:
            data = validated(s.FirstPasswordRequest, request.data)
            user, token = actions.change_password_with_credentials(
                request=request._request,
                username=data["username"],
                password=data["password"],
                new_password=data["new_password"],
            )
            return _token_response(user, token)
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(s.PasswordChangeRequest, request.data)
        actions.change_password(
            actor=request_user(request), old_password=data["old_password"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: s.MeOut}, summary="当前用户及其角色")
    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related("grants").get(pk=request_user(request).pk)
        return Response(s.MeOut(user, context={"full_phone": True}).data)


# --- organisations --------------------------------------------------------------------------


class OrgListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: s.OrgOut(many=True)},
        parameters=[
            OpenApiParameter("parent", int, description="只列出该组织的直接下级"),
            OpenApiParameter("under", int, description="只列出该组织及其全部下级"),
            OpenApiParameter("kind", str),
            OpenApiParameter("q", str, description="名称包含"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="组织列表",
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        under_id = int_param(request, "under")
        under = resolve_ref(selectors.get_visible_org, user, "under", under_id)
        orgs = selectors.list_orgs(
            user,
            parent=int_param(request, "parent"),
            kind=request.query_params.get("kind") or None,
            under=under,
            q=request.query_params.get("q") or None,
        )
        return self.paginated(request, orgs, s.OrgOut)

    @extend_schema(request=s.OrgCreate, responses={201: s.OrgOut}, summary="创建组织（安全管理员）")
    @idempotent
    def post(self, request: Request) -> Response:
        user = request_user(request)
        data = validated(s.OrgCreate, request.data)
        parent = resolve_ref(selectors.get_visible_org, user, "parent", data["parent"])
        org = actions.create_organization(
            actor=user, name=data["name"], code=data["code"], kind=data["kind"], parent=parent
        )
        return Response(s.OrgOut(org).data, status=status.HTTP_201_CREATED)


class OrgDetailView(APIView):
    @extend_schema(responses={200: s.OrgOut}, summary="组织详情")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.OrgOut(selectors.get_visible_org(request_user(request), pk)).data)

    @extend_schema(request=s.OrgUpdate, responses={200: s.OrgOut}, summary="重命名或移动组织（安全管理员）")
    def patch(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        org = selectors.get_visible_org(user, pk)
        data = validated(s.OrgUpdate, request.data)
        kwargs: dict[str, Any] = {}
        if "name" in data:
            kwargs["name"] = data["name"]
        if "parent" in data:
            kwargs["parent"] = resolve_ref(selectors.get_visible_org, user, "parent", data["parent"])
        org = actions.update_organization(org.pk, actor=user, **kwargs)
        return Response(s.OrgOut(org).data)


# --- users ----------------------------------------------------------------------------------


class UserListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: s.UserOut(many=True)},
        parameters=[OpenApiParameter("org", int), OpenApiParameter("q", str), OpenApiParameter("cursor", str)],
        summary="用户列表（手机号脱敏）",
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        users = selectors.list_users(user, org=int_param(request, "org"), q=request.query_params.get("q") or None)
        return self.paginated(request, users, s.UserOut)

    @extend_schema(request=s.UserCreate, responses={201: s.UserOut}, summary="创建用户（系统管理员）")
    @idempotent
    def post(self, request: Request) -> Response:
        actor = request_user(request)
        data = validated(s.UserCreate, request.data)
        org = resolve_ref(selectors.get_visible_org, actor, "org", data.get("org"))
        if "org" not in data:
            org = actor.org
        user = actions.create_user(
            actor=actor,
            username=data["username"],
            password=data["password"],
            display_name=data["display_name"],
            phone=data["phone"],
            org=org,
        )
        return Response(s.UserOut(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    @extend_schema(responses={200: s.UserDetailOut}, summary="用户详情（安全管理员可见完整手机号，且记入审计）")
    def get(self, request: Request, pk: int) -> Response:
        actor = request_user(request)
        user = selectors.get_visible_user(actor, pk)
        full = permissions.may_read_personal_data(actor, user)
        if full and user.pk != actor.pk and user.phone:
            record_personal_data_read(actor=actor, target=user, fields=["phone"])
        return Response(s.UserDetailOut(user, context={"full_phone": full}).data)

    @extend_schema(request=s.UserUpdate, responses={200: s.UserOut}, summary="修改、停用或启用用户（系统管理员）")
    def patch(self, request: Request, pk: int) -> Response:
        actor = request_user(request)
        target = selectors.get_visible_user(actor, pk)
        data = validated(s.UserUpdate, request.data)
        if "org" in data:
            data["org"] = resolve_ref(selectors.get_visible_org, actor, "org", data["org"])
        user = actions.update_user(target.pk, actor=actor, **data)
        return Response(s.UserOut(user).data)


class UserPasswordView(APIView):
    @extend_schema(
        request=s.PasswordResetRequest,
        responses={202: s.PasswordResetOut},
        summary="重置他人密码（系统管理员）：一次性验证码发送到账户本人的手机或邮箱",
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_user(request)
        target = selectors.get_visible_user(actor, pk)
        validated(s.PasswordResetRequest, request.data)
        record = actions.issue_reset_code(target.pk, actor=actor)
        channels = [name for name, value in (("sms", target.phone), ("email", target.email)) if value]
        return Response({"channels": channels, "expires_at": record.expires_at}, status=status.HTTP_202_ACCEPTED)


class PasswordResetWithCodeView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.ResetWithCodeRequest,
        responses={200: s.TokenResponse},
        summary="凭重置验证码设置新密码（账户本人，无需令牌）",
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ResetWithCodeRequest, request.data)
        user, token = actions.reset_password_with_code(
            username=data["username"], code=data["code"], new_password=data["new_password"]
        )
        return _token_response(user, token)


# --- grants and roles -----------------------------------------------------------------------


class GrantListView(PaginatedListMixin, APIView):
    @extend_schema(
        responses={200: s.GrantOut(many=True)},
        parameters=[
            OpenApiParameter("user", int),
            OpenApiParameter("role", str),
            OpenApiParameter("org", int),
            OpenApiParameter("cursor", str),
        ],
        summary="角色授权列表",
    )
    def get(self, request: Request) -> Response:
        grants = selectors.list_grants(
            request_user(request),
            for_user=int_param(request, "user"),
            role=request.query_params.get("role") or None,
            org=int_param(request, "org"),
        )
        return self.paginated(request, grants, s.GrantOut)

    @extend_schema(request=s.GrantCreate, responses={201: s.GrantOut}, summary="授予角色（安全管理员）")
    @idempotent
    def post(self, request: Request) -> Response:
        actor = request_user(request)
        data = validated(s.GrantCreate, request.data)
        target = resolve_ref(selectors.get_visible_user, actor, "user", data["user"])
        org: Organization | None = resolve_ref(selectors.get_visible_org, actor, "org", data["org"])
        grant = actions.grant_role(actor=actor, user_id=target.pk, role=data["role"], org=org)
        return Response(s.GrantOut(grant).data, status=status.HTTP_201_CREATED)


class GrantDetailView(APIView):
    @extend_schema(responses={200: s.GrantOut}, summary="授权详情")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.GrantOut(selectors.get_visible_grant(request_user(request), pk)).data)

    @extend_schema(responses={204: None}, summary="撤销角色（安全管理员）")
    def delete(self, request: Request, pk: int) -> Response:
        actor = request_user(request)
        grant = selectors.get_visible_grant(actor, pk)
        actions.revoke_grant(grant.pk, actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleListView(APIView):
    @extend_schema(responses={200: s.RoleOut(many=True)}, summary="角色列表")
    def get(self, request: Request) -> Response:
        return Response({"results": s.role_rows(), "next": None, "previous": None})
