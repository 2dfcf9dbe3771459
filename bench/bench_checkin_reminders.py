"""Check-in reminders at scale: plan 100,000 check-ins, dispatch 10,000 due reminders through
Redis and a real Celery worker, report reminders per second and prove none went out twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mll REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/bench_checkin_reminders.py \\
        [--checkins 100000] [--due 10000] [--concurrency 4] [--dispatches 2]

Needs PostgreSQL and Redis (it refuses SQLite: a worker process must share the database). It
builds a throwaway test database (`test_<name>`, dropped at the end), bulk-creates labs,
organizations with a member each and their 6/12/18-month check-ins, and plans every check-in's
five reminders with `reminders_plan`. It then makes `--due` reminders due (a fifth of them as a
catch-up, where the two earlier notices are skipped), starts `celery worker` (prefork,
`--concurrency`) on a queue of its own, and runs `dispatch_due` `--dispatches` times — each run
queues every due reminder again, so the worker must turn the repeats away. The worker's e-mail
backend renders each message in full and counts its Message-ID in a Redis hash; the bench
fails unless every due reminder was counted exactly once and stamped sent.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mll.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abc")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "*")
os.environ.setdefault("MLL_REQUIRE_MFA", "false")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.db import connection  # noqa: E402

QUEUE = "mll-bench-checkin-reminders"
SENT_KEY = "mll-bench:checkin-reminder-message-ids"
LABS = 100
CHUNK = 5000

WORKER = f"""
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "bench.bench_checkin_reminders.RecordingBackend"
from mll.celery import app
app.worker_main(["worker", "--queues={QUEUE}", "--loglevel=WARNING", "--without-heartbeat",
                 "--without-mingle", "--without-gossip", "--hostname=bench@%h",
                 "--concurrency=" + __import__("os").environ["BENCH_CONCURRENCY"]])
