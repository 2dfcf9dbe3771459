"""The cross-lab impact report and its CSV export on many labs: time and query count.

    .venv/bin/python bench/bench_impact.py [--labs 1000] [--orgs 3] [--repeat 5]

Builds a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL) with
bulk_create: labs, organizations and participations with baselines, funding rounds, approved
applications with awards, budget lines, success metrics, paid tranches, progress updates with
spending, check-ins at 6/12/18 months (some on time, some late, some overdue) with metric
values, and a held meeting per lab with attendance. Then times the admin's report over every
lab and the CSV and XLSX exports (median of --repeat runs) and counts their queries, which
must not grow with the number of labs.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
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
from django.utils import timezone  # noqa: E402


def build(labs: int, orgs_per_lab: int) -> None:
    from accounts.models import User
    from checkins.models import CheckIn, CheckInValue, StandardMetric
    from funding import models as f
    from labs.models import Lab
    from meetings.models import Attendance, AttendanceStatus, Meeting
    from participants.models import Membership, Organization, Participation

    today = timezone.localdate()
    now = timezone.now()
    start = today - dt.timedelta(days=800)  # program ended ~8 months ago: 6-month check-ins due
    lab_rows = Lab.objects.bulk_create(
        Lab(
            name=f"Bench lab {n}",
            slug=f"bench-lab-{n}",
            city="Chicago",
            funding_pool=Decimal("90000"),
            start_date=start - dt.timedelta(days=365 * (n % 3)),
        )
        for n in range(labs)
    )
    org_rows = Organization.objects.bulk_create(
        Organization(name=f"Bench org {n}", active_mentors=20, active_mentees=30)
        for n in range(labs * orgs_per_lab)
    )
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", name=f"Bench {n}") for n in range(len(org_rows))
    )
    Membership.objects.bulk_create(
        Membership(user=u, organization=o, role="lead")
        for u, o in zip(users, org_rows, strict=True)
    )
    pairs = [
        (lab, org_rows[i * orgs_per_lab + k])
        for i, lab in enumerate(lab_rows)
        for k in range(orgs_per_lab)
    ]
    parts = Participation.objects.bulk_create(
        Participation(
            lab=lab,
            organization=org,
            status="completed",
            baseline_active_mentors=20 + n % 7,
            baseline_active_mentees=30 + n % 5,
        )
        for n, (lab, org) in enumerate(pairs)
    )
    rounds = f.FundingRound.objects.bulk_create(
        f.FundingRound(lab=lab, opens_on=lab.start_date, deadline=now) for lab in lab_rows
    )
    round_of = {r.lab_id: r for r in rounds}
    apps = f.Application.objects.bulk_create(
        f.Application(
            round=round_of[lab.pk],
            organization=org,
            status="approved",
            title=f"Initiative of {org.name}",
            summary="Engineers as mentors.",
        )
        for lab, org in pairs
    )
    awards = f.Award.objects.bulk_create(
        f.Award(application=a, lab_id=a.round.lab_id, amount=Decimal("20000")) for a in apps
    )
    f.Disbursement.objects.bulk_create(
        f.Disbursement(
            award=a, planned_on=start, amount=Decimal("10000"), status="paid", paid_on=start
        )
        for a in awards
    )
    lines = f.BudgetLine.objects.bulk_create(
        f.BudgetLine(
            application=a, category="events", description="Events", amount=Decimal("20000")
        )
        for a in apps
    )
    metrics = f.SuccessMetric.objects.bulk_create(
        f.SuccessMetric(
            application=a,
            name="Mentors with engineering backgrounds",
            unit="mentors",
            baseline=Decimal("25"),
            target=Decimal("35"),
        )
        for a in apps
    )
    updates = f.ProgressUpdate.objects.bulk_create(
        f.ProgressUpdate(application=a, month=start.replace(day=1), what_happened="Events.")
        for a in apps
    )
    f.Spending.objects.bulk_create(
        f.Spending(update=u, budget_line=line, amount=Decimal("4000"))
        for u, line in zip(updates, lines, strict=True)
    )
    checkins = []
    for n, p in enumerate(parts):
        for months, due in (
            (6, today - dt.timedelta(days=60)),
            (12, today + dt.timedelta(days=120)),
            (18, today + dt.timedelta(days=300)),
        ):
            submitted = None
            if months == 6 and n % 4:
                days = -3 if n % 4 != 3 else 5  # on time, or five days late
                submitted = dt.datetime.combine(
                    due + dt.timedelta(days=days), dt.time(12), tzinfo=dt.UTC
                )
            checkins.append(
                CheckIn(
                    participation=p,
                    months=months,
                    due_on=due,
                    opens_on=due - dt.timedelta(days=14),
                    submitted_at=submitted,
                    status="submitted" if submitted else "draft",
                    funds_spent=Decimal("8000") if submitted else None,
                )
            )
    checkins = CheckIn.objects.bulk_create(checkins)
    metric_of = {m.application_id: m for m in metrics}
    app_of = {(a.round.lab_id, a.organization_id): a for a in apps}
    part_by_pk = {p.pk: p for p in parts}
    values = []
    for c in checkins:
        if c.submitted_at is None:
            continue
        p = part_by_pk[c.participation_id]
        values += [
            CheckInValue(checkin=c, standard=StandardMetric.ACTIVE_MENTORS, value=Decimal("28")),
            CheckInValue(checkin=c, standard=StandardMetric.ACTIVE_MENTEES, value=Decimal("41")),
            CheckInValue(
                checkin=c,
                metric=metric_of[app_of[(p.lab_id, p.organization_id)].pk],
                value=Decimal("33"),
            ),
        ]
    CheckInValue.objects.bulk_create(values)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            lab=lab,
            title="Monthly meeting",
            starts_at=now - dt.timedelta(days=400),
            ends_at=now - dt.timedelta(days=400, hours=-1),
        )
        for lab in lab_rows
    )
    meeting_of = {m.lab_id: m for m in meetings}
    statuses = [AttendanceStatus.IN_PERSON, AttendanceStatus.REMOTE, AttendanceStatus.ABSENT]
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting_of[p.lab_id],
            user=u,
            organization_id=p.organization_id,
            status=statuses[n % 3],
        )
        for n, (p, u) in enumerate(zip(parts, users, strict=True))
    )
    return len(checkins), len(values)


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """Median wall-clock and CPU milliseconds (CPU time is what a busy machine can't inflate:
    SQLite runs in this process, so it includes the queries), query count, response size."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)
    assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), query_count, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labs", type=int, default=1000)
    parser.add_argument("--orgs", type=int, default=3, help="organizations per lab")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from tests.factories import UserFactory

        started = time.perf_counter()
        checkins, values = build(args.labs, args.orgs)
        print(f"database: {connection.vendor}")
        print(
            f"built {args.labs} labs, {args.labs * args.orgs} organizations, {checkins} "
            f"check-ins, {values} values in {time.perf_counter() - started:.1f}s"
        )
        admin = UserFactory(admin=True)
        client = Client()
        client.force_login(admin)
        print(
            f"{'page':<22} {'wall ms':>9} {'CPU ms':>9}  {'queries':>7}  {'bytes':>9}"
            f"   (medians of {args.repeat})"
        )
        for name, url in {
            "report (all labs)": "/impact/",
            "CSV export": "/impact/export.csv",
            "XLSX export": "/impact/export.xlsx",
            "report (one lab)": "/impact/?lab=bench-lab-0",
        }.items():
            wall, cpu, queries, size = measure(client, url, args.repeat)
            print(f"{name:<22} {wall:>9.1f} {cpu:>9.1f}  {queries:>7}  {size:>9}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
