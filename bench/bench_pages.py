"""Pages' time and query count as the data grows.

    .venv/bin/python bench/bench_pages.py [--sizes 5 50] [--repeat 20]

Builds a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL), fills it
with labs, organizations, milestones and expressions of interest at each size, and prints the
median time and the query count of each page. The query count must not grow with the size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mll.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abc")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "*")
os.environ.setdefault("MLL_REQUIRE_MFA", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def build(size: int, facilitator):
    from tests.factories import (
        InterestFactory,
        LabFactory,
        MembershipFactory,
        OrganizationFactory,
        ParticipationFactory,
    )

    labs = [LabFactory(facilitators=[facilitator], milestones=True) for _ in range(size)]
    lab = labs[0]
    for _ in range(size):
        org = OrganizationFactory(client_groups=["women-in-tech"])
        ParticipationFactory(lab=lab, organization=org)
        MembershipFactory(organization=org)
        InterestFactory(lab=lab)
    return lab


def measure(client: Client, url: str, repeat: int) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: later requests clear the log it reads from
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), query_count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from tests.factories import UserFactory

        print(f"database: {connection.vendor}")
        print(f"{'size':>5}  {'page':<28} {'median ms':>9}  {'queries':>7}")
        for size in args.sizes:
            facilitator = UserFactory(can_create_labs=True)
            lab = build(size, facilitator)
            client = Client()
            client.force_login(facilitator)
            pages = {
                "home": "/",
                "dashboard": f"/labs/{lab.slug}/",
                "timeline": f"/labs/{lab.slug}/timeline/",
                "participants": f"/labs/{lab.slug}/participants/",
                "interest": f"/labs/{lab.slug}/interest/",
                "public call": f"/call/{lab.slug}/",
            }
            for name, url in pages.items():
                ms, queries = measure(client, url, args.repeat)
                print(f"{size:>5}  {name:<28} {ms:>9.1f}  {queries:>7}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
