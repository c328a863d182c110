"""Statistics of a campaign (统计) for the host's committee: submitted nominations counted by
district, township (乡镇/街道), city (a province campaign [004]), kind and status; the awards that
stand counted by tier, by kind and per district against the district quotas.

Every table is one SQL ``GROUP BY`` (no count per row in a loop); the township and city of a
nomination are its unit's ancestors of that kind, found through the ids on the unit's
materialised path (``'/1/7/42/'``) and the organisations' primary key. Read only; the callers
check ``accounts.permissions.can_see_campaign_statistics`` first. The result is plain data
(``dict``/``list``/``int``/``str``), the same for the page, the Excel file and the API.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, BooleanField, Count, F, Func, OuterRef, QuerySet, Subquery, Sum
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.roles import OrgKind
from approvals import quotas
from approvals.models import Nomination
from awards.documents import kind_label
from awards.models import Award
from awards.selectors import _region as campaign_region
from config.documents import xlsx_cell
from workflows.models import Campaign


class _OnPath(Func):
    """``<id> = ANY(<the ids on a materialised path>)``: is the organisation on that path (an ancestor
    of, or, the path's own organisation)? Found by primary key (an index lookup), not a prefix scan."""

    arity = 2
    output_field = BooleanField()

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        path_sql, path_params = compiler.compile(self.source_expressions[1])
        sql = f"{pk_sql} = ANY(string_to_array(btrim({path_sql}, '/'), '/')::bigint[])"
        return sql, (*pk_params, *path_params)


def _ancestor(kind: str, *, below_depth: int = -1) -> Subquery:
    """The id of the nomination's unit's nearest ancestor (or itself) of ``kind`` deeper than ``below_depth``."""
    orgs = (
        Organization.objects.filter(kind=kind, depth__gt=below_depth)
        .filter(_OnPath(F("pk"), OuterRef("unit__path")))
        .order_by("-depth")
        .values("pk")[:1]
    )
    return Subquery(orgs, output_field=BigIntegerField())


def submitted_nominations(campaign: Campaign) -> QuerySet[Nomination]:
    """The nominations the statistics count: every one submitted at least once (drafts are not counted)."""
    return Nomination.objects.filter(campaign=campaign).exclude(status=Nomination.Status.DRAFT)


def standing_awards(campaign: Campaign) -> QuerySet[Award]:
    """The awards the statistics count: confirmed and standing (not declined, not revoked), of the
    main prize list (a vote round's 网络点赞奖 are gifts apart from the planned tiers)."""
    return Award.objects.filter(campaign=campaign, status=Award.Status.CONFIRMED, round_key="")


def _names(ids: set[Any]) -> dict[int, str]:
    return dict(Organization.objects.filter(pk__in={i for i in ids if i is not None}).values_list("pk", "name"))


def _by_count(rows: list[dict[str, Any]], key: str = "nominations") -> list[dict[str, Any]]:
    """Largest first, then by name; the row without an organisation last."""
    return sorted(rows, key=lambda r: (r.get("id") is None and "id" in r, -r[key], r.get("name") or ""))


def _competition_ranks(rows: list[dict[str, Any]], key: str) -> None:
    """``rank`` by ``key`` (1, 2, 2, 4: 并列第二) and ``tied`` on each row; rows with none get no rank."""
    for row in rows:
        value = row[key]
        row["rank"] = 1 + sum(1 for other in rows if other[key] > value) if value else None
        row["tied"] = bool(value) and sum(1 for other in rows if other[key] == value) > 1


def _tier_columns(campaign: Campaign, present: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """The tiers as the campaign defines them (kinds, then levels in order), then any other tier an award names."""
    columns: list[dict[str, Any]] = []
    tiers = campaign.tiers or {}
    kinds = [k for k in campaign.kinds if k in tiers] + [k for k in tiers if k not in campaign.kinds]
    for kind in kinds:
        for level in tiers.get(kind) or []:
            if isinstance(level, dict) and level.get("key"):
                planned = level.get("count")
                columns.append(
                    {"kind": kind, "kind_label": kind_label(kind), "tier": str(level["key"]),
                     "tier_name": str(level.get("name") or level["key"]),
                     "planned": int(planned) if isinstance(planned, int) else None}
                )  # fmt: skip
    known = {(c["kind"], c["tier"]) for c in columns}
    for kind, tier in sorted(present - known):
        columns.append(
            {"kind": kind, "kind_label": kind_label(kind), "tier": tier, "tier_name": tier, "planned": None}
        )
    return columns


def campaign_statistics(campaign: Campaign) -> dict[str, Any]:
    """The campaign's figures; see the module's docstring. Nine queries whatever the campaign's size."""
    nominations = submitted_nominations(campaign)
    awards = standing_awards(campaign)
    region = campaign_region(campaign)

    # nominations: one GROUP BY per table
    status_labels = dict(Nomination.Status.choices)
    status_counts = dict(nominations.values_list("status").annotate(n=Count("pk")).order_by())
    by_status = [
        {"status": status, "name": str(status_labels[status]), "nominations": status_counts[status]}
        for status in Nomination.Status.values
        if status_counts.get(status)
    ]
    kind_counts = dict(nominations.values_list("kind").annotate(n=Count("pk")).order_by())
    district_counts = dict(nominations.values_list("district_id").annotate(n=Count("pk")).order_by())
    township_counts = dict(
        nominations.annotate(township=_ancestor(OrgKind.TOWNSHIP))
        .values_list("township")
        .annotate(n=Count("pk"))
        .order_by()
    )

    # awards: one GROUP BY (district, kind, tier) that the award tables sum up
    award_rows = list(
        awards.values("nomination__district_id", "kind", "tier", "tier_name")
        .annotate(n=Count("pk"), prize=Sum("prize"))
        .order_by()
    )
    tier_names = {(r["kind"], r["tier"]): r["tier_name"] for r in award_rows}
    columns = _tier_columns(campaign, set(tier_names))
    for column in columns:
        if (column["kind"], column["tier"]) in tier_names and column["tier_name"] == column["tier"]:
            column["tier_name"] = tier_names[(column["kind"], column["tier"])]

    # the quotas of districts (approvals.quotas: one query)
    district_quota: dict[int, dict[str, int]] = {}
    for usage in quotas.quota_usage(campaign):
        if usage.org.kind != OrgKind.DISTRICT:
            continue
        entry = district_quota.setdefault(usage.org.pk, {"all": 0, "all_used": 0, "kinds": 0, "kinds_used": 0})
        if usage.kind:
            entry["kinds"] += usage.max
            entry["kinds_used"] += usage.used
        else:
            entry["all"] += usage.max
            entry["all_used"] += usage.used

    district_ids = set(district_counts) | {r["nomination__district_id"] for r in award_rows} | set(district_quota)
    names = _names(district_ids | set(township_counts))
    awards_per_district: dict[int | None, int] = {}
    awards_per_kind: dict[str, int] = {}
    per_tier: dict[tuple[str, str], dict[str, Any]] = {}
    per_district_tier: dict[tuple[int | None, str, str], int] = {}
    for r in award_rows:
        district, key = r["nomination__district_id"], (r["kind"], r["tier"])
        awards_per_district[district] = awards_per_district.get(district, 0) + r["n"]
        awards_per_kind[r["kind"]] = awards_per_kind.get(r["kind"], 0) + r["n"]
        tier = per_tier.setdefault(key, {"n": 0, "prize": Decimal(0)})
        tier["n"] += r["n"]
        tier["prize"] += r["prize"] or 0
        per_district_tier[(district, *key)] = per_district_tier.get((district, *key), 0) + r["n"]

    no_district = str(_("（未归属区县）"))
    by_district = _by_count(
        [
            {
                "id": d,
                "name": names.get(d, no_district) if d is not None else no_district,
                "nominations": district_counts.get(d, 0),
                "awards": awards_per_district.get(d, 0),
            }
            for d in district_ids
        ]  # fmt: skip
    )
    by_township = _by_count(
        [
            {"id": t, "name": names[t] if t is not None else str(_("（不属于乡镇、街道的单位）")), "nominations": n}
            for t, n in township_counts.items()
        ]
    )
    kinds = list(campaign.kinds) + sorted((set(kind_counts) | set(awards_per_kind)) - set(campaign.kinds))
    by_kind = [
        {"kind": k, "name": kind_label(k), "nominations": kind_counts.get(k, 0), "awards": awards_per_kind.get(k, 0)}
        for k in kinds
    ]
    no_tier = {"n": 0, "prize": Decimal(0)}
    awards_by_tier = [
        {**c, "awards": per_tier.get((c["kind"], c["tier"]), no_tier)["n"],
         "prize_total": str(per_tier.get((c["kind"], c["tier"]), no_tier)["prize"].quantize(Decimal("0.01")))}
        for c in columns
    ]  # fmt: skip
    awards_by_district = []
    for row in by_district:
        quota = district_quota.get(row["id"]) if row["id"] is not None else None
        limit, used = None, None
        if quota is not None:  # a district's total quota, else the sum of its per-kind quotas
            limit, used = (quota["all"], quota["all_used"]) if quota["all"] else (quota["kinds"], quota["kinds_used"])
        awards_by_district.append(
            {"id": row["id"], "name": row["name"], "awards": row["awards"],
             "tiers": [per_district_tier.get((row["id"], c["kind"], c["tier"]), 0) for c in columns],
             "quota": limit, "quota_used": used}
        )  # fmt: skip

    return {
        "campaign": {"id": campaign.pk, "title": campaign.title},
        "region": region.name if region else None,
        "nominations": sum(status_counts.values()),
        "awards": sum(awards_per_kind.values()),
        "by_status": by_status,
        "by_kind": by_kind,
        "by_district": by_district,
        "by_township": by_township,
        "by_city": _by_city(nominations, awards, region),
        "tiers": columns,
        "awards_by_tier": awards_by_tier,
        "awards_by_district": awards_by_district,
    }


def _by_city(
    nominations: QuerySet[Nomination], awards: QuerySet[Award], region: Organization | None
) -> list[dict[str, Any]] | None:
    """Counts by city below a province (a region that has cities under it, [004]: "并列全省第二" is a
    count of awards by city), ranked by awards with ties; ``None`` for a campaign of one city or district."""
    if region is None or region.kind != OrgKind.PROVINCE:
        return None
    cities = Organization.objects.filter(kind=OrgKind.CITY, path__startswith=region.path, depth__gt=region.depth)
    if not cities.exists():
        return None
    city = _ancestor(OrgKind.CITY, below_depth=region.depth)
    nomination_counts = dict(nominations.annotate(city=city).values_list("city").annotate(n=Count("pk")).order_by())
    award_city = _ancestor(OrgKind.CITY, below_depth=region.depth)
    # the award's nomination's unit: the subquery's OuterRef("unit__path") is resolved from Award's nomination
    award_counts = dict(
        awards.annotate(
            city=Subquery(
                Nomination.objects.filter(pk=OuterRef("nomination_id")).annotate(city=award_city).values("city")[:1]
            )
        )
        .values_list("city")
        .annotate(n=Count("pk"))
        .order_by()
    )
    names = _names(set(nomination_counts) | set(award_counts))
    outside = str(_("（省直及未归属市的单位）"))
    rows = [
        {"id": c, "name": names[c] if c is not None else outside,
         "nominations": nomination_counts.get(c, 0), "awards": award_counts.get(c, 0)}
        for c in set(nomination_counts) | set(award_counts)
    ]  # fmt: skip
    rows = sorted(rows, key=lambda r: (r["id"] is None, -r["awards"], -r["nominations"], r["name"]))
    _competition_ranks([r for r in rows if r["id"] is not None], "awards")
    for r in rows:
        r.setdefault("rank", None)
        r.setdefault("tied", False)
        r["rank_text"] = _rank_text(r)
    return rows


def statistics_tables(figures: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The figures as (title, headers, rows) tables: one sheet each in the Excel file, one table each on the page."""
    tiers = figures["tiers"]
    tables: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            _("按区县统计"),
            [_("区（县）"), _("申报数"), _("获奖数")],
            [[r["name"], r["nominations"], r["awards"]] for r in figures["by_district"]],
        ),
        (
            _("按乡镇（街道）统计"),
            [_("乡镇（街道）"), _("申报数")],
            [[r["name"], r["nominations"]] for r in figures["by_township"]],
        ),
        (
            _("按类别统计"),
            [_("类别"), _("申报数"), _("获奖数")],
            [[r["name"], r["nominations"], r["awards"]] for r in figures["by_kind"]],
        ),
        (
            _("按状态统计"),
            [_("状态"), _("申报数")],
            [[r["name"], r["nominations"]] for r in figures["by_status"]],
        ),
        (
            _("按奖项等次统计"),
            [_("类别"), _("奖项等次"), _("设奖数"), _("获奖数"), _("奖金合计（元）")],
            [
                [r["kind_label"], r["tier_name"], r["planned"], r["awards"], Decimal(r["prize_total"])]
                for r in figures["awards_by_tier"]
            ],
        ),  # fmt: skip
        (
            _("各区县获奖与名额"),
            [
                _("区（县）"),
                _("获奖合计"),
                _("名额"),
                _("已用名额"),
                *[f"{t['kind_label']} {t['tier_name']}" for t in tiers],
            ],
            [
                [r["name"], r["awards"], r["quota"], r["quota_used"], *r["tiers"]]
                for r in figures["awards_by_district"]
            ],
        ),  # fmt: skip
    ]
    if figures["by_city"] is not None:
        tables.append(
            (
                _("按市统计"),
                [_("市"), _("申报数"), _("获奖数"), _("获奖数名次")],
                [[r["name"], r["nominations"], r["awards"], r["rank_text"]] for r in figures["by_city"]],
            )
        )
    return [(str(title), [str(h) for h in headers], rows) for title, headers, rows in tables]


def _rank_text(row: dict[str, Any]) -> str:
    if row["rank"] is None:
        return "—"
    return (_("并列第{n}") if row["tied"] else _("第{n}")).format(n=row["rank"])


def render_statistics_xlsx(figures: dict[str, Any]) -> bytes:
    """The figures as an Excel workbook, one sheet per table; every text through ``xlsx_cell``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headers, rows in statistics_tables(figures):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([xlsx_cell(sheet, figures["campaign"]["title"])])
        sheet.append([xlsx_cell(sheet, h) for h in headers])
        for row in rows:
            sheet.append([xlsx_cell(sheet, v, "0.00" if isinstance(v, Decimal) else None) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
