"""The same phone spelled five ways is one number: stored once canonical, counted once by the limit."""

from __future__ import annotations

import secrets

import pytest
from rest_framework.test import APIClient

from approvals.models import Objection
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import objection_body

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _ip() -> str:
    """A fresh address: counts live in Redis for the window, across test runs."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def spellings(number: str) -> list[str]:
    head, middle, tail = number[:3], number[3:7], number[7:]
    return [
        number,
        f"+86 {head} {middle} {tail}",
        f"86{number}",
        f"{head}-{middle}-{tail}",
        number.translate(FULL_WIDTH),
    ]


def test_five_spellings_of_one_phone_are_one_number_for_the_limit(client_for, people, scene, settings) -> None:
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "4/d"
    client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    number = "139" + "".join(str(secrets.randbelow(10)) for _ in range(8))
    statuses = [
        APIClient(REMOTE_ADDR=_ip())
        .post("/api/v1/public/objections", objection_body(scene.first, phone=spelling), format="json")
        .status_code
        for spelling in spellings(number)
    ]
    assert statuses == [201, 201, 201, 201, 429]
    assert list(Objection.objects.values_list("objector_phone", flat=True)) == [number] * 4
