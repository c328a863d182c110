"""URL map: the API under /api/v1/, its schema, the web pages, the admin."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import config.api.schema  # noqa: F401 - registers the OpenAPI authentication schemes
from approvals.web.public import verify_page
from approvals.web.publicity import publicity_page, publicity_page_uncached
from portal.views import home


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the launcher and load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file (no inline script under our CSP); Swagger UI's own
    # inline styles need style-src 'unsafe-inline' on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="docs",
    ),
    path("api/v1/", include("config.api.urls")),
    path("admin/", admin.site.urls),
    path("verify/<str:code>", verify_page, name="verify-page"),
    path("publicity/<int:campaign_id>", publicity_page, name="publicity-page"),
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("", include("approvals.urls")),
    path("", include("workflows.urls")),
    path("", include("notifications.urls")),
    path("", include("judging.urls")),
    path("", include("awards.urls")),
    path("", include("voting.urls")),
    path("", include("portal.urls")),
    path("", include("judging.live_urls")),
    path("", home, name="home"),
]

if settings.SEALFLOW_BENCH_VIEWS:

    def bench_hello(request: HttpRequest) -> HttpResponse:
        """The framework floor: a bare Django view, for bench/ ratios."""
        return HttpResponse(b"hello")

    @csrf_exempt
    def bench_approve_sql(request: HttpRequest, nomination_id: int) -> HttpResponse:
        """One approval's writes as hand-written SQL in a bare view: the Django floor of an approval."""
        from bench import raw_approve

        with transaction.atomic(durable=True), connection.cursor() as cursor:
            raw_approve.approve(cursor.execute, nomination_id)
        return HttpResponse(b"ok")

    @csrf_exempt
    def bench_vote_insert(request: HttpRequest, window_id: int, nomination_id: int, n: int) -> HttpResponse:
        """One vote row inserted by a bare view: the Django floor of a public like (bench/voting.py)."""
        from django.utils import timezone

        from voting.models import Vote

        Vote.objects.create(
            window_id=window_id, nomination_id=nomination_id, phone=f"199{n:08d}", day=timezone.localdate()
        )
        return HttpResponse(b"ok", status=201)

    urlpatterns.append(path("bench/hello", bench_hello))
    urlpatterns.append(path("bench/vote-insert/<int:window_id>/<int:nomination_id>/<int:n>", bench_vote_insert))
    urlpatterns.append(path("bench/approve-sql/<int:nomination_id>", bench_approve_sql))
    urlpatterns.append(path("bench/publicity-uncached/<int:campaign_id>", publicity_page_uncached))

handler400 = "config.api.errors.json_400"
handler404 = "config.api.errors.json_404"
handler500 = "config.api.errors.json_500"
