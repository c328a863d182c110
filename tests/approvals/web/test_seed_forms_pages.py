"""The five seed notices' forms [000–004] through the generated web form: what is typed is what is stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from approvals.actions import create_nomination
from tests.campaigns import make_campaign
from workflows import forms
from workflows.seed_forms import SEED_CAMPAIGNS, SEED_SAMPLES

pytestmark = pytest.mark.django_db

CASES = [(seed, kind) for seed, spec in SEED_CAMPAIGNS.items() for kind in spec["forms"]]


def as_post(definition: dict[str, Any], sample: dict[str, Any]) -> dict[str, Any]:
    """What a browser posts for ``sample`` in the generated form (file fields are uploaded apart)."""
    post: dict[str, Any] = {"title": "样例申报"}
    for field in definition["fields"]:
        key, value = field["key"], sample.get(field["key"])
        if value is None or field["type"] in forms.ATTACHMENT_FIELD_TYPES:
            continue
        if field["type"] == forms.PERSON_LIST:
            post[f"{key}-rows"] = str(len(value))
            for i, person in enumerate(value):
                for sub, sub_value in person.items():
                    post[f"{key}-{i}-{sub}"] = "true" if sub_value is True else str(sub_value)
        elif isinstance(value, list):
            post[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            post[key] = "true" if value else "false"
        else:
            post[key] = str(value)
    return post


@pytest.mark.parametrize(("seed", "kind"), CASES)
def test_seed_form_round_trips_through_the_web_form(tree, submitter, seed, kind):
    definition = copy.deepcopy(SEED_CAMPAIGNS[seed]["forms"][kind])
    campaign = make_campaign(tree.committee, kinds=[kind], forms={kind: definition}, eligibility={})
    nomination = create_nomination(actor=submitter, campaign=campaign, unit=tree.unit, kind=kind, title="", form={})
    client = Client()
    client.force_login(submitter)
    page = client.get(f"/nominations/{nomination.pk}/edit").content.decode()
    for field in definition["fields"]:
        assert field["label"] in page
    sample = copy.deepcopy(SEED_SAMPLES[seed][kind])
    response = client.post(f"/nominations/{nomination.pk}/autosave", as_post(definition, sample))
    assert response.status_code == 200, response.content.decode()
    nomination.refresh_from_db()
    files = {f["key"] for f in definition["fields"] if f["type"] in forms.ATTACHMENT_FIELD_TYPES}
    expected = forms.clean_form_data(definition, {k: v for k, v in sample.items() if k not in files})
    assert nomination.form == expected
