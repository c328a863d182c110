"""The users of the mixed-load test (issue 19), for Locust; ``run.py`` starts Locust on this file.

Every user signs in through the login page as a person does (session cookie, CSRF token), with the demo
accounts and their password. Requests are named ``page …`` (HTML a person waits for), ``api …`` (the
page scripts' and integrations' JSON) and ``public …`` (no sign-in), so that the report can give the p95
of pages apart. Each write answered 2xx is appended to the file named by ``SEALFLOW_LOAD_WRITES`` (one
JSON line: kind and id or receipt), which ``checks.py`` looks up in the database afterwards.

The context (campaign, unit and nomination ids) comes from ``prepare.py`` through the JSON file named by
``SEALFLOW_LOAD_CONTEXT``. No judges: the demo data has no judging round to score.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import threading
from typing import Any

from locust import HttpUser, between, task
from PIL import Image
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PASSWORD = os.environ.get("SEALFLOW_LOAD_PASSWORD", "Sealflow@2026")
CONTEXT: dict[str, Any] = json.loads(open(os.environ["SEALFLOW_LOAD_CONTEXT"], encoding="utf-8").read())  # noqa: SIM115
WRITES = open(os.environ["SEALFLOW_LOAD_WRITES"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
_lock = threading.Lock()
_serial = itertools.count(1)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTACHMENT_LINK = re.compile(r"/attachments/(\d+)")


def record(kind: str, **data: Any) -> None:
    with _lock:
        WRITES.write(json.dumps({"kind": kind, **data}, ensure_ascii=False) + "\n")


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


PICTURES = [_jpeg((200, 60, 40)), _jpeg((40, 140, 200)), _jpeg((90, 180, 90))]

# A GET sent on a kept-alive connection at the moment the server closes it as idle (gunicorn's
# --keep-alive 5 s) is reset; browsers send such an idempotent request again on a new
# connection (RFC 9110 §9.2.2), so the simulated users do too, once. Writes are never retried:
# a reset write is still a failure here.
BROWSER_RETRY = Retry(total=1, connect=1, read=1, status=0, other=0, redirect=0, allowed_methods=frozenset({"GET"}),
                      raise_on_status=False)  # fmt: skip


def like_a_browser(user: HttpUser) -> None:
    adapter = HTTPAdapter(max_retries=BROWSER_RETRY)
    user.client.mount("http://", adapter)
    user.client.mount("https://", adapter)


class SignedIn(HttpUser):
    """A person with an account: signs in on the login page, then keeps the session."""

    abstract = True
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        like_a_browser(self)
        self.username = random.choice(self.usernames)
        page = self.client.get("/login/", name="page /login/")
        match = CSRF_INPUT.search(page.text or "")
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            name="page POST /login/ (sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.username} answered {response.status_code}")

    def api_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken") or "", "Accept": "application/json"}

    def page(self, path: str, name: str) -> None:
        self.client.get(path, name=f"page {name}")


class PingshanSubmitter(SignedIn):
    """坪山 [001]: a draft on the page, the form typed with autosave, 3 JPG pictures uploaded, submitted."""

    weight = 3
    wait_time = between(1, 3)
    usernames = ("pingshan_submitter",)

    @task
    def apply(self) -> None:
        ctx = CONTEXT["pingshan"]
        self.page("/nominations/", "/nominations/ (我的申报)")
        page = self.client.get(
            f"/campaigns/{ctx['campaign']}/nominations/new", name="page /campaigns/<id>/nominations/new"
        )
        match = CSRF_INPUT.search(page.text or "")
        token = match.group(1) if match else ""
        title = f"负载测试案例{next(_serial)}"
        response = self.client.post(
            f"/campaigns/{ctx['campaign']}/nominations/new",
            data={"unit": ctx["unit"], "kind": "case", "title": title, "csrfmiddlewaretoken": token},
            name="page POST /campaigns/<id>/nominations/new (draft)",
            allow_redirects=False,
        )
        found = re.search(r"/nominations/(\d+)/edit", response.headers.get("Location", ""))
        if response.status_code != 302 or not found:
            return
        pk = int(found.group(1))
        record("nomination_created", id=pk)
        self.page(f"/nominations/{pk}/edit", "/nominations/<id>/edit")
        form = ctx["form"]
        typed = {"title": title, "csrfmiddlewaretoken": token}
        for step, keys in enumerate(
            (("category", "authors"), ("in_pingshan", "body", "contact_name", "contact_phone"))
        ):
            for key in keys:
                value = form[key]
                typed[key] = "true" if value is True else str(value)
            response = self.client.post(
                f"/nominations/{pk}/autosave", data=typed, name="api POST /nominations/<id>/autosave"
            )
            if response.status_code == 200 and response.json().get("saved"):
                record("autosave", id=pk, version=response.json()["version"], step=step)
        for i, picture in enumerate(PICTURES):
            name = f"活动照片{i + 1}.jpg"
            response = self.client.post(
                f"/nominations/{pk}/attachments",
                data={"field": "pictures", "csrfmiddlewaretoken": token},
                files={"file": (name, picture, "image/jpeg")},
                headers={"Accept": "application/json"},
                name="api POST /nominations/<id>/attachments (picture)",
            )
            if response.status_code == 201:
                record("attachment", nomination=pk, name=name)
        response = self.client.post(
            f"/api/v1/nominations/{pk}/submit",
            headers=self.api_headers(),
            name="api POST /api/v1/nominations/<id>/submit",
        )
        if response.status_code == 200:
            record("submitted", id=pk)
        self.page(f"/nominations/{pk}/", "/nominations/<id>/")


class DehuaSubmitter(SignedIn):
    """德化 [000]: a draft through the API, the title autosaved, the form saved (team list), submitted."""

    weight = 3
    wait_time = between(1, 3)
    usernames = ("dehua_submitter",)

    @task
    def apply(self) -> None:
        ctx = CONTEXT["dehua"]
        self.page("/nominations/", "/nominations/ (我的申报)")
        title = f"负载测试微服务{next(_serial)}"
        response = self.client.post(
            "/api/v1/nominations",
            json={"campaign": ctx["campaign"], "unit": ctx["unit"], "kind": "case", "title": title},
            headers=self.api_headers(),
            name="api POST /api/v1/nominations",
        )
        if response.status_code != 201:
            return
        pk = int(response.json()["id"])
        record("nomination_created", id=pk)
        self.page(f"/nominations/{pk}/edit", "/nominations/<id>/edit")
        response = self.client.post(
            f"/nominations/{pk}/autosave",
            data={
                "title": title,
                "name": ctx["form"]["name"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="api POST /nominations/<id>/autosave",
        )
        if response.status_code == 200 and response.json().get("saved"):
            record("autosave", id=pk, version=response.json()["version"], step=0)
        response = self.client.patch(
            f"/api/v1/nominations/{pk}", json={"form": ctx["form"]}, headers=self.api_headers(),
            name="api PATCH /api/v1/nominations/<id>",
        )  # fmt: skip
        if response.status_code == 200:
            record("autosave", id=pk, version=response.json()["version"], step=1)
        response = self.client.post(
            f"/api/v1/nominations/{pk}/submit",
            headers=self.api_headers(),
            name="api POST /api/v1/nominations/<id>/submit",
        )
        if response.status_code == 200:
            record("submitted", id=pk)


class Reviewer(SignedIn):
    """德化's 主办单位资格审核 (the host's committee signs it, no seal): the inbox, one task opened and
    approved; now and then a batch of up to 5."""

    weight = 2
    wait_time = between(1, 3)
    usernames = ("dehua_committee",)

    def _open_tasks(self) -> list[int]:
        response = self.client.get("/api/v1/tasks?limit=50", headers=self.api_headers(), name="api GET /api/v1/tasks")
        if response.status_code != 200:
            return []
        body = response.json()
        items = body.get("results", body) if isinstance(body, dict) else body
        return [int(t["id"]) for t in items if isinstance(t, dict) and "id" in t]

    def _approved(self, response: Any, task_ids: list[int]) -> None:
        """A 200 approved every task asked (a batch is all or none): SignOff.task_id is unique, checks.py
        looks each one up."""
        with response:
            if response.status_code == 200:
                for task_id in task_ids:
                    record("approved", task=task_id)
            elif response.status_code in (404, 409):
                response.success()  # another simulated reviewer decided it first: expected, counted apart

    @task(4)
    def approve_one(self) -> None:
        self.page("/tasks/", "/tasks/ (待办)")
        tasks = self._open_tasks()
        if not tasks:
            return
        task_id = random.choice(tasks)
        self.page(f"/tasks/{task_id}/", "/tasks/<id>/")
        self._approved(
            self.client.post(
                f"/api/v1/tasks/{task_id}/approve",
                json={"opinion": "经审核，符合参评条件，同意。"},
                headers=self.api_headers(),
                name="api POST /api/v1/tasks/<id>/approve",
                catch_response=True,
            ),  # fmt: skip
            [task_id],
        )

    @task(1)
    def approve_batch(self) -> None:
        tasks = self._open_tasks()
        if not tasks:
            return
        batch = random.sample(tasks, min(5, len(tasks)))
        self._approved(
            self.client.post(
                "/api/v1/tasks/approve-batch",
                json={"tasks": batch, "opinion": "同意。"},
                headers=self.api_headers(),
                name="api POST /api/v1/tasks/approve-batch",
                catch_response=True,
            ),  # fmt: skip
            batch,
        )


class Committee(SignedIn):
    """The organising committee watches its campaign's dashboard."""

    weight = 1
    wait_time = between(2, 5)
    usernames = ("dehua_committee", "pingshan_committee")

    @task
    def dashboard(self) -> None:
        campaign = CONTEXT["committee_campaigns"][0 if self.username.startswith("dehua") else 1]
        self.page(f"/campaigns/{campaign}/dashboard", "/campaigns/<id>/dashboard")
        self.client.get(
            f"/api/v1/campaigns/{campaign}", headers=self.api_headers(), name="api GET /api/v1/campaigns/<id>"
        )


class Public(HttpUser):
    """The public: the 公示 page in a spike (many readers, short waits), now and then a real-name objection."""

    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        like_a_browser(self)

    @task(10)
    def publicity_page(self) -> None:
        self.client.get(
            f"/publicity/{CONTEXT['public']['campaign']}",
            headers={"Accept-Encoding": "gzip"},
            name="page /publicity/<id> (公示)",
        )

    @task(3)
    def publicity_api(self) -> None:
        self.client.get(
            f"/api/v1/public/campaigns/{CONTEXT['public']['campaign']}/publicity",
            name="public GET /api/v1/public/campaigns/<id>/publicity",
        )

    @task(1)
    def objection(self) -> None:
        n = next(_serial)
        response = self.client.post(
            "/api/v1/public/objections",
            json={
                "nomination": random.choice(CONTEXT["public"]["nominations"]),
                "name": "王小明",
                "phone": f"139{n:08d}",
                "content": "该案例材料与实际情况不符，请核实。",
            },
            name="public POST /api/v1/public/objections",
        )
        if response.status_code == 201:
            record("objection", receipt=response.json()["receipt"])
