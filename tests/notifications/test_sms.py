"""The HTTP SMS adapter against a local gateway; retries wait in the row."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import events, sms
from notifications.delivery import drain_outbox
from notifications.models import Delivery, Preference
from tests.notifications.sms_gateway import Gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_on(people, settings):
    Preference.objects.create(user=people["leader"], email_enabled=False, sms_enabled=True)
    settings.SEALFLOW_SMS_BACKEND = "http"
    settings.SEALFLOW_SMS_HTTP_TOKEN = "secret-token"


def raise_event(nomination):
    with transaction.atomic():
        events.task_arrived(nomination)


def test_the_http_adapter_posts_json_with_the_delivery_key(submitted, sms_on, settings):
    with Gateway() as gateway:
        settings.SEALFLOW_SMS_HTTP_URL = gateway.url
        raise_event(submitted)

        drain_outbox()

    delivery = Delivery.objects.get()
    assert delivery.status == "sent"
    [request] = gateway.requests
    assert request["key"] == delivery.key
    assert request["auth"] == "Bearer secret-token"
    assert request["body"]["phone"] == "13812345678"
    assert request["body"]["id"] == delivery.key
    assert request["body"]["text"].startswith("【待办】“助老服务案例”等待您审批 http://127.0.0.1:8000/tasks/")


def test_a_gateway_error_is_retried_later_and_a_refusal_is_final(submitted, sms_on, settings):
    with Gateway(status=503) as gateway:
        settings.SEALFLOW_SMS_HTTP_URL = gateway.url
        raise_event(submitted)
        drain_outbox()
        delivery = Delivery.objects.get()
        assert delivery.status == "pending"
        assert delivery.attempts == 1
        assert delivery.next_attempt_at > timezone.now()
        assert "503" in delivery.last_error

        drain_outbox()  # not due yet: nothing sent
        assert len(gateway.requests) == 1

        gateway.status = 400
        Delivery.objects.update(next_attempt_at=timezone.now())
        drain_outbox()

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == 2


def test_an_unreachable_gateway_is_retried(submitted, sms_on, settings):
    settings.SEALFLOW_SMS_HTTP_URL = "http://127.0.0.1:9/sms"  # discard port: connection refused
    raise_event(submitted)

    drain_outbox()

    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert "unreachable" in delivery.last_error


def test_the_logging_backend_logs_a_masked_number(submitted, sms_on, settings, caplog):
    settings.SEALFLOW_SMS_BACKEND = "log"
    raise_event(submitted)

    with caplog.at_level("INFO", logger="notifications.sms"):
        drain_outbox()

    assert Delivery.objects.get().status == "sent"
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text


def test_a_bad_gateway_url_is_a_configuration_error(settings):
    settings.SEALFLOW_SMS_BACKEND = "http"
    settings.SEALFLOW_SMS_HTTP_URL = "file:///etc/passwd"

    with pytest.raises(sms.SmsError) as excinfo:
        sms.get_backend()
    assert excinfo.value.permanent
