"""Where one approval's time goes: ``python -m bench.profile_approve [N]`` (cProfile, in-process).

Runs N single approvals (``POST /api/v1/tasks/{id}/approve``; with ``batch`` after N, N approvals
by ``POST /api/v1/tasks/approve-batch`` of 100) through Django's whole request path (token
authentication included, with the test client instead of gunicorn) on a database of its own
(``sealflow_profile``, recreated), after a few unmeasured ones, and prints the functions with the
most cumulative and own CPU time (the profiler adds overhead of its own). A measuring tool: its
figures go to bench/README.md by hand.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time

PROFILE_DB = "sealflow_profile"


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    batch = len(sys.argv) > 2 and sys.argv[2] == "batch"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["SEALFLOW_DB_NAME"] = PROFILE_DB
    os.environ.setdefault("SEALFLOW_SEAL_KEY_FILE", "/tmp/sealflow-profile-seal.key")  # noqa: S108
    from config import embedded

    embedded.bootstrap_env()
    from bench import setup_db

    setup_db.recreate_database(PROFILE_DB)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from bench import signoff_bench

    world = signoff_bench._world("prof")
    if batch:  # the committee's sealing stage (a district's sealing stage binds quotas: one by one)
        campaign = signoff_bench._campaign(world, [(Role.COMMITTEE, "host", True), (Role.COMMITTEE, "host", True)])
        reviewer = signoff_bench._person("prof_reviewer", [(Role.COMMITTEE, world.committee)])
    else:
        campaign = signoff_bench._campaign(
            world, [(Role.DISTRICT_REVIEWER, signoff_bench.DISTRICT, True), (Role.COMMITTEE, "host", False)]
        )
        reviewer = signoff_bench._person("prof_reviewer", [(Role.DISTRICT_REVIEWER, world.district)])
    token = AuthToken.objects.create(reviewer)[1]
    signoff_bench._warm_seal_keys(world.district, world.committee)
    warm = 10
    nominations = signoff_bench._submitted_directly(world, campaign, warm + count)
    client = APIClient(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def approve(task_id: int | None) -> None:
        response = client.post(f"/api/v1/tasks/{task_id}/approve", {"opinion": "同意"}, format="json")
        assert response.status_code == 200, response.content

    def approve_batch(tasks: list[int | None]) -> None:
        response = client.post("/api/v1/tasks/approve-batch", {"tasks": tasks, "opinion": "同意"}, format="json")
        assert response.status_code == 200, response.content

    for nomination in nominations[:warm]:
        approve(nomination.task_id)
    profile = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
    cpu, wall = time.process_time(), time.perf_counter()
    profile.enable()
    if batch:  # approve-batch of 100 at a time
        tasks = [n.task_id for n in nominations[warm:]]
        for i in range(0, len(tasks), 100):
            approve_batch(tasks[i : i + 100])
    else:
        for nomination in nominations[warm:]:
            approve(nomination.task_id)
    profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{count} approvals: {cpu * 1e3 / count:.1f} ms CPU, {wall * 1e3 / count:.1f} ms wall per approval")
    if os.environ.get("PROFILE_OUT"):  # for pstats or snakeviz
        profile.dump_stats(os.environ["PROFILE_OUT"])
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
