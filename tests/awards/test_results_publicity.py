"""Results 公示 after confirmation: only the awarded nominations, each with its tier name, in the
start API's answer, the public list (API and page) and the notice PDF; a declined award drops out."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from approvals.models import PublicityEntry
from awards import actions
from awards.models import Award
from tests.approvals.test_hostile_documents import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def confirmed(ranked):
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)
    return ranked


def test_results_publicity_lists_the_awarded_with_their_tier(confirmed, client_for, api):
    e = confirmed.entries
    response = client_for(confirmed.committee).post(
        f"/api/v1/campaigns/{confirmed.campaign.pk}/publicity", {"ends_at": "2099-01-01T00:00:00+08:00"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["entries"] == [
        {"nomination": e[0].pk, "tier_name": "一等奖"},
        {"nomination": e[1].pk, "tier_name": "二等奖"},
        {"nomination": e[2].pk, "tier_name": "二等奖"},
    ]
    public = api.get(f"/api/v1/public/campaigns/{confirmed.campaign.pk}/publicity").json()
    listed = [(x["nomination"], x["tier_name"]) for x in public["rounds"][0]["entries"]]
    assert listed == [(e[0].pk, "一等奖"), (e[1].pk, "二等奖"), (e[2].pk, "二等奖")]
    page = Client().get(f"/publicity/{confirmed.campaign.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "奖项等次" in html
    assert "一等奖" in html
    assert "案例3" not in html


def test_the_notice_pdf_shows_the_tiers(confirmed, client_for, api):
    client_for(confirmed.committee).post(
        f"/api/v1/campaigns/{confirmed.campaign.pk}/publicity", {"ends_at": "2099-01-01T00:00:00+08:00"}, format="json"
    )

    web = Client()
    web.force_login(confirmed.committee)

    response = web.get(f"/campaigns/{confirmed.campaign.pk}/publicity-notice.pdf")

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "奖项等次" in text
    assert "一等奖" in text
    assert "二等奖" in text


def test_a_decline_during_publicity_drops_the_entry_and_the_successor_waits_for_its_own(confirmed, client_for, api):
    committee = client_for(confirmed.committee)
    committee.post(
        f"/api/v1/campaigns/{confirmed.campaign.pk}/publicity", {"ends_at": "2099-01-01T00:00:00+08:00"}, format="json"
    )
    e = confirmed.entries

    actions.decline_award(Award.objects.get(nomination=e[1]).pk, actor=confirmed.committee, reason="放弃")

    public = api.get(f"/api/v1/public/campaigns/{confirmed.campaign.pk}/publicity").json()
    assert [x["nomination"] for x in public["rounds"][0]["entries"]] == [e[0].pk, e[2].pk]
    # a supplementary 公示 lists the successor alone, with the tier it took
    again = committee.post(
        f"/api/v1/campaigns/{confirmed.campaign.pk}/publicity", {"ends_at": "2099-01-01T00:00:00+08:00"}, format="json"
    )
    assert again.json()["entries"] == [{"nomination": e[3].pk, "tier_name": "二等奖"}]
    assert PublicityEntry.objects.filter(label="").count() == 0
