"""SMS through an adapter: ``send(phone, text, key)``; chosen by ``SEALFLOW_SMS_BACKEND``.

- ``log`` (default): writes the message to the ``notifications.sms`` log, sends nothing.
- ``http``: POSTs JSON ``{"phone", "text", "id"}`` to ``SEALFLOW_SMS_HTTP_URL`` with
  ``Authorization: Bearer SEALFLOW_SMS_HTTP_TOKEN`` and ``Idempotency-Key: <id>``, the shape of
  an SMS gateway's HTTP API (an intranet gateway, or a relay in front of a provider's SDK).
  The id is the delivery's unique key, so a resend after a crash is recognisable by the
  gateway as the same message. 2xx is sent; 408, 429 and 5xx are retried; other 4xx fail.
- a dotted path to a class with the same ``send`` method.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from config.masking import mask_phone

logger = logging.getLogger("notifications.sms")


class SmsError(Exception):
    """Sending failed; ``permanent`` says whether a retry could help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str, key: str) -> None: ...


class LoggingSmsBackend:
    """Sends nothing: logs the masked number and the text (the embedded default)."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        logger.info("SMS %s to %s: %s", key, mask_phone(phone), text)


class HttpSmsBackend:
    """A JSON-over-HTTP SMS gateway (see the module docstring)."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None) -> None:
        self.url = url or settings.SEALFLOW_SMS_HTTP_URL
        self.token = token if token is not None else settings.SEALFLOW_SMS_HTTP_TOKEN
        self.timeout = timeout or settings.SEALFLOW_SMS_HTTP_TIMEOUT
        if not self.url.startswith(("http://", "https://")):
            raise SmsError("SEALFLOW_SMS_HTTP_URL must be an http(s) URL", permanent=True)

    def send(self, *, phone: str, text: str, key: str) -> None:
        body = json.dumps({"phone": phone, "text": text, "id": key}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            retry = exc.code in (408, 429) or exc.code >= 500
            raise SmsError(f"SMS gateway answered {exc.code}", permanent=not retry) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from None


BACKENDS = {"log": LoggingSmsBackend, "http": HttpSmsBackend}


def get_backend() -> SmsBackend:
    name = settings.SEALFLOW_SMS_BACKEND
    cls = BACKENDS.get(name) or import_string(name)
    backend: SmsBackend = cls()
    return backend
