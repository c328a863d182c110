"""Keyset paging of the inbox, my nominations and the notification list: 50 a page, "下一页" carries the
last id and the filters, the second page holds the rest and no row appears twice."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination
from notifications import events
from notifications.delivery import drain_outbox
from notifications.models import Notification
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

ROWS = 53  # one page of 50 and three more


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def both_pages(client: Client, url: str, key: str) -> tuple[list, list, str]:
    first = client.get(url)
    assert first.status_code == 200
    next_query = first.context["next_query"]
    assert next_query
    assert f"?{next_query}" in first.content.decode().replace("&amp;", "&")
    second = client.get(f"{url.split('?')[0]}?{next_query}")
    assert second.status_code == 200
    assert second.context["next_query"] == ""
    return list(first.context[key]), list(second.context[key]), next_query


def test_the_inbox_pages_by_id_and_keeps_the_filter(tree, submitter):
    campaign = make_campaign(tree.committee)
    other = make_campaign(tree.committee, title="另一个活动")
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    ids = []
    for i in range(ROWS):
        n = create_nomination(
            actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=f"案例{i}", form=valid_case_form()
        )
        ids.append(submit_nomination(n.pk, actor=submitter).pk)
    n = create_nomination(
        actor=submitter, campaign=other, unit=tree.unit, kind="case", title="别的", form=valid_case_form()
    )
    submit_nomination(n.pk, actor=submitter)
    first, second, next_query = both_pages(login(leader), f"/tasks/?campaign={campaign.pk}", "tasks")
    assert parse_qs(next_query)["campaign"] == [str(campaign.pk)]
    assert parse_qs(next_query)["after"] == [str(first[-1].pk)]
    assert len(first) == 50
    assert [t.pk for t in first + second] == ids  # all, in id order, none twice, the other campaign's not


def test_my_nominations_page_newest_first_without_repeats_even_when_times_tie(tree, submitter):
    campaign = make_campaign(tree.committee)
    for i in range(ROWS):
        create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title=f"草稿{i}", form={})
    # Ten share one update time: the id breaks the tie, across the page boundary too.
    moment = timezone.now()
    tied = list(Nomination.objects.order_by("id").values_list("pk", flat=True)[40:50])
    Nomination.objects.filter(pk__in=tied).update(updated_at=moment)
    first, second, next_query = both_pages(login(submitter), "/nominations/?status=draft", "nominations")
    assert parse_qs(next_query)["status"] == ["draft"]
    shown = [n.pk for n in first + second]
    assert len(first) == 50
    assert sorted(shown) == sorted(Nomination.objects.values_list("pk", flat=True))
    assert len(set(shown)) == ROWS
    expected = list(Nomination.objects.order_by("-updated_at", "-id").values_list("pk", flat=True))
    assert shown == expected


def test_notifications_page_newest_first_and_the_unread_filter_is_kept(tree, submitter):
    leader = user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")
    campaign = make_campaign(tree.committee)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老", form=valid_case_form()
    )
    for i in range(ROWS):
        with transaction.atomic():
            events.emit(
                events.Kind.TASK_ARRIVED, dedupe_key=f"paging:{i}",
                recipients={"roles": [["unit_leader", tree.unit.pk]]},
                payload=events._nomination_payload(nomination, link=f"/tasks/{i}/"),
            )  # fmt: skip
    drain_outbox()
    mine = Notification.objects.filter(user=leader)
    assert mine.count() == ROWS
    mine.update(created_at=timezone.now())  # all tie on time: the id orders them
    client = login(leader)
    first, second, next_query = both_pages(client, "/notifications/?unread=1", "notifications")
    assert parse_qs(next_query)["unread"] == ["1"]
    shown = [n.pk for n in first + second]
    assert shown == sorted(mine.values_list("pk", flat=True), reverse=True)
    # Reading the last row shown does not lose the place: the cursor is looked up among all of the user's.
    Notification.objects.filter(pk=first[-1].pk).update(read_at=timezone.now())
    again = client.get(f"/notifications/?{next_query}")
    assert [n.pk for n in again.context["notifications"]] == [n.pk for n in second]
