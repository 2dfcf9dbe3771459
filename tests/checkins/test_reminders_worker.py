"""Check-in reminders under concurrency: dispatches racing in threads on PostgreSQL, and
dispatch tasks through a real Celery worker on the real Redis. Each reminder reaches its
recipients exactly once.

The worker runs in threads of this process (`start_worker`, thread pool), so it sends into the
same locmem outbox the test reads; everyone opens their own database connections, hence
`transaction=True`. Times are real here (no time machine across threads): the check-ins are
placed around today so that some reminders are due.
"""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker

from checkins import reminders
from checkins.models import CheckInReminder, ReminderKind, ReminderState
from checkins.reminders import dispatch_due, reminder_send
from checkins.tasks import dispatch_checkin_reminders, send_checkin_reminder
from mll.celery import app as celery_app
from tests import concurrency, test_celery_worker
from tests.checkins.test_reminders import checkin_for
from tests.factories import (
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    UserFactory,
)

# Conftest's autouse fixture runs tasks inline; here they must cross the broker.
_eager_celery = test_celery_worker._eager_celery
redis_url = test_celery_worker.redis_url

# A queue of these tests' own: no other worker on the same Redis can take their tasks.
TEST_QUEUE = "mll-tests-checkin-reminders"
THREADS = 6


@pytest.fixture
def celery_worker(redis_url):
    """A real worker on Redis with four threads, so two tasks really run at once."""
    previous_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis_url
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(TEST_QUEUE)  # whatever an interrupted run left
    try:
        with start_worker(
            celery_app,
            queues=[TEST_QUEUE],
            pool="threads",
            concurrency=4,
            perform_ping_check=False,
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.broker_url = previous_broker


@pytest.fixture
def finished():
    """Names of the tasks the worker finished, and the threads that ran them."""
    done: list[tuple[str, threading.Thread]] = []
    lock = threading.Lock()

    def on_postrun(sender, **kwargs):
        with lock:
            done.append((sender.name, threading.current_thread()))

    signals.task_postrun.connect(on_postrun, weak=False)
    yield done
    signals.task_postrun.disconnect(on_postrun)


def wait_until(condition, timeout: float = 30, what: str = "the worker") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not finish in {timeout}s"
        time.sleep(0.05)


def cohort(lab, *, late: int, opening: int) -> set[str]:
    """`late` check-ins eight days overdue (a catch-up: only the week-overdue nudge goes, the
    opening and due-day notices are skipped) and `opening` check-ins whose window just opened.
    Returns the Message-IDs that must go out, each once."""
    today = lab.today()
    checkins = []
    for n in range(late + opening):
        org = OrganizationFactory()
        MembershipFactory(organization=org)
        due_on = today - dt.timedelta(days=8) if n < late else today + dt.timedelta(days=5)
        checkins.append(checkin_for(ParticipationFactory(lab=lab, organization=org), due_on=due_on))
    expected = CheckInReminder.objects.filter(
        checkin__in=checkins[:late], kind=ReminderKind.OVERDUE_7
    ) | CheckInReminder.objects.filter(checkin__in=checkins[late:], kind=ReminderKind.OPENING)
    return {r.message_id for r in expected}


def sent_ids(outbox) -> Counter:
    return Counter(message.extra_headers["Message-ID"] for message in outbox)


def run_at_once(target, threads: int = THREADS) -> list:
    return concurrency.run_at_once(target, threads)


@pytest.fixture
def everyone_chooses_before_anyone_sends(monkeypatch):
    """Hold every dispatch after it chose what to send until all have chosen: each believes
    every reminder is its to send, so only the claim can keep them from sending twice."""
    chosen = threading.Barrier(THREADS, timeout=30)
    choose = reminders._choose

    def choose_then_wait(*args):
        result = choose(*args)
        chosen.wait()
        return result

    monkeypatch.setattr(reminders, "_choose", choose_then_wait)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatches_that_all_chose_the_same_reminders_send_each_once(
    postgresql, everyone_chooses_before_anyone_sends, mailoutbox
):
    lab = LabFactory(facilitators=[UserFactory()])
    expected = cohort(lab, late=6, opening=6)

    results = run_at_once(lambda: dispatch_due(send_inline=True))

    assert sum(r.sent for r in results) == len(expected)
    assert all(len(r.chosen) == len(expected) for r in results), "the race was not set up"
    assert sent_ids(mailoutbox) == Counter(dict.fromkeys(expected, 1))
    assert CheckInReminder.objects.filter(state=ReminderState.SENT).count() == len(expected)
    assert CheckInReminder.objects.filter(state=ReminderState.SKIPPED).count() == 2 * 6


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_reminder_claim_it_once(postgresql, mailoutbox):
    lab = LabFactory()
    (message_id,) = cohort(lab, late=0, opening=1)
    reminder = CheckInReminder.objects.get(kind=ReminderKind.OPENING)

    results = run_at_once(lambda: reminder_send(reminder_id=reminder.pk))

    assert sorted(results) == [False] * (THREADS - 1) + [True]
    assert sent_ids(mailoutbox) == Counter({message_id: 1})
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (ReminderState.SENT, 1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_dispatch_tasks_through_the_worker_send_each_reminder_once(
    celery_worker, finished, mailoutbox
):
    lab = LabFactory(facilitators=[UserFactory()])
    expected = cohort(lab, late=5, opening=5)

    dispatch_checkin_reminders.apply_async(kwargs={"queue": TEST_QUEUE}, queue=TEST_QUEUE)
    dispatch_checkin_reminders.apply_async(kwargs={"queue": TEST_QUEUE}, queue=TEST_QUEUE)

    # Both dispatches queue every due reminder; wait until all those tasks have run.
    def sends_done():
        return sum(name == send_checkin_reminder.name for name, _ in finished) >= 2 * len(expected)

    wait_until(sends_done)
    assert threading.current_thread() not in {thread for _, thread in finished}
    assert sent_ids(mailoutbox) == Counter(dict.fromkeys(expected, 1))
    assert CheckInReminder.objects.filter(state=ReminderState.SENT).count() == len(expected)
    assert not CheckInReminder.objects.filter(state=ReminderState.SENDING).exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_reminder_task_delivered_several_times_sends_once(celery_worker, finished, mailoutbox):
    lab = LabFactory()
    (message_id,) = cohort(lab, late=0, opening=1)
    reminder = CheckInReminder.objects.get(kind=ReminderKind.OPENING)

    for _ in range(4):
        send_checkin_reminder.apply_async((reminder.pk,), queue=TEST_QUEUE)

    wait_until(lambda: len(finished) >= 4)
    assert sent_ids(mailoutbox) == Counter({message_id: 1})
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (ReminderState.SENT, 1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_sends_nothing_again_once_everything_due_went_out(
    celery_worker, finished, mailoutbox
):
    lab = LabFactory()
    expected = cohort(lab, late=2, opening=1)
    dispatch_due(send_inline=True)
    mailoutbox.clear()

    dispatch_checkin_reminders.apply_async(kwargs={"queue": TEST_QUEUE}, queue=TEST_QUEUE)

    wait_until(lambda: len(finished) >= 1)
    assert mailoutbox == []
    assert CheckInReminder.objects.filter(state=ReminderState.SENT).count() == len(expected)
