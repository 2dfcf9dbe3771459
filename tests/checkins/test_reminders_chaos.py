"""Check-in reminders when things break: a worker killed in the middle of a batch, and Redis
unreachable during a beat run. Nothing is lost and nothing goes out twice.

The killed worker is a real `celery worker` process: it shares no memory with the test, so it
writes e-mails to files (Django's file backend) that the test reads back, counting each
reminder's Message-ID. It kills itself with SIGKILL right after claiming a reminder and before
sending it, which makes the crash land at the same point on every run.
"""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from checkins.models import CheckInReminder, ReminderKind, ReminderState
from checkins.reminders import LEASE, dispatch_due
from checkins.tasks import dispatch_checkin_reminders
from mll.celery import app as celery_app
from tests import test_celery_worker
from tests.checkins.test_reminders import checkin_for
from tests.checkins.test_reminders_worker import finished, sent_ids, wait_until
from tests.factories import LabFactory, MembershipFactory, OrganizationFactory, ParticipationFactory

_eager_celery = test_celery_worker._eager_celery
redis_url = test_celery_worker.redis_url
# A fixture shared with the worker tests.
finished = finished

CHAOS_QUEUE = "mll-tests-checkin-reminders-chaos"
BASE_DIR = Path(__file__).resolve().parent.parent.parent
MESSAGE_ID = re.compile(rb"^Message-ID: (<checkin-reminder-\d+@[^>]+>)$", re.MULTILINE)

# The worker process: settings from the environment, the e-mail backend below.
WORKER = f"""
import os
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "{__name__}.DyingEmailBackend"
settings.EMAIL_FILE_PATH = os.environ["CHAOS_MAIL_DIR"]
from mll.celery import app
app.worker_main(["worker", "--pool=solo", "--queues={CHAOS_QUEUE}", "--loglevel=WARNING",
                 "--without-heartbeat", "--without-mingle", "--without-gossip"])
"""


class DyingEmailBackend(FileEmailBackend):
    """Writes each message to a file; with CHAOS_DIE_AFTER=k set, kills its own process when
    message k + 1 is about to go out — after the reminder was claimed, before it is sent."""

    def send_messages(self, email_messages):
        limit = os.environ.get("CHAOS_DIE_AFTER")
        if limit is not None:
            count = len(list(Path(self.file_path).glob("*.log")))
            if count >= int(limit):
                os.kill(os.getpid(), signal.SIGKILL)
        return super().send_messages(email_messages)


def messages_in(mail_dir: Path) -> Counter:
    """Each reminder Message-ID written to the mail folder, with how many times."""
    found = Counter()
    for path in mail_dir.glob("*.log"):
        found.update(m.decode() for m in MESSAGE_ID.findall(path.read_bytes()))
    return found


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def chaos_queue(redis_url):
    previous_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis_url
    client = redis.Redis.from_url(redis_url)

    def purge():
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(CHAOS_QUEUE)
        # A killed worker's unacknowledged task, which Redis would hand back in an hour.
        client.delete("unacked", "unacked_index")

    purge()
    yield
    purge()
    celery_app.conf.broker_url = previous_broker