"""


class RecordingBackend(BaseEmailBackend):
    """Renders each message as SMTP would receive it, then counts its Message-ID in Redis."""

    _client = None

    def send_messages(self, email_messages):
        if RecordingBackend._client is None:
            RecordingBackend._client = redis.Redis.from_url(settings.REDIS_URL)
        pipe = RecordingBackend._client.pipeline()
        for message in email_messages:
            message.message().as_bytes()
            pipe.hincrby(SENT_KEY, message.extra_headers["Message-ID"], 1)
        pipe.execute()
        return len(email_messages)


def build(checkins: int, due: int) -> tuple[int, float]:
    """Labs, organizations (one member each), 6/12/18-month check-ins and their reminders.
    Returns how many check-ins were planned and the seconds planning took."""
    from accounts.models import User
    from checkins.models import CheckIn
    from checkins.reminders import reminders_plan
    from labs.models import Lab
    from participants.models import Membership, Organization, Participation, ParticipationStatus

    facilitators = User.objects.bulk_create(
        User(email=f"facilitator{n}@bench.example", name=f"Facilitator {n}", password="!")
        for n in range(LABS)
    )
    two_years_ago = dt.date.today() - dt.timedelta(days=730)
    labs = Lab.objects.bulk_create(
        Lab(name=f"Bench lab {n}", slug=f"bench-lab-{n}", city="Chicago", start_date=two_years_ago)
        for n in range(LABS)
    )
    Lab.facilitators.through.objects.bulk_create(
        Lab.facilitators.through(lab=lab, user=user)
        for lab, user in zip(labs, facilitators, strict=True)
    )
    orgs_needed = -(-checkins // 3)
    orgs = Organization.objects.bulk_create(
        (Organization(name=f"Bench org {n}") for n in range(orgs_needed)), batch_size=CHUNK
    )
    members = User.objects.bulk_create(
        (User(email=f"member{n}@bench.example", password="!") for n in range(orgs_needed)),
        batch_size=CHUNK,
    )
    Membership.objects.bulk_create(
        (Membership(user=u, organization=o) for u, o in zip(members, orgs, strict=True)),
        batch_size=CHUNK,
    )
    participations = Participation.objects.bulk_create(
        (
            Participation(
                lab=labs[n % LABS], organization=org, status=ParticipationStatus.COMPLETED
            )
            for n, org in enumerate(orgs)
        ),
        batch_size=CHUNK,
    )

    today = labs[0].today()
    future = today + dt.timedelta(days=200)
    catch_up = due // 5
    rows = []
    for n in range(checkins):
        participation, months = participations[n // 3], (6, 12, 18)[n % 3]
        if n < catch_up:  # eight days overdue: the week-overdue nudge goes, two are skipped
            due_on = today - dt.timedelta(days=8)
        elif n < due:  # the window opened nine days ago: the opening notice goes
            due_on = today + dt.timedelta(days=5)
        else:
            due_on = future + dt.timedelta(days=30 * (months // 6))
        rows.append(
            CheckIn(
                participation=participation,
                months=months,
                due_on=due_on,
                opens_on=due_on - dt.timedelta(days=14),
            )
        )
    created = CheckIn.objects.bulk_create(rows, batch_size=CHUNK)
    start = time.perf_counter()
    tz = labs[0].tz
    for i in range(0, len(created), CHUNK):
        reminders_plan(checkins=created[i : i + CHUNK], tz=tz)
    return len(created), time.perf_counter() - start


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(concurrency: int) -> subprocess.Popen:
    from mll.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BENCH_CONCURRENCY": str(concurrency),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=BASE_DIR, env=env)
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the worker did not start")
    return worker


def wait_for_sent(expected: int, timeout: float) -> int:
    from checkins.models import CheckInReminder, ReminderState

    deadline = time.monotonic() + timeout
    while True:
        sent = CheckInReminder.objects.filter(state=ReminderState.SENT).count()
        if sent >= expected or time.monotonic() > deadline:
            return sent
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--dispatches", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("Set DATABASE_URL to PostgreSQL and REDIS_URL: see the top of this file.")
    if args.due > args.checkins:
        raise SystemExit("--due can't exceed --checkins")

    from django.test.utils import setup_test_environment

    from checkins.models import CheckInReminder, ReminderState
    from checkins.reminders import dispatch_due
    from mll.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    setup_test_environment()
    # Never the test suite's database: the bench drops its own at the end.
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0)
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(SENT_KEY)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    worker = None
    try:
        start = time.perf_counter()
        planned, planning = build(args.checkins, args.due)
        rows = CheckInReminder.objects.count()
        print(f"built {planned:,} check-ins in {time.perf_counter() - start:.1f}s; planned their")
        print(f"  {rows:,} reminders in {planning:.1f}s ({planned / planning:,.0f} check-ins/s)")

        worker = start_worker(args.concurrency)
        start = time.perf_counter()
        queued = skipped = 0
        for _ in range(args.dispatches):
            result = dispatch_due(queue=QUEUE)
            queued += result.queued
            skipped += len(result.skipped)
        dispatching = time.perf_counter() - start
        print(
            f"{args.dispatches} dispatch run(s) queued {queued:,} tasks, skipped {skipped:,} "
            f"earlier notices, in {dispatching:.1f}s ({queued / dispatching:,.0f} tasks/s)"
        )
        sent = wait_for_sent(args.due, args.timeout)
        elapsed = time.perf_counter() - start
        # The repeats queued by the later dispatches may still be in the queue: let them run.
        while client.llen(QUEUE):
            time.sleep(0.2)
        time.sleep(1)

        counts = [int(c) for c in client.hvals(SENT_KEY)]
        twice = sum(1 for c in counts if c > 1)
        print(
            f"worker (concurrency {args.concurrency}) sent {sent:,} reminders in {elapsed:.1f}s "
            f"from the first dispatch: {sent / elapsed:,.0f} reminders/s"
        )
        print(f"distinct Message-IDs e-mailed: {len(counts):,}; sent more than once: {twice}")
        assert sent == args.due, f"{sent} reminders stamped sent, expected {args.due}"
        assert len(counts) == args.due and twice == 0, "a reminder went out twice or not at all"
        assert not CheckInReminder.objects.filter(state=ReminderState.SENDING).exists()
        assert dispatch_due(queue=QUEUE).queued == 0, "a second look found more to send"
        print("OK: every due reminder went out exactly once")
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        client.delete(SENT_KEY)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
