"""HTTP endpoints of awards (api.md, Judging, awards and results: "Awards"); each parses input and
calls one action or selector. The host's committee only: others who see the campaign get 403."""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from approvals import filestore
from awards import actions, documents, ledger, selectors, statistics
from awards.exceptions import CaseBookMissing, NoResultNotice
from awards.models import Allocation, Award, CaseBook, ResultNotice
from config.api.serializers import IdField, StrictSerializer
from config.api.views import PaginatedListMixin, validated
from config.documents import plain
from config.errors import NotPermitted, NotVisible
from config.request_context import request_user
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

# --- serializers ---------------------------------------------------------------------------


ROUND_HELP = "奖项名单：省略为活动的主奖项；网络点赞轮次的标识为其单独设奖（网络点赞奖）"


class AllocateIn(StrictSerializer):
    tie_order = serializers.ListField(child=IdField(), required=False, max_length=1000)
    round = serializers.CharField(max_length=40, required=False, allow_blank=True, default="", help_text=ROUND_HELP)


class ConfirmIn(StrictSerializer):
    round = serializers.CharField(max_length=40, required=False, allow_blank=True, default="", help_text=ROUND_HELP)


class DeclineIn(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class AwardOut(serializers.ModelSerializer):
    prize = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False)
    score = serializers.DecimalField(max_digits=9, decimal_places=4, coerce_to_string=False)
    title = serializers.CharField(source="nomination.title", read_only=True)
    round = serializers.CharField(
        source="round_key", read_only=True, help_text="奖项名单：空为主奖项，否则为网络点赞轮次的标识"
    )

    class Meta:
        model = Award
        fields = [
            "id", "nomination", "title", "kind", "tier", "tier_name", "rank", "score", "prize", "status", "tied",
            "confirmed_by", "confirmed_at", "declined_reason", "ended_at", "passed_from", "recovered", "round",
            "prize_text",
        ]  # fmt: skip


class KindIntakeOut(serializers.Serializer):
    kind = serializers.CharField()
    entrants = serializers.IntegerField()
    awards = serializers.IntegerField(allow_null=True)
    entrants_per_award = serializers.CharField(allow_null=True)
    ratio = serializers.CharField(allow_null=True)
    required_entrants = serializers.IntegerField(allow_null=True)
    meets = serializers.BooleanField()


class TownshipOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    nominations = serializers.IntegerField()


class IntakeOut(serializers.Serializer):
    kinds = KindIntakeOut(many=True)
    min_per_township = serializers.IntegerField(allow_null=True)
    min_per_unit = serializers.IntegerField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    townships_short = TownshipOut(many=True)
    units_short = TownshipOut(many=True)


class ProposalOut(serializers.Serializer):
    awards = AwardOut(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    ties = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)
    intake = IntakeOut()
    round = serializers.CharField()


def _committee_campaign(request: Request, pk: int) -> Campaign:
    """The campaign (404 outside the caller's view), and 403 unless the caller runs its awards."""
    user = request_user(request)
    campaign = campaign_selectors.get_visible_campaign(user, pk)
    if not permissions.can_allocate_awards(user, campaign):
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return campaign


def _committee_award(request: Request, pk: int) -> Award:
    user = request_user(request)
    award = selectors.get_award(pk)
    if award is None:
        raise NotVisible()
    campaign = campaign_selectors.get_visible_campaign(user, award.campaign_id)
    if not permissions.can_allocate_awards(user, campaign):
        raise NotPermitted(target=("awards.award", str(award.pk)))
    return award


def _proposal(campaign: Campaign, allocation: Allocation | None, awards: Any, round_key: str = "") -> dict[str, Any]:
    return {
        "round": round_key,
        "awards": AwardOut(awards.order_by("kind", "rank", "nomination_id"), many=True).data,
        "notes": allocation.notes if allocation else [],
        "ties": allocation.ties if allocation else {},
        "confirmed_at": serializers.DateTimeField().to_representation(allocation.confirmed_at)
        if allocation and allocation.confirmed_at
        else None,
        "intake": selectors.intake_report(campaign),
    }


# --- views ------------------------------------------------------------------------------------


