"""Benchmark of the case book (issue 15): building the book of ``large`` awarded cases against the
book of ``small`` ones, in the same run (target: time ≤ 1.2 × the size ratio, i.e. linear; 200 / 20
cases → ≤ 12×).

Each case has a title, a unit, about 1,500 characters of case text over three long text fields and
two pictures (a 1600×1200 JPEG and a 1200×400 PNG, stored once in a file store of the benchmark's
own; every case decodes and re-encodes its own). Nominations and awards are written in bulk, never
through the actions; each build goes the production way (``actions.request_casebook`` then the
worker's ``build_casebook``: reading, progress, both documents, the file store).
"""

from __future__ import annotations

import hashlib
import io
import statistics
import tempfile
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import Grant, User
from accounts.roles import OrgKind, Role
from approvals import filestore, uploads
from approvals.models import Attachment, Nomination
from awards import actions
from awards.casebook import build_casebook
from awards.models import Award, CaseBook
from bench.orgs import make_org
from bench.timing import row
from workflows.models import Campaign

FORM = {
    "fields": [
        {"key": "background", "label": "案例背景", "type": "long_text", "max_length": 1000},
        {"key": "practice", "label": "主要做法", "type": "long_text", "max_length": 3000},
        {"key": "effect", "label": "工作成效", "type": "long_text", "max_length": 1000},
        {"key": "photos", "label": "案例图片", "type": "images", "max_count": 5},
    ]
}
TIERS = [
    {"key": "first", "name": "一等奖", "count": 2},
    {"key": "second", "name": "二等奖", "count": 3},
    {"key": "third", "name": "三等奖", "count": 5},
    {"key": "excellent", "name": "优秀奖", "count": 10_000},
]
PARAGRAPH = "社区以党建为引领，联合社会组织与志愿者，为辖区独居老人提供助餐、助医、助洁服务，建立需求清单与服务台账。"


def _picture(kind: str, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 40):  # some detail, so that the encoder has work to do
        draw.line((i, 0, size[0] - i, size[1]), fill=(255 - colour[0], 200, i % 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG" if kind == "png" else "JPEG", quality=90)
    return buffer.getvalue()


def _stored(content: bytes, kind: str) -> tuple[str, str]:
    digest = hashlib.sha256(content).hexdigest()
    info = uploads.UploadInfo(
        type=kind, mime=uploads.MIME_TYPES[kind], size=len(content), sha256=digest, display_name=f"p.{kind}",
        width=None, height=None, is_image=True,
    )  # fmt: skip
    return filestore.store(info, io.BytesIO(content)), digest


def _campaign(
    host: Any, unit: Any, committee: User, cases: int, pictures: list[tuple[str, str, str, int]]
) -> Campaign:
    now = timezone.now()
    campaign = Campaign.objects.create(
        title=f"案例集基准活动（{cases} 个案例）", year=now.year, host_org=host, kinds=["case"], forms={"case": FORM},
        opens_at=now, submission_deadline=now, status=Campaign.Status.FINISHED, tiers={"case": TIERS},
    )  # fmt: skip
    text = PARAGRAPH * 4
    nominations = Nomination.objects.bulk_create(
        Nomination(
            campaign=campaign, unit=unit, kind="case", title=f"第{i + 1}号案例：邻里守望助老服务",
            form={"background": text, "practice": f"{text}\n{text}", "effect": text},
            status=Nomination.Status.APPROVED, created_by=committee, submitted_by=committee,
        )
        for i in range(cases)
    )  # fmt: skip
    Attachment.objects.bulk_create(
        Attachment(
            nomination=n, field="photos", type=kind, mime=uploads.MIME_TYPES[kind], size=size, sha256=digest,
            display_name=f"图片.{kind}", storage_name=name, width=100, height=100, uploaded_by=committee,
        )
        for n in nominations
        for kind, name, digest, size in pictures
    )  # fmt: skip
    levels = [(str(t["key"]), str(t["name"])) for t in TIERS]
    Award.objects.bulk_create(
        Award(
            campaign=campaign, nomination=n, kind="case", tier=levels[min(i // 4, 3)][0],
            tier_name=levels[min(i // 4, 3)][1], rank=i + 1, score=Decimal(100 - i * 0.01).quantize(Decimal("0.0001")),
            status=Award.Status.CONFIRMED, confirmed_by=committee, confirmed_at=now,
        )
        for i, n in enumerate(nominations)
    )  # fmt: skip
    return campaign


def _build(campaign: Campaign, committee: User) -> tuple[float, CaseBook]:
    book, _queued = actions.request_casebook(campaign.pk, actor=committee)
    start = time.perf_counter()
    built = build_casebook(book.pk)
    elapsed = time.perf_counter() - start
    assert built is not None, CaseBook.objects.get(pk=book.pk).error
    return elapsed, built


def casebook_scaling(small: int = 20, large: int = 200, repeat: int = 3) -> dict[str, dict[str, object]]:
    """Build time of the ``large`` book / the ``small`` one (median of ``repeat`` builds each)."""
    saved = settings.MEDIA_ROOT, settings.SEALFLOW_CASEBOOK_BACKGROUND
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as media:
        # a file store of its own; builds run here, never handed to a worker of the product's database
        settings.MEDIA_ROOT, settings.SEALFLOW_CASEBOOK_BACKGROUND = media, False
        try:
            root = make_org("案例集基准市", OrgKind.CITY, None, prefix="cb")
            host = make_org("案例集基准组委会", OrgKind.COMMITTEE, root, prefix="cb")
            unit = make_org("案例集基准单位", OrgKind.UNIT, root, prefix="cb")
            committee = User.objects.create(username=f"cb_committee_{time.time_ns()}", org=host)
            Grant.objects.create(user=committee, role=Role.COMMITTEE, org=host)
            pictures = []
            for kind, size, colour in (("jpg", (1600, 1200), (30, 90, 160)), ("png", (1200, 400), (160, 40, 30))):
                content = _picture(kind, size, colour)
                name, digest = _stored(content, kind)
                pictures.append((kind, name, digest, len(content)))
            small_campaign = _campaign(host, unit, committee, small, pictures)
            large_campaign = _campaign(host, unit, committee, large, pictures)
            _build(small_campaign, committee)  # warm fonts, imports and caches
            small_times, large_times = [], []
            pages = {}
            for _ in range(repeat):
                t, book = _build(small_campaign, committee)
                small_times.append(t)
                pages["small"] = book.pages
                t, book = _build(large_campaign, committee)
                large_times.append(t)
                pages["large"] = book.pages
        finally:
            settings.MEDIA_ROOT, settings.SEALFLOW_CASEBOOK_BACKGROUND = saved
    t_small, t_large = statistics.median(small_times), statistics.median(large_times)
    ratio = t_large / t_small
    limit = 1.2 * large / small
    return {
        f"case book build, {large} cases / {small} cases": row(
            ratio,
            f"<= {limit:g}",
            ratio <= limit,
            f"{t_large:.2f} s ({pages['large']} pages) vs {t_small:.2f} s ({pages['small']} pages); "
            f"{t_large / large * 1000:.0f} vs {t_small / small * 1000:.0f} ms per case",
        )
    }
