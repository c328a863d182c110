"""Pages of the auditor: the audit trail by object, actor, action and time (keyset paging), chain
verification, CSV export. Only auditors (``audit.selectors.list_audit_events`` refuses others)."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import User
from audit import selectors
from audit.labels import object_type_label, readable_data, readable_text, stage_names
from audit.models import AuditEvent
from audit.registry import all_events
from audit.selectors import SHORT_TYPES
from audit.verification import VerifyReport, iter_verification, run_verification
from config.documents import csv_cell
from config.errors import NotPermitted
from config.request_context import request_user
from config.web.errors import audit_refusal
from config.web.pagination import PAGE, keyset_page

logger = logging.getLogger(__name__)


def _refuse(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    """403, written to the trail in its own transaction (as every refused page and API call is)."""
    audit_refusal(request, exc)
    return render(request, "403.html", {"detail": exc.detail}, status=403)


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], dict[str, Any], list[str]]:
    """The events the query string asks for, the filter values to show again, and input errors."""
    get = request.GET
    errors: list[str] = []
    values = {k: get.get(k, "").strip() for k in ("object", "actor", "action", "since", "until")}
    object_type = object_id = None
    if values["object"]:
        kind, sep, ident = values["object"].rpartition(":")
        if not sep or not kind or not ident:
            errors.append(_("对象的格式应为 类型:编号，例如 申报:12"))
        else:
            object_type, object_id = SHORT_TYPES.get(kind, kind), ident
    actor = None
    if values["actor"]:
        actor = User.objects.filter(username=values["actor"]).values_list("pk", flat=True).first()
        if actor is None:
            errors.append(_("没有用户名为“{name}”的用户").format(name=values["actor"]))
            actor = -1
    bounds: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        day = parse_date(values[name]) if values[name] else None
        if values[name] and day is None:
            errors.append(_("日期格式应为 YYYY-MM-DD"))
        moment = timezone.make_aware(datetime.combine(day, time.min)) if day else None
        if moment and name == "until":
            moment = moment + timedelta(days=1)
        bounds[name] = moment
    events = selectors.list_audit_events(
        request_user(request),
        object_type=object_type,
        object_id=object_id,
        actor=actor,
        action=values["action"] or None,
        since=bounds["since"],
        until=bounds["until"],
    )
    return events, values, errors


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    try:
        events, values, errors = _filtered(request)
    except NotPermitted as exc:
        return _refuse(request, exc)
    page, next_query = keyset_page(request, events)
    stages = stage_names()  # one query for the page, not one per event
    for e in page:
        e.content_pairs = readable_data(e.data, stages)  # type: ignore[attr-defined]
    return render(
        request,
        "audit/audit.html",
        {
            "events": page,
            "values": values,
            "errors": errors,
            "actions": all_events(),
            "next_query": next_query,
            "filter_query": request.GET.copy().urlencode(),
            "page_size": PAGE,
        },
    )


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield "\ufeff"  # Excel opens UTF-8 CSV with a BOM correctly
    yield writer.writerow(
        [_("编号"), _("时间"), _("操作"), _("操作人"), _("对象类型"), _("对象编号"), _("序号"), _("内容"), _("地址"),
         _("哈希")]
    )  # fmt: skip
    stages = stage_names()
    for e in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [e.pk, timezone.localtime(e.occurred_at).strftime("%Y-%m-%d %H:%M:%S"), e.action_label,
             csv_cell(e.actor_label), object_type_label(e.object_type), csv_cell(e.object_id), e.seq,
             csv_cell(readable_text(e.data, stages)), e.ip_address or "", e.hash]
        )  # fmt: skip


@login_required
@require_GET
def audit_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM for Excel), streamed."""
    try:
        events, _values, errors = _filtered(request)
    except NotPermitted as exc:
        return _refuse(request, exc)
    if errors:
        raise Http404("; ".join(errors))
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Re-check every chain and anchor now (audited as ``audit.verified``), and show the result."""
    user = request_user(request)
    if not permissions.can_read_audit(user):
        return _refuse(request, NotPermitted(target=("audit.trail", "all")))
    report = run_verification(user)
    return render(request, "audit/audit_verify.html", {"report": report})


STREAM_EVERY = 1000  # a progress line after this many events


def _line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False) + "\n"


def _verify_lines(user: User) -> Iterator[str]:
    """The check as NDJSON: ``start`` (total), ``progress`` (counts), each ``problem``, then ``done``
    after the run is audited as ``audit.verified``, exactly as the plain POST does."""
    total = AuditEvent.objects.count()
    report = VerifyReport()
    yield _line(phase="start", total=total)
    for problem in iter_verification(user, report, every=STREAM_EVERY):
        if problem is None:
            yield _line(
                phase="progress", events=report.events, total=total, chains=report.chains,
                problems=len(report.problems),
            )  # fmt: skip
        else:
            yield _line(phase="problem", **problem.as_dict())
    yield _line(
        phase="done", valid=report.valid, events=report.events, total=total, chains=report.chains,
        anchors=report.anchors, problems=len(report.problems),
    )  # fmt: skip


@login_required
@require_POST
def audit_verify_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The same check, its progress streamed line by line for ``app.js`` to show (auditors only)."""
    user = request_user(request)
    if not permissions.can_read_audit(user):
        return _refuse(request, NotPermitted(target=("audit.trail", "all")))
    response = StreamingHttpResponse(_verify_lines(user), content_type="application/x-ndjson; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each line on at once
    return response