class AllocateView(APIView):
    @extend_schema(
        request=AllocateIn, responses={200: ProposalOut},
        summary="按最终排名拟定奖项（组委会）：等次名额、比例下限，说明调整与并列；409 rounds_open、floor_unreachable",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(AllocateIn, request.data or {})
        round_key = data.get("round", "")
        allocation = actions.allocate_awards(
            campaign.pk, actor=request_user(request), tie_order=data.get("tie_order", []), round_key=round_key
        )
        awards = selectors.awards_of(campaign, proposed=True, round_key=round_key)
        return Response(_proposal(campaign, allocation, awards, round_key))


class ProposalView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("round", str, required=False, description=ROUND_HELP)],
        responses={200: ProposalOut}, summary="当前的奖项分配（拟定或已确认）及说明（组委会）",
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        round_key = request.query_params.get("round", "")[:40]
        allocation = selectors.get_allocation(campaign, round_key)
        confirmed = allocation is not None and allocation.confirmed_at is not None
        awards = selectors.awards_of(campaign, proposed=not confirmed, round_key=round_key)
        return Response(_proposal(campaign, allocation, awards, round_key))


class ConfirmView(APIView):
    @extend_schema(
        request=ConfirmIn, responses={200: AwardOut(many=True)},
        summary="确认奖项分配（组委会，记录确认人）；未获奖的申报成为 not_selected 并通知申报单位（网络点赞奖除外）",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        # the body was never read before: only ``round`` is, whatever else a client sends
        body = request.data if isinstance(request.data, dict) else {}
        data = validated(ConfirmIn, {"round": body["round"]} if "round" in body else {})
        awards = actions.confirm_awards(campaign.pk, actor=request_user(request), round_key=data.get("round", ""))
        return Response(AwardOut(awards, many=True).data)


class AwardListView(PaginatedListMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, required=False), OpenApiParameter("status", str, required=False),
            OpenApiParameter("round", str, required=False, description=ROUND_HELP + "；省略为全部名单"),
        ],
        responses={200: AwardOut(many=True)},
        summary="已确认的奖项及其去向（放弃、撤销、顺延）（组委会）",
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        awards = selectors.awards_of(campaign)
        if kind := request.query_params.get("kind"):
            awards = awards.filter(kind=kind)
        if status := request.query_params.get("status"):
            awards = awards.filter(status=status)
        if "round" in request.query_params:
            awards = awards.filter(round_key=request.query_params["round"][:40])
        return self.paginated(request, awards, AwardOut)


