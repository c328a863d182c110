"""In-process benchmarks of the accounts layer: query counts and the subtree query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import actions, permissions, selectors
from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from bench.orgs import make_org
from bench.timing import median_seconds, row


def _org(name: str, kind: OrgKind, parent: Organization | None) -> Organization:
    return make_org(name, kind, parent, prefix="B")


def _queries_for_one_grant(admin: User, unit: Organization, n: int) -> int:
    user = User.objects.create(username=f"grantee{n}", org=unit)
    with CaptureQueriesContext(connection) as ctx:
        actions.grant_role(actor=admin, user_id=user.pk, role=Role.SUBMITTER, org=unit)
    return len(ctx.captured_queries)


def grant_queries(*, large: int) -> dict[str, dict[str, object]]:
    """Queries per grant creation must not grow with the number of existing grants."""
    admin = User.objects.create(username="bench_admin")
    Grant.objects.create(user=admin, role=Role.SECURITY_ADMIN, org=None)
    city = _org("city", OrgKind.CITY, None)
    district = _org("district", OrgKind.DISTRICT, city)
    township = _org("township", OrgKind.TOWNSHIP, district)
    unit = _org("unit", OrgKind.UNIT, township)

    users = User.objects.bulk_create(User(username=f"filler{i}", org=unit) for i in range(large))
    Grant.objects.bulk_create(Grant(user=u, role=Role.SUBMITTER, org=unit) for u in users[:10])
    at_small = _queries_for_one_grant(admin, unit, 1)
    Grant.objects.bulk_create(Grant(user=u, role=Role.SUBMITTER, org=unit) for u in users[10:])
    at_large = _queries_for_one_grant(admin, unit, 2)
    return {
        f"queries per grant_role (10 vs {large} grants)": row(
            at_large / at_small, "== 1.0", at_large == at_small, f"{at_small} vs {at_large} queries"
        )
    }


def subtree_depth(*, total: int) -> dict[str, dict[str, object]]:
    """The subtree query and the scope check cost the same for a node at depth 5 as at depth 1.

    Builds ``total`` organisations (a 5-level tree), plus two probes with 50 children each:
    one at depth 1 and one at depth 5, so both queries return the same number of rows.
    """
    fanout = [20, 10, 10, 10]  # depth 1..4 below one root; the rest are leaves at depth 5
    root = _org("root", OrgKind.CITY, None)
    level = [root]
    made = 1
    for depth, width in enumerate(fanout, start=1):
        nxt: list[Organization] = []
        for parent in level:
            batch = [
                Organization(name=f"n{depth}-{parent.pk}-{i}", code=f"N{depth}-{parent.pk}-{i}", kind=OrgKind.UNIT,
                             parent=parent, depth=depth)
                for i in range(width)
            ]  # fmt: skip
            nxt.extend(Organization.objects.bulk_create(batch))
        _fix_paths(nxt)
        level = nxt
        made += len(nxt)
    leaves_per_node = max(0, -(-(total - made) // len(level)))  # ceiling: reach ``total``
    leaves: list[Organization] = []
    for parent in level:
        leaves.extend(
            Organization(name=f"l-{parent.pk}-{i}", code=f"L-{parent.pk}-{i}", kind=OrgKind.PARTY, parent=parent,
                         depth=5)
            for i in range(leaves_per_node)
        )  # fmt: skip
        if len(leaves) >= 20_000:
            _fix_paths(Organization.objects.bulk_create(leaves))
            leaves = []
    if leaves:
        _fix_paths(Organization.objects.bulk_create(leaves))

    shallow = _org("probe-d1", OrgKind.DISTRICT, root)
    deep_parent = level[len(level) // 2]
    deep_parent.refresh_from_db()  # bulk-created: its path was set in SQL
    deep = _org("probe-d5", OrgKind.DISTRICT, deep_parent)
    for probe in (shallow, deep):
        _fix_paths(
            Organization.objects.bulk_create(
                Organization(
                    name=f"c-{probe.pk}-{i}",
                    code=f"C-{probe.pk}-{i}",
                    kind=OrgKind.UNIT,
                    parent=probe,
                    depth=probe.depth + 1,
                )
                for i in range(50)
            )  # fmt: skip
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_organization")
    count = Organization.objects.count()
    deep.refresh_from_db()
    shallow.refresh_from_db()
    assert len(list(selectors.subtree(deep))) == len(list(selectors.subtree(shallow))) == 51
    assert (shallow.depth, deep.depth) == (1, 5)
    assert deep.path.count("/") == 7

    t_shallow = median_seconds(lambda: list(selectors.subtree(shallow)))
    t_deep = median_seconds(lambda: list(selectors.subtree(deep)))

    leaf_deep = deep.children.first()
    leaf_shallow = shallow.children.first()
    reviewer_deep = User.objects.create(username="rev_deep")
    Grant.objects.create(user=reviewer_deep, role=Role.DISTRICT_REVIEWER, org=deep)
    reviewer_shallow = User.objects.create(username="rev_shallow")
    Grant.objects.create(user=reviewer_shallow, role=Role.DISTRICT_REVIEWER, org=shallow)
    assert leaf_deep is not None
    assert leaf_shallow is not None
    c_shallow = median_seconds(lambda: permissions.has_role_at(reviewer_shallow, Role.DISTRICT_REVIEWER, leaf_shallow))
    c_deep = median_seconds(lambda: permissions.has_role_at(reviewer_deep, Role.DISTRICT_REVIEWER, leaf_deep))
    return {
        f"subtree query depth 5 / depth 1 ({count} orgs)": row(
            t_deep / t_shallow, "<= 1.5", t_deep / t_shallow <= 1.5,
            f"{t_shallow * 1e3:.3f} ms vs {t_deep * 1e3:.3f} ms, 51 rows each",
        ),
        f"scope check depth 6 / depth 2 ({count} orgs)": row(
            c_deep / c_shallow, "<= 1.5", c_deep / c_shallow <= 1.5,
            f"{c_shallow * 1e3:.3f} ms vs {c_deep * 1e3:.3f} ms",
        ),
    }  # fmt: skip


def _fix_paths(orgs: list[Organization]) -> None:
    """Set the materialised paths of freshly bulk-created rows (their parents have theirs)."""
    if not orgs:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE accounts_organization c
               SET path = p.path || c.id || '/'
              FROM accounts_organization p
             WHERE c.parent_id = p.id AND c.id = ANY(%s)
            """,
            [[o.pk for o in orgs]],
        )
