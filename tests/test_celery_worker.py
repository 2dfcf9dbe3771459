"""Scheduled work through a real Celery worker on the real Redis broker.

The worker runs in a thread of this process (`start_worker`), so it sends through the same
locmem e-mail outbox the test reads; it opens its own database connections, hence
`transaction=True`.
"""

import datetime as dt
import os
import threading
import time

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.utils import timezone

from labs.models import Milestone
from labs.tasks import send_milestone_reminders
from mll.celery import app as celery_app
from tests.conftest import service_required
from tests.factories import LabFactory, UserFactory

# A queue of the tests' own, so no other worker on the same Redis can take their tasks.
TEST_QUEUE = "mll-tests"


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Overrides conftest's fixture of the same name: here tasks must cross the broker.
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_required("redis")("REDIS_URL is not set: the worker test needs the real Redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_required("redis")(f"Redis at {url} is not reachable: {exc}")
    return url


@pytest.fixture
def celery_worker(redis_url):
    previous_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis_url
    with celery_app.connection_for_write() as conn:
        # Whatever an earlier, interrupted run left behind must not be consumed here.
        conn.default_channel.queue_purge(TEST_QUEUE)
    try:
        with start_worker(
            celery_app, queues=[TEST_QUEUE], perform_ping_check=False, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        celery_app.conf.broker_url = previous_broker


@pytest.fixture
def finished_tasks():
    """The tasks finished so far (id -> the thread that ran it), and an event set after each."""
    done: dict[str, threading.Thread] = {}
    event = threading.Event()

    def on_postrun(task_id, **kwargs):
        done[task_id] = threading.current_thread()
        event.set()

    signals.task_postrun.connect(on_postrun, weak=False)
    yield done, event
    signals.task_postrun.disconnect(on_postrun)


def wait_for(task_ids: set[str], finished_tasks, timeout: float = 20) -> set[threading.Thread]:
    """Wait until the worker has run every task; return the threads that ran them."""
    done, event = finished_tasks
    deadline = time.monotonic() + timeout
    while not task_ids <= done.keys():
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the worker did not finish {task_ids - done.keys()}"
        event.wait(remaining)
        event.clear()
    return {done[task_id] for task_id in task_ids}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_reminders_sent_through_the_worker_go_out_once_per_due_milestone_even_when_queued_twice(
    celery_worker, finished_tasks, mailoutbox
):
    facilitator = UserFactory(email="fran@example.org")
    lab = LabFactory(facilitators=[facilitator], milestones=True)
    today = timezone.now().date()
    lab.milestones.update(due_date=today + dt.timedelta(days=90))
    due = list(lab.milestones.order_by("position")[:2])
    Milestone.objects.filter(pk__in=[m.pk for m in due]).update(
        due_date=today + dt.timedelta(days=3)
    )

    first = send_milestone_reminders.apply_async(queue=TEST_QUEUE)
    second = send_milestone_reminders.apply_async(queue=TEST_QUEUE)
    threads = wait_for({first.id, second.id}, finished_tasks)

    assert threading.current_thread() not in threads, "the tasks ran eagerly, not in the worker"

    assert len(mailoutbox) == 2
    assert all(message.to == ["fran@example.org"] for message in mailoutbox)
    reminded = Milestone.objects.filter(reminder_sent_for__isnull=False)
    assert sorted(reminded.values_list("pk", flat=True)) == sorted(m.pk for m in due)


def test_every_task_in_the_beat_schedule_is_registered():
    celery_app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE

    assert schedule
    for name, entry in schedule.items():
        assert entry["task"] in celery_app.tasks, f"beat entry {name!r} names an unknown task"


def test_the_beat_schedule_file_lives_in_the_var_folder():
    assert django_settings.CELERY_BEAT_SCHEDULE_FILENAME.startswith(str(django_settings.VAR_DIR))
