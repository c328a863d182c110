"""Notification endpoints (api.md, Notifications) and 催办."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import KeysetPagination
from config.request_context import request_user
from notifications import actions, selectors
from notifications.api.serializers import (
    MarkedOut,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    UnreadCountOut,
    UrgeIn,
    UrgeOut,
)
from notifications.models import Notification


class NewestFirst(KeysetPagination):
    ordering = "-id"


class NotificationListView(APIView):
    @extend_schema(
        responses={200: NotificationOut(many=True)},
        parameters=[
            OpenApiParameter("unread", bool, description="只列出未读（1）或已读（0）"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int),
        ],
        summary="我的站内通知（最新在前）",
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("unread")
        unread = None if raw in (None, "") else raw in ("1", "true")
        queryset: QuerySet[Notification] = selectors.list_notifications(request_user(request), unread=unread)
        paginator = NewestFirst()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(NotificationOut(page, many=True).data)


class UnreadCountView(APIView):
    @extend_schema(responses={200: UnreadCountOut}, summary="未读通知数")
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(request_user(request))})


class MarkReadView(APIView):
    @extend_schema(request=None, responses={200: NotificationOut}, summary="标记通知为已读")
    def post(self, request: Request, pk: int) -> Response:
        notification = actions.mark_read(pk, actor=request_user(request))
        return Response(NotificationOut(notification).data)


class MarkAllReadView(APIView):
    @extend_schema(request=None, responses={200: MarkedOut}, summary="全部标记为已读")
    def post(self, request: Request) -> Response:
        return Response({"marked": actions.mark_all_read(actor=request_user(request))})


class PreferenceView(APIView):
    @extend_schema(responses={200: PreferenceOut}, summary="我的通知偏好（站内通知始终开启）")
    def get(self, request: Request) -> Response:
        return Response(PreferenceOut(selectors.get_preference(request_user(request))).data)

    @extend_schema(request=PreferenceIn, responses={200: PreferenceOut}, summary="开启或关闭邮件、短信通知")
    def patch(self, request: Request) -> Response:
        serializer = PreferenceIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = actions.update_preferences(actor=request_user(request), **serializer.validated_data)
        return Response(PreferenceOut(preference).data)


class UrgeView(APIView):
    @extend_schema(request=UrgeIn, responses={200: UrgeOut}, summary="催办（上级部门或组委会）")
    def post(self, request: Request, pk: int) -> Response:
        serializer = UrgeIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        nomination = actions.urge_task(pk, actor=request_user(request), note=serializer.validated_data["note"])
        return Response(UrgeOut(nomination).data)
