"""The answer to a locked-out sign-in: JSON with a code for the API, a Chinese page for the web."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.exceptions import LockedOut


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": LockedOut.code, "detail": str(LockedOut.message)}, status=429)
    return render(request, "accounts/locked_out.html", status=429)
