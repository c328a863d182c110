"""The working-day calendar over HTTP: read by anyone signed in, edited by the system administrator."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import StrictSerializer
from config.errors import InvalidInput
from config.request_context import request_user
from workflows import calendar, calendar_actions
from workflows.models import CalendarDay, CalendarYear


class CalendarDayOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "kind_label", "name", "source"]


class CalendarDayIn(StrictSerializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarDay.Kind.choices)
    name = serializers.CharField(max_length=100, allow_blank=True, default="")


class CalendarYearIn(StrictSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    covered = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


def _year(request: Request) -> int | None:
    raw = request.query_params.get("year")
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise InvalidInput.for_field("year", _("年度应在 2000 到 2100 之间"), code="invalid_parameter")
    return int(raw)


class CalendarDaysOut(serializers.Serializer):
    """The days (one page: the whole list) and the years the calendar covers."""

    results = CalendarDayOut(many=True)
    next = serializers.CharField(allow_null=True)
    covered_years = serializers.ListField(child=serializers.IntegerField())


class CalendarDaysView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("year", int)], responses={200: CalendarDaysOut}, summary="节假日与调休"
    )
    def get(self, request: Request) -> Response:
        days = CalendarDay.objects.order_by("date")
        year = _year(request)
        if year is not None:
            days = days.filter(date__year=year)
        covered = CalendarYear.objects.order_by("year").values_list("year", flat=True)
        return Response(
            {"results": CalendarDayOut(days, many=True).data, "next": None, "covered_years": list(covered)}
        )

    @extend_schema(
        request=CalendarDayIn, responses={200: CalendarDayOut}, summary="录入或修改节假日、调休（系统管理员）"
    )
    def post(self, request: Request) -> Response:
        serializer = CalendarDayIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = calendar_actions.set_calendar_day(
            data["date"], actor=request_user(request), kind=data["kind"], name=data["name"]
        )
        return Response(CalendarDayOut(entry).data)


class CalendarDayDetailView(APIView):
    @extend_schema(responses={204: None}, summary="删除节假日或调休（系统管理员）")
    def delete(self, request: Request, day: str) -> Response:
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput.for_field("date", _("日期格式应为 2027-01-01"), code="invalid_parameter") from None
        calendar_actions.remove_calendar_day(parsed, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarYearsView(APIView):
    @extend_schema(request=CalendarYearIn, responses={200: dict}, summary="标记某年度节假日已全部录入（系统管理员）")
    def post(self, request: Request) -> Response:
        serializer = CalendarYearIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        calendar_actions.set_calendar_year(
            data["year"], actor=request_user(request), covered=data["covered"], note=data["note"]
        )
        return Response({"year": data["year"], "covered": data["covered"]})


class WorkingDaysView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="发布日期，如 2026-09-30"),
            OpenApiParameter("days", int),
            OpenApiParameter("working_days", bool),
            OpenApiParameter("count_start", bool, description="发布当日是否计入（默认计入）"),
        ],
        responses={200: dict},
        summary="计算公示期的最后一天",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            start = date.fromisoformat(params.get("start", ""))
            days = int(params.get("days", ""))
        except ValueError:
            raise InvalidInput(_("请提供 start（日期）和 days（1 到 366 的整数）"), code="invalid_parameter") from None
        if not 1 <= days <= calendar.MAX_COUNT:
            raise InvalidInput.for_field("days", _("天数应在 1 到 366 之间"), code="invalid_parameter")
        working = params.get("working_days", "true") in ("1", "true")
        count_start = params.get("count_start", "true") in ("1", "true")
        last = (
            calendar.add_working_days(start, days, count_start=count_start)
            if working
            else calendar.add_days(start, days, count_start=count_start)
        )
        return Response({"start": start, "days": days, "working_days": working, "last_day": last,
                         "ends_at": calendar.end_of_day(last).isoformat()})  # fmt: skip
