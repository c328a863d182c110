"""Public pages without an account: the seal verification form and its result page (/verify/<code>)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from approvals import selectors
from config.errors import NotVisible

_CODE = re.compile(r"^[0-9A-Za-z]{1,32}\Z")


def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the 校验码 printed on a form; go to its verification page."""
    code = request.GET.get("code", "").strip()
    if code and _CODE.match(code):
        return HttpResponseRedirect(reverse("verify-page", args=[code.upper()]))
    return render(request, "approvals/verify_form.html", {"code": code, "invalid": bool(code)})


def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    """The public verification page (校验码 printed on the forms): who sealed what, and whether it holds."""
    try:
        result = selectors.public_verification(code)
    except NotVisible:
        return render(request, "approvals/verify.html", {"result": None}, status=404)
    return render(request, "approvals/verify.html", {"result": result})
