"""Public pages without an account: the seal verification form (the result page is /verify/<code>)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

_CODE = re.compile(r"^[0-9A-Za-z]{1,32}\Z")


def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the 校验码 printed on a form; go to its verification page."""
    code = request.GET.get("code", "").strip()
    if code and _CODE.match(code):
        return HttpResponseRedirect(reverse("verify-page", args=[code.upper()]))
    return render(request, "approvals/verify_form.html", {"code": code, "invalid": bool(code)})
