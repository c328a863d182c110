"""Results 公示 in rounds over subsets (issue 15; [001]: the 入围 first, later the 十佳): a round
lists chosen ids or the holders of chosen tiers, the others stay as they are; finalising a
partial round keeps the campaign in 公示 while approved entries remain, so the next round can start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.actions import publicity
from approvals.models import Nomination, PublicityRound
from audit.models import AuditEvent
from awards import actions
from workflows.models import Campaign

pytestmark = pytest.mark.django_db
S = Nomination.Status


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _statuses(entries):
    found = dict(Nomination.objects.filter(pk__in=[e.pk for e in entries]).values_list("pk", "status"))
    return [found[e.pk] for e in entries]


def _past_window():
    now = timezone.now()
    return {"starts_at": (now - timedelta(days=8)).isoformat(), "ends_at": (now - timedelta(days=1)).isoformat()}


def test_the_finalists_then_the_awarded_in_two_rounds(ranked, client_for):
    e, committee = ranked.entries, ranked.committee
    client = client_for(committee)
    url = f"/api/v1/campaigns/{ranked.campaign.pk}/publicity"

    unknown = client.post(url, {**_past_window(), "nominations": [e[0].pk, 999999]}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "publicity_selection_invalid"
    assert "#999999" in unknown.json()["errors"]["nominations"][0]
    bad_tier = client.post(url, {**_past_window(), "tiers": ["特等奖"]}, format="json")
    assert bad_tier.status_code == 400
    assert "特等奖" in bad_tier.json()["errors"]["tiers"][0]
    assert not PublicityRound.objects.exists()

    # round 1: the 入围 four; 案例4 stays approved
    first = client.post(url, {**_past_window(), "nominations": [e[i].pk for i in range(4)]}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["nominations"] == [e[i].pk for i in range(4)]
    assert first.json()["selection"] == {"tiers": [], "nominations": sorted(e[i].pk for i in range(4))}
    assert _statuses(e) == [S.IN_PUBLICITY] * 4 + [S.APPROVED]
    # an entry of another state (not approved, never listed) is refused
    Nomination.objects.filter(pk=e[4].pk).update(status=S.RETURNED)
    refused = client.post(url, {**_past_window(), "nominations": [e[4].pk]}, format="json")
    assert refused.json()["code"] == "publicity_selection_invalid"
    Nomination.objects.filter(pk=e[4].pk).update(status=S.APPROVED)

    # finalising the partial round: the four are final, the campaign stays in 公示 for the next round
    assert sorted(publicity.finalize_campaign(ranked.campaign.pk, actor=committee)) == sorted(
        e[i].pk for i in range(4)
    )
    assert Campaign.objects.get(pk=ranked.campaign.pk).status == Campaign.Status.PUBLICITY
    event = AuditEvent.objects.filter(action="campaign.finalized").order_by("id").first()
    assert event is not None
    assert event.data["partial"] is True

    # the awards rank the finalists too; the approved one left outside becomes not selected
    actions.allocate_awards(ranked.campaign.pk, actor=committee)
    awards = actions.confirm_awards(ranked.campaign.pk, actor=committee)
    assert [(a.nomination_id, a.tier) for a in awards] == [
        (e[0].pk, "first"),
        (e[1].pk, "second"),
        (e[2].pk, "second"),
    ]
    assert _statuses(e) == [S.FINAL] * 4 + [S.NOT_SELECTED]

    # round 2 by tier (a key and a name): the awarded three, with their tiers; 案例3 stays final
    second = client.post(url, {**_past_window(), "tiers": ["first", "二等奖"]}, format="json")
    assert second.status_code == 200, second.content
    assert second.json()["entries"] == [
        {"nomination": e[0].pk, "tier_name": "一等奖"},
        {"nomination": e[1].pk, "tier_name": "二等奖"},
        {"nomination": e[2].pk, "tier_name": "二等奖"},
    ]
    assert _statuses(e) == [S.IN_PUBLICITY] * 3 + [S.FINAL, S.NOT_SELECTED]

    # nothing approved remains: this finalisation finishes the campaign
    publicity.finalize_campaign(ranked.campaign.pk, actor=committee)
    assert Campaign.objects.get(pk=ranked.campaign.pk).status == Campaign.Status.FINISHED
    assert _statuses(e) == [S.FINAL] * 4 + [S.NOT_SELECTED]


def test_a_round_without_a_selection_still_lists_every_approved(ranked, client_for):
    e = ranked.entries
    Nomination.objects.filter(pk=e[4].pk).update(status=S.IN_PUBLICITY)  # listed before: not listed again
    response = client_for(ranked.committee).post(
        f"/api/v1/campaigns/{ranked.campaign.pk}/publicity", _past_window(), format="json"
    )
    assert response.json()["nominations"] == [e[i].pk for i in range(4)]
    assert response.json()["selection"] is None
    publicity.finalize_campaign(ranked.campaign.pk, actor=ranked.committee)
    assert Campaign.objects.get(pk=ranked.campaign.pk).status == Campaign.Status.FINISHED


def test_the_dashboard_form_offers_the_tiers_and_starts_a_round_over_them(ranked):
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)
    web = Client()
    web.force_login(ranked.committee)
    page = web.get(reverse("portal:dashboard", args=[ranked.campaign.pk])).content.decode()
    assert 'name="tiers" value="first"> 一等奖' in page
    assert "公示范围" in page

    bad = web.post(
        reverse("approvals:publicity-start", args=[ranked.campaign.pk]), {"nominations": "12a"}, follow=True
    )
    assert "申报编号须为数字" in bad.content.decode()
    assert not PublicityRound.objects.exists()

    start = reverse("approvals:publicity-start", args=[ranked.campaign.pk])
    web.post(start, {"tiers": ["first"], "window": "explicit", "ends_at": "2099-01-01T00:00"})
    publicity_round = PublicityRound.objects.get()
    assert list(publicity_round.entries.values_list("nomination_id", "label")) == [(ranked.entries[0].pk, "一等奖")]
    assert publicity_round.selection == {"tiers": ["first"], "nominations": []}