class IntakeView(APIView):
    @extend_schema(
        responses={200: IntakeOut}, summary="征集情况：入围与获奖比例、未达最低申报数的乡镇（街道）和单位（组委会）"
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        return Response(selectors.intake_report(campaign))


class DeclineView(APIView):
    @extend_schema(
        request=DeclineIn, responses={200: AwardOut},
        summary="放弃奖项（组委会记录）：同类别下一名顺延，返回顺延后的奖项；最终名单确定前",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        award = _committee_award(request, pk)
        data = validated(DeclineIn, request.data)
        successor = actions.decline_award(award.pk, actor=request_user(request), reason=data["reason"])
        return Response(AwardOut(successor).data)


class PassDownView(APIView):
    @extend_schema(
        request=None, responses={200: AwardOut},
        summary="撤销后的奖项顺延（组委会决定）：同类别下一名获得该奖项；最终名单确定前",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        award = _committee_award(request, pk)
        successor = actions.pass_down(award.pk, actor=request_user(request))
        return Response(AwardOut(successor).data)


# --- certificates, the result notice and the prize ledger (api.md "Documents") -----------------------------

PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    filename = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", plain(filename))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


def _verify_url(request: Request, name: str) -> Any:
    return lambda code: request.build_absolute_uri(reverse(name, args=[code]))


class ResultNoticeIn(StrictSerializer):
    doc_number = serializers.CharField(max_length=100)
    issuer = serializers.CharField(max_length=200)
    issued_on = serializers.DateField()
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResultNoticeOut(serializers.ModelSerializer):
    class Meta:
        model = ResultNotice
        fields = ["doc_number", "issuer", "issued_on", "contact", "code", "updated_by", "updated_at"]


class PaidIn(StrictSerializer):
    paid_at = serializers.DateTimeField(required=False)


class LedgerAwardOut(AwardOut):
    class Meta(AwardOut.Meta):
        fields = [*AwardOut.Meta.fields, "paid_at", "paid_by"]


class CertificateView(APIView):
    @extend_schema(
        responses={
            (200, PDF_MIME): OpenApiResponse(description="获奖证书（PDF）"),
            409: OpenApiResponse(description="award_not_valid：奖项已放弃或撤销"),
        },
        summary="下载获奖证书（组委会；获奖申报的本单位）：编号、主办单位印章、校验码；409 award_not_valid",
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = request_user(request)
        award = selectors.get_award(pk)
        if award is None:
            raise NotVisible()
        certificate = actions.issue_certificates(award.campaign_id, actor=user, award_id=award.pk)[0]
        pdf = documents.render_certificates_pdf([certificate], _verify_url(request, "awards:certificate-verify"))
        return _file(pdf, PDF_MIME, f"{award.campaign.title}-证书-{certificate.number}.pdf")


class CampaignCertificatesView(APIView):
    @extend_schema(
        responses={(200, PDF_MIME): OpenApiResponse(description="全部有效奖项的证书（一个 PDF，每页一张）")},
        summary="批量下载获奖证书（组委会），供打印",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        campaign = _committee_campaign(request, pk)
        certificates = actions.issue_certificates(campaign.pk, actor=request_user(request))
        pdf = documents.render_certificates_pdf(certificates, _verify_url(request, "awards:certificate-verify"))
        return _file(pdf, PDF_MIME, f"{campaign.title}-获奖证书.pdf")


class ResultNoticeView(APIView):
    @extend_schema(
        responses={200: ResultNoticeOut, 409: OpenApiResponse(description="no_result_notice：尚未设置结果通知")},
        summary="结果通知（发文）的文号、发文单位、日期、联系人（组委会）；409 no_result_notice",
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        notice = selectors.get_result_notice(campaign)
        if notice is None:
            raise NoResultNotice(target=("workflows.campaign", str(campaign.pk)))
        return Response(ResultNoticeOut(notice).data)

    @extend_schema(
        request=ResultNoticeIn, responses={200: ResultNoticeOut}, summary="设置结果通知（发文）（组委会，留痕）"
    )
    def put(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        data = validated(ResultNoticeIn, request.data)
        notice = actions.set_result_notice(campaign.pk, actor=request_user(request), **data)
        return Response(ResultNoticeOut(notice).data)


class ResultNoticePdfView(APIView):
    @extend_schema(
        responses={
            (200, PDF_MIME): OpenApiResponse(description="结果通知（PDF）"),
            409: OpenApiResponse(description="no_result_notice：尚未设置结果通知"),
        },
        summary="结果通知 PDF：按等次列出获奖名单，主办单位印章、校验码（组委会）；409 no_result_notice",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        campaign = _committee_campaign(request, pk)
        notice = selectors.get_result_notice(campaign)
        if notice is None:
            raise NoResultNotice(target=("workflows.campaign", str(campaign.pk)))
        pdf = documents.render_notice_pdf(
            notice, selectors.valid_awards(campaign), _verify_url(request, "awards:notice-verify")
        )
        return _file(pdf, PDF_MIME, f"{campaign.title}-结果通知.pdf")


class PaidView(APIView):
    @extend_schema(
        request=PaidIn, responses={200: LedgerAwardOut},
        summary="登记奖金已发放（组委会，记录时间与登记人）；409 award_not_valid、no_prize、already_paid",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        award = _committee_award(request, pk)
        data = validated(PaidIn, request.data or {})
        award = actions.mark_prize_paid(award.pk, actor=request_user(request), paid_at=data.get("paid_at"))
        return Response(LedgerAwardOut(award).data)


class PrizeLedgerView(APIView):
    @extend_schema(
        responses={(200, XLSX_MIME): OpenApiResponse(description="奖金台账（.xlsx）")},
        summary="奖金台账 Excel：每个奖项的奖金、发放（时间、登记人）或追回（组委会）",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        campaign = _committee_campaign(request, pk)
        return _file(ledger.render_ledger_xlsx(campaign), XLSX_MIME, f"{campaign.title}-奖金台账.xlsx")


class CampaignCertificatesZipView(APIView):
    @extend_schema(
        responses={(200, ZIP_MIME): OpenApiResponse(description="全部有效奖项的证书（ZIP，每个奖项一个 PDF）")},
        summary="批量下载获奖证书 ZIP（组委会）：每个奖项一个 PDF，文件名为“证书编号-名称.pdf”",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        campaign = _committee_campaign(request, pk)
        certificates = actions.issue_certificates(campaign.pk, actor=request_user(request))
        content = documents.render_certificates_zip(certificates, _verify_url(request, "awards:certificate-verify"))
        return _file(content, ZIP_MIME, f"{campaign.title}-获奖证书.zip")


# --- statistics (the committee's figures; the same as the statistics page and its Excel file) ----------


class StatusCountOut(serializers.Serializer):
    status = serializers.CharField()
    name = serializers.CharField()
    nominations = serializers.IntegerField()


class KindCountOut(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    nominations = serializers.IntegerField()
    awards = serializers.IntegerField()


class OrgCountOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="组织 id；null 为未归属的一行")
    name = serializers.CharField()
    nominations = serializers.IntegerField()


class OrgAwardCountOut(OrgCountOut):
    awards = serializers.IntegerField()


class CityCountOut(OrgAwardCountOut):
    rank = serializers.IntegerField(allow_null=True, help_text="按获奖数的名次（并列同名次）")
    tied = serializers.BooleanField()
    rank_text = serializers.CharField()


class TierOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    tier = serializers.CharField()
    tier_name = serializers.CharField()
    planned = serializers.IntegerField(allow_null=True, help_text="设奖数")


class TierCountOut(TierOut):
    awards = serializers.IntegerField()
    prize_total = serializers.CharField(help_text="奖金合计（元），两位小数")


class DistrictAwardsOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    awards = serializers.IntegerField()
    tiers = serializers.ListField(child=serializers.IntegerField(), help_text="按 tiers 的顺序，各等次获奖数")
    quota = serializers.IntegerField(allow_null=True, help_text="区县名额；null 为未设")
    quota_used = serializers.IntegerField(allow_null=True)


class CampaignRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class StatisticsOut(serializers.Serializer):
    campaign = CampaignRefOut()
    region = serializers.CharField(allow_null=True)
    nominations = serializers.IntegerField(help_text="已提交的申报数（不含草稿）")
    awards = serializers.IntegerField(help_text="已确认且有效的奖项数")
    by_status = StatusCountOut(many=True)
    by_kind = KindCountOut(many=True)
    by_district = OrgAwardCountOut(many=True)
    by_township = OrgCountOut(many=True)
    by_city = CityCountOut(many=True, allow_null=True, help_text="省级活动按市统计；其他活动为 null")
    tiers = TierOut(many=True)
    awards_by_tier = TierCountOut(many=True)
    awards_by_district = DistrictAwardsOut(many=True)


class StatisticsView(APIView):
    @extend_schema(
        responses={200: StatisticsOut},
        summary="活动统计（组委会）：按区县、乡镇（街道）、市、类别、状态的申报数，按等次及各区县（对照名额）的获奖数",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        campaign = campaign_selectors.get_visible_campaign(user, pk)
        if not permissions.can_see_campaign_statistics(user, campaign):
            raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
        return Response(statistics.campaign_statistics(campaign))


# --- the case book (案例集): built in the background, downloaded when done ------------------------------------

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class CaseBookOut(serializers.ModelSerializer):
    class Meta:
        model = CaseBook
        fields = ["status", "done", "total", "pages", "requested_at", "finished_at", "error"]


def _casebook_download(request: Request, pk: int, *, word: bool) -> FileResponse | Response:
    """The latest case book's file when it is built; 202 with its progress while it is queued or
    building (or when it failed: ``status`` says so); 404 ``casebook_missing`` when never asked for."""
    campaign = _committee_campaign(request, pk)
    book = selectors.latest_casebook(campaign)
    if book is None:
        raise CaseBookMissing(target=("workflows.campaign", str(campaign.pk)))
    if book.status != CaseBook.Status.DONE:
        return Response(CaseBookOut(book).data, status=202)
    path = filestore.path_of(book.docx_name if word else book.pdf_name)
    if not path.is_file():  # the file store lost it: build again
        raise CaseBookMissing(target=("workflows.campaign", str(campaign.pk)))
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", plain(f"{campaign.title}-案例集.{'docx' if word else 'pdf'}"))
    response = FileResponse(path.open("rb"), content_type=DOCX_MIME if word else PDF_MIME, as_attachment=True,
                            filename=name)  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


class CaseBookView(APIView):
    @extend_schema(
        request=None, responses={202: CaseBookOut},
        summary="生成案例集（组委会，后台生成，留痕）：已在生成时返回该次进度，不重复生成；409 casebook_empty",
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        campaign = _committee_campaign(request, pk)
        book, _queued = actions.request_casebook(campaign.pk, actor=request_user(request))
        return Response(CaseBookOut(book).data, status=202)

    @extend_schema(
        responses={(200, PDF_MIME): OpenApiResponse(description="案例集（PDF）"), 202: CaseBookOut},
        summary="下载案例集 PDF（组委会）；生成中返回 202 与进度；从未生成 404 casebook_missing",
    )
    def get(self, request: Request, pk: int) -> FileResponse | Response:
        return _casebook_download(request, pk, word=False)


class CaseBookDocxView(APIView):
    @extend_schema(
        responses={(200, DOCX_MIME): OpenApiResponse(description="案例集（Word）"), 202: CaseBookOut},
        summary="下载案例集 Word（组委会）；生成中返回 202 与进度；从未生成 404 casebook_missing",
    )
    def get(self, request: Request, pk: int) -> FileResponse | Response:
        return _casebook_download(request, pk, word=True)
