"""The public 公示 (page, API, notice PDF) masks phones and ID numbers however they are spelled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.actions import publicity as publicity_actions
from approvals.models import Nomination
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded

SPELLINGS = [
    "+8613812345678",
    "8613912345678",
    "138 1234 5678",
    "138-1234-5678",
    "021-6123 4567",
    "110105491231002",
    "110105 19491231 002X",
    "１３７１２３４５６７８",
]


def _start(people: People, scene: Scene) -> None:
    text = "服务对象联系方式：" + "；".join(SPELLINGS) + "。"
    Nomination.objects.filter(pk=scene.first.pk).update(
        title="案例 " + SPELLINGS[0], form={**scene.first.form, "summary": text}
    )
    now = timezone.now()
    publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        short_reason="测试",
    )


def _digits_only(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


def test_public_api_and_page_mask_every_spelling(people, scene) -> None:
    _start(people, scene)
    api = APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity")
    page = Client().get(f"/publicity/{scene.campaign.pk}")
    assert (api.status_code, page.status_code) == (200, 200)
    for body in (api.content.decode(), page.content.decode()):
        squeezed = _digits_only(body)
        for spelling in SPELLINGS:
            assert _digits_only(spelling) not in squeezed
        assert "+86138****5678" in body
        assert "1101**********002X" not in body  # spaced: the separators stay where they were
        assert "1101** ******** 002X" in body


def test_notice_pdf_masks_every_spelling(people, scene) -> None:
    from tests.approvals.test_hostile_documents import pdf_text

    _start(people, scene)
    client = Client()
    client.force_login(people.committee)
    response = client.get(f"/campaigns/{scene.campaign.pk}/publicity-notice.pdf")
    assert response.status_code == 200
    printed = _digits_only(pdf_text(response.content))
    assert "138****5678" in printed
    for spelling in SPELLINGS:
        assert _digits_only(spelling) not in printed
