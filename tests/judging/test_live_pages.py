"""The lottery and live-results pages (judging/web_live.py) through the Django client: the
committee's steps, the public draw page before and after the draw, the big-screen scoreboard."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from judging.models import Assignment, Draw, Round
from tests.judging.conftest import make_scene, panel_round, sheet

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def live(tree, submitter, client_for):
    scene = make_scene(tree, submitter, rounds=[panel_round("live", order="lottery", publish_every=2)], entries=3,
                       judges=2)  # fmt: skip
    response = client_for(scene.committee).post(
        f"/api/v1/campaigns/{scene.campaign.pk}/rounds/live/panel", {"judges": [j.pk for j in scene.judges]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return scene


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(scene, action=""):
    return f"/campaigns/{scene.campaign.pk}/rounds/live/live{action}"


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no tags, scripts, styles or attribute values."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    body = re.sub(r"<head>.*?</head>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_committee_commits_draws_and_publishes_through_the_page(live):
    committee = web(live.committee)
    page = committee.get(page_url(live))
    assert page.status_code == 200
    assert "生成并公布承诺值" in page.content.decode()

    assert committee.post(page_url(live, "/commit")).status_code == 302
    draw = Draw.objects.get()
    html = committee.get(page_url(live)).content.decode()
    assert draw.commitment in html
    assert draw.secret not in html  # not even the committee's page shows the secret before the draw

    committee.post(page_url(live, "/draw"), {"contributions": "8\n\n王五\n"})
    draw.refresh_from_db()
    assert draw.contributions == ["8", "王五"]
    assert len(draw.order) == 3

    for judge in live.judges:
        for a in Assignment.objects.filter(judge=judge):
            a.scores, a.status = sheet(10, 20, 30), Assignment.Status.SUBMITTED
            a.save()
    html = committee.get(page_url(live)).content.decode()
    assert "公布至第 2 个出场" in html
    response = committee.post(page_url(live, "/publish"), {"through": "2"}, follow=True)
    assert "已公布前 2 个出场的成绩" in response.content.decode()
    assert Round.objects.get().published_through == 2
    # The next group is the last, shorter one.
    assert "公布至第 3 个出场" in committee.get(page_url(live)).content.decode()
    refused = committee.post(page_url(live, "/publish"), {"through": "1", "partial": "1"}, follow=True)
    assert "已公布的成绩不能撤回" in refused.content.decode()
    assert Round.objects.get().published_through == 2


def test_the_committee_page_is_404_for_a_judge_and_a_second_draw_is_refused_on_the_page(live):
    judge = web(live.judges[0])
    assert judge.get(page_url(live)).status_code == 404
    assert judge.post(page_url(live, "/commit")).status_code == 404
    assert not Draw.objects.exists()
    committee = web(live.committee)
    committee.post(page_url(live, "/commit"))
    again = committee.post(page_url(live, "/commit"), follow=True).content.decode()
    assert "不能重新生成" in again
    committee.post(page_url(live, "/draw"), {"contributions": "1"})
    twice = committee.post(page_url(live, "/draw"), {"contributions": "2"}, follow=True).content.decode()
    assert "抽签只能进行一次" in twice
    assert Draw.objects.get().contributions == ["1"]
    assert Client().get(page_url(live)).status_code == 302  # to sign in


def test_public_draw_page_before_and_after_the_draw(live):
    committee = web(live.committee)
    committee.post(page_url(live, "/commit"))
    draw = Draw.objects.get()
    anonymous = Client()
    before = anonymous.get(f"/draws/{draw.pk}")
    assert before.status_code == 200
    text = before.content.decode()
    assert draw.commitment in text
    assert draw.secret not in text
    assert "尚未抽签" in text

    committee.post(page_url(live, "/draw"), {"contributions": "8\n王五"})
    draw.refresh_from_db()
    text = anonymous.get(f"/draws/{draw.pk}").content.decode()
    assert draw.secret in text
    assert "王五" in text
    assert "docs/verify_draw.py" in text
    assert "如何复核" in text
    titles = {e.pk: e.title for e in live.entries}
    positions = [text.index(f"<td>{titles[n]}</td>") for n in draw.order]
    assert positions == sorted(positions)  # the table lists the drawn order
    assert anonymous.get("/draws/999999").status_code == 404


def test_scoreboard_shows_published_groups_only_in_chinese_and_refreshes_itself(live):
    committee = web(live.committee)
    scoreboard = f"/live/{live.campaign.pk}/live"
    empty = Client().get(scoreboard)
    assert empty.status_code == 200
    assert "成绩尚未公布" in empty.content.decode()

    committee.post(page_url(live, "/commit"))
    committee.post(page_url(live, "/draw"), {"contributions": "8"})
    order = Draw.objects.get().order
    for judge in live.judges:
        for a in Assignment.objects.filter(judge=judge):
            a.scores, a.status = sheet(10, 20, 30 + a.nomination_id % 7), Assignment.Status.SUBMITTED
            a.save()
    committee.post(page_url(live, "/publish"), {"through": "2"})

    response = Client().get(scoreboard)
    html = response.content.decode()
    titles = {e.pk: e.title for e in live.entries}
    assert titles[order[0]] in html
    assert titles[order[1]] in html
    assert titles[order[2]] not in html
    assert '<meta http-equiv="refresh"' in html
    assert response["Cache-Control"] == "no-store"
    assert "http://" not in html
    assert "https://" not in html
    assert LATIN_WORD.findall(visible_text(html)) == []
    assert Client().get(f"/live/{live.campaign.pk}/nope").status_code == 404


def test_scoreboard_ranking_shares_a_rank_between_equal_scores(tree, submitter, client_for):
    scene = make_scene(tree, submitter, rounds=[panel_round("live", order="lottery")], entries=3, judges=1)
    committee = client_for(scene.committee)
    base = f"/api/v1/campaigns/{scene.campaign.pk}/rounds/live"
    assert committee.post(f"{base}/panel", {"judges": [scene.judges[0].pk]}, format="json").status_code == 200
    committee.post(f"{base}/draw/commit")
    order = committee.post(f"{base}/draw", {"contributions": ["1"]}, format="json").json()["order"]
    points = {order[0]: sheet(10, 20, 30), order[1]: sheet(10, 20, 40), order[2]: sheet(10, 20, 30)}
    for a in Assignment.objects.filter(judge=scene.judges[0]):
        a.scores, a.status = points[a.nomination_id], Assignment.Status.SUBMITTED
        a.save()
    assert committee.post(f"{base}/publish", {"through": 3}, format="json").status_code == 200
    html = Client().get(f"/live/{scene.campaign.pk}/live").content.decode()
    assert re.findall(r'<span class="pos">(\d+)</span>', html) == ["1", "2", "2"]
    assert re.findall(r'<span class="score">([\d.]+)</span>', html) == ["70.00", "60.00", "60.00"]