@pytest.fixture
def worker_process(tmp_path, redis_url, chaos_queue):
    """Start `celery worker` processes against the test database; all stopped at the end."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started: list[subprocess.Popen] = []

    def start(die_after: int | None = None) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mll.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "CHAOS_MAIL_DIR": str(mail_dir),
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        env.pop("CHAOS_DIE_AFTER", None)
        if die_after is not None:
            env["CHAOS_DIE_AFTER"] = str(die_after)
        process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=BASE_DIR, env=env)
        started.append(process)
        return process

    start.mail_dir = mail_dir
    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def due_openings(count: int) -> list[CheckInReminder]:
    """`count` check-ins whose window opened days ago: one opening notice due for each."""
    lab = LabFactory()
    for _ in range(count):
        org = OrganizationFactory()
        MembershipFactory(organization=org)
        checkin_for(
            ParticipationFactory(lab=lab, organization=org),
            due_on=lab.today() + dt.timedelta(days=5),
        )
    return list(
        CheckInReminder.objects.filter(checkin__participation__lab=lab, kind=ReminderKind.OPENING)
    )


def by_state() -> Counter:
    return Counter(
        CheckInReminder.objects.filter(kind=ReminderKind.OPENING).values_list("state", flat=True)
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_restarted_sends_every_reminder_exactly_once(
    postgresql, worker_process
):
    reminders = due_openings(6)
    dispatch_due(queue=CHAOS_QUEUE)

    # The first worker sends three, claims the fourth and dies before sending it.
    doomed = worker_process(die_after=3)
    assert doomed.wait(timeout=60) == -signal.SIGKILL
    assert len(messages_in(worker_process.mail_dir)) == 3
    assert by_state() == {"sent": 3, "sending": 1, "pending": 2}
    (orphan,) = CheckInReminder.objects.filter(state=ReminderState.SENDING)

    # A new worker takes the rest of the queue; the orphan's claim holds until its lease ends.
    worker_process()
    wait_until(lambda: by_state()["sent"] == 5, timeout=60, what="the restarted worker")
    assert by_state() == {"sent": 5, "sending": 1}

    assert dispatch_due(queue=CHAOS_QUEUE).queued == 0  # within its lease: left alone
    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(minutes=1)):
        result = dispatch_due(queue=CHAOS_QUEUE)
    assert (result.recovered, result.queued) == (1, 1)

    wait_until(lambda: by_state()["sent"] == 6, timeout=60, what="the restarted worker")
    sent = messages_in(worker_process.mail_dir)
    assert sent == Counter({r.message_id: 1 for r in reminders})
    orphan.refresh_from_db()
    assert (orphan.state, orphan.attempts) == (ReminderState.SENT, 2)


def _drop_connection_pools():
    # Forget, don't close: kombu keeps one pool per broker URL and hands the same back.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable():
    """Point the publisher at a port where nothing listens, as if Redis were down."""
    previous = celery_app.conf.broker_url
    _drop_connection_pools()
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        yield
    finally:
        _drop_connection_pools()
        celery_app.conf.broker_url = previous


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_beat_run_while_redis_is_down_changes_nothing_and_each_reminder_goes_out_late_once(
    chaos_queue, redis_url, finished, mailoutbox
):
    lab = LabFactory()
    late_org = OrganizationFactory()
    MembershipFactory(organization=late_org)
    late = checkin_for(
        ParticipationFactory(lab=lab, organization=late_org),
        due_on=lab.today() - dt.timedelta(days=8),
    )
    openings = due_openings(3)
    before = list(CheckInReminder.objects.values_list("pk", "state", "claimed_at", "attempts"))

    with broker_unreachable():
        with pytest.raises(OperationalError):
            dispatch_due(queue=CHAOS_QUEUE)
        with pytest.raises(OperationalError):  # nor can beat queue the dispatch itself
            dispatch_checkin_reminders.apply_async(queue=CHAOS_QUEUE)

    assert list(CheckInReminder.objects.values_list("pk", "state", "claimed_at", "attempts")) == (
        before
    ), "a dispatch that could not queue must leave every reminder as it was"
    assert mailoutbox == []

    # Redis is back: the next beat run, through a real worker, sends each one late, once.
    with start_worker(
        celery_app, queues=[CHAOS_QUEUE], perform_ping_check=False, shutdown_timeout=30
    ):
        dispatch_checkin_reminders.apply_async(kwargs={"queue": CHAOS_QUEUE}, queue=CHAOS_QUEUE)
        dispatch_checkin_reminders.apply_async(kwargs={"queue": CHAOS_QUEUE}, queue=CHAOS_QUEUE)
        # Two dispatches, each queueing the four reminders due: ten tasks in all.
        wait_until(lambda: len(finished) >= 10)

    expected = [r.message_id for r in openings]
    expected.append(late.reminders.get(kind=ReminderKind.OVERDUE_7).message_id)
    assert sent_ids(mailoutbox) == Counter(dict.fromkeys(expected, 1))
    assert sorted(late.reminders.filter(state="skipped").values_list("kind", flat=True)) == [
        ReminderKind.DUE,
        ReminderKind.OPENING,
    ]
    for reminder in CheckInReminder.objects.filter(state="sent"):
        assert reminder.sent_at > reminder.send_at
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
