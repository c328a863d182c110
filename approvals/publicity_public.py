"""What the public sees of a 公示, cached in Redis per campaign and dropped when the list changes.

The list shows title, unit, kind, a summary and the window; never ID numbers, phones, person
lists or attachments: ID numbers and phones inside the title and summary are masked however
spelled (``config.masking.mask_text``), people served are only ever in the fields that are not
shown. The cache entry lives until the next
window boundary (at most ``CACHE_SECONDS``), so "open" / "closed" flips on time, and every
action that changes the list deletes it on commit (``invalidate_public_list``).
"""

from __future__ import annotations

import gzip
import json
import logging
import secrets
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from approvals.actions.publicity import PUBLIC_CACHE_KEY, window_is_open
from approvals.models import Nomination, PublicityEntry, PublicityRound
from config.errors import NotVisible
from config.masking import mask_text
from workflows.models import Campaign

logger = logging.getLogger(__name__)
CACHE_SECONDS = 300
SUMMARY_MAX = 300
# A revoked nomination, or one that gave up its award (awards: declined → not_selected), drops out.
HIDDEN_STATUSES = (Nomination.Status.REVOKED, Nomination.Status.NOT_SELECTED)

HOW_TO_OBJECT = gettext_lazy(
    "公示期间，任何单位或个人对公示对象有异议的，可点击公示对象后的“提出异议”实名提出书面异议："
    "个人须填写真实姓名和联系电话，单位须填写单位名称、联系人和联系电话，并写明事实和理由，可附证明材料"
    "（签名或盖章的扫描件）。匿名异议不予受理。异议人身份严格保密。提交后获得回执码，可凭回执码查询处理情况。"
)


def _summary(campaign: Campaign, nomination: Nomination) -> str:
    definition = campaign.forms.get(nomination.kind) or {"fields": []}
    fields = definition.get("fields", [])
    key = next((f["key"] for f in fields if f.get("key") == "summary"), None) or next(
        (f["key"] for f in fields if f.get("type") == "long_text"), None
    )
    value = nomination.form.get(key) if key else None
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > SUMMARY_MAX:
        value = value[:SUMMARY_MAX] + "……"
    return mask_text(value)


