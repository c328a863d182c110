"""Passwords: Argon2id is the hasher of new hashes; a PBKDF2 hash from before still logs in and is
rehashed with Argon2id at that login (the test settings use MD5 for speed; these tests put the
product's list back)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from rest_framework.test import APIClient

from config.settings import base
from tests.factories import TEST_PASSWORD


@pytest.fixture
def product_hashers(settings: Any) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_argon2_comes_first_and_pbkdf2_is_kept() -> None:
    assert base.PASSWORD_HASHERS[0] == "config.passwords.Argon2idPasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS


@pytest.mark.usefixtures("product_hashers")
def test_new_hashes_are_argon2id() -> None:
    assert make_password("Some-Password-2026").startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
@pytest.mark.usefixtures("product_hashers")
def test_a_pbkdf2_hash_logs_in_and_becomes_argon2id_at_that_login(submitter: Any) -> None:
    submitter.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    submitter.save(update_fields=["password"])
    client = APIClient()
    wrong = {"username": submitter.username, "password": "Wrong-1234"}
    right = {"username": submitter.username, "password": TEST_PASSWORD}

    refused = client.post("/api/v1/auth/token", wrong, format="json")
    assert refused.status_code == 400
    submitter.refresh_from_db()
    assert submitter.password.startswith("pbkdf2_sha256$"), "a failed login must not rehash"

    response = client.post("/api/v1/auth/token", right, format="json")
    assert response.status_code == 200, response.content
    submitter.refresh_from_db()
    assert submitter.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    again = client.post("/api/v1/auth/token", right, format="json")
    assert again.status_code == 200, again.content


@pytest.mark.django_db
@pytest.mark.usefixtures("product_hashers")
def test_an_argon2_hash_with_djangos_heavier_parameters_is_rehashed_at_login(submitter: Any) -> None:
    heavier = Argon2PasswordHasher().encode(TEST_PASSWORD, Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in heavier
    submitter.password = heavier
    submitter.save(update_fields=["password"])

    response = APIClient().post(
        "/api/v1/auth/token", {"username": submitter.username, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    submitter.refresh_from_db()
    assert "m=19456,t=2,p=1" in submitter.password