def build_public_list(campaign_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The public 公示 of a campaign (every round that has started, newest first); 404 when none has.

    A round scheduled to start later is not public before its start: not on the page, in the API or
    in the notice (the cache entry expires at that start, ``_ttl``).
    """
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise NotVisible()
    rounds = list(PublicityRound.objects.filter(campaign=campaign, starts_at__lte=now).order_by("-number"))
    if not rounds:
        raise NotVisible()
    entries = (
        PublicityEntry.objects.filter(round__in=rounds)
        .select_related("nomination", "nomination__unit")
        .order_by("round_id", "position", "nomination_id")
    )
    by_round: dict[int, list[dict[str, Any]]] = {r.pk: [] for r in rounds}
    for entry in entries:
        n = entry.nomination
        publicity_round = next(r for r in rounds if r.pk == entry.round_id)
        if publicity_round.kind == PublicityRound.Kind.LIST and n.status in HIDDEN_STATUSES:
            continue
        by_round[entry.round_id].append(
            {"nomination": n.pk, "title": mask_text(n.title), "unit": n.unit.name, "kind": n.kind,
             "kind_label": n.get_kind_display(), "summary": _summary(campaign, n), "status": n.status,
             "status_label": n.get_status_display(), "tier_name": entry.label}
        )  # fmt: skip
    return {
        "campaign": {"id": campaign.pk, "title": campaign.title},
        "rounds": [
            {"number": r.number, "kind": r.kind, "kind_label": r.get_kind_display(), "title": r.title,
             "starts_at": timezone.localtime(r.starts_at).isoformat(),
             "ends_at": timezone.localtime(r.ends_at).isoformat(),
             "open": r.kind == PublicityRound.Kind.LIST and window_is_open(r, now),
             "how_to_object": r.how_to_object or str(HOW_TO_OBJECT), "entries": by_round[r.pk],
             "labelled": any(e["tier_name"] for e in by_round[r.pk])}
            for r in rounds
        ],
    }  # fmt: skip


def _ttl(rounds: list[PublicityRound], now: datetime) -> int:
    """Seconds until the next start or end of a window (so "open" flips on time), at most CACHE_SECONDS."""
    boundaries = [b for r in rounds for b in (r.starts_at, r.ends_at) if b > now]
    if not boundaries:
        return CACHE_SECONDS
    return max(1, min(CACHE_SECONDS, int((min(boundaries) - now).total_seconds()) + 1))


# A copy per process of the bytes last read from Redis, trusted only while Redis still holds the
# same stamp: each request then costs one small GET, and a change (which deletes the stamp) or
# the window boundary (when the stamp expires) reaches every worker at once.
_local: dict[tuple[int, str], tuple[str, bytes]] = {}
_LOCAL_MAX = 256


def _stamp_key(campaign_id: int) -> str:
    return PUBLIC_CACHE_KEY.format(campaign_id=campaign_id) + ":stamp"


def _build(campaign_id: int, render: Any) -> tuple[dict[str, bytes], int]:
    now = timezone.now()
    data = build_public_list(campaign_id, now)
    rounds = list(PublicityRound.objects.filter(campaign_id=campaign_id))
    entry = {
        "json": json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).encode(),
        "html": render(data).encode(),
    }
    # Compressed once here, not per request: browsers and proxies ask for gzip.
    entry.update({f"{v}.gz": gzip.compress(body, compresslevel=6, mtime=0) for v, body in list(entry.items())})
    return entry, _ttl(rounds, now)


def _cached(campaign_id: int, variant: str, render: Any) -> bytes:
    key = PUBLIC_CACHE_KEY.format(campaign_id=campaign_id)
    try:
        stamp = cache.get(_stamp_key(campaign_id))
        if stamp is not None:
            local = _local.get((campaign_id, variant))
            if local is not None and local[0] == stamp:
                return local[1]
            entry = cache.get(f"{key}:{variant}")
            if entry is not None and entry[0] == stamp:
                _remember(campaign_id, variant, entry)
                return bytes(entry[1])
    except Exception:  # Redis unreachable: serve uncached rather than fail (ASVS 16.5.2)
        logger.warning("public list cache unavailable", exc_info=True)
        entry, _timeout = _build(campaign_id, render)
        return entry[variant]
    built, timeout = _build(campaign_id, render)
    stamp = secrets.token_hex(8)
    try:
        cache.set_many({f"{key}:{v}": (stamp, body) for v, body in built.items()}, timeout=timeout)
        cache.set(_stamp_key(campaign_id), stamp, timeout=timeout)
    except Exception:
        logger.warning("public list cache unavailable", exc_info=True)
        return built[variant]
    _remember(campaign_id, variant, (stamp, built[variant]))
    return built[variant]


def _remember(campaign_id: int, variant: str, entry: tuple[str, bytes]) -> None:
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[(campaign_id, variant)] = entry


def render_html(data: dict[str, Any]) -> str:
    return render_to_string("approvals/publicity/public_list.html", {"data": data})


def public_json(campaign_id: int, *, gzipped: bool = False) -> bytes:
    return _cached(campaign_id, "json.gz" if gzipped else "json", render_html)


def public_html(campaign_id: int, *, gzipped: bool = False) -> bytes:
    return _cached(campaign_id, "html.gz" if gzipped else "html", render_html)


def accepts_gzip(request: Any) -> bool:
    return "gzip" in str(request.META.get("HTTP_ACCEPT_ENCODING", ""))


def public_response(body: bytes, *, gzipped: bool, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Vary"] = "Accept-Encoding"
    if gzipped:
        response["Content-Encoding"] = "gzip"
    return response
