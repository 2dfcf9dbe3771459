"""Meeting reminders under concurrent dispatch: threads on PostgreSQL, and a real Celery worker
on the real Redis. Each person still gets exactly one reminder.

Both need their own database connections, hence `transaction=True`; e-mail goes to the
in-process locmem outbox, which every thread shares.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from meetings import reminders
from meetings.models import Guest, GuestResponse, Meeting, MeetingKind, Reminder
from meetings.tasks import send_meeting_reminders
from mll.tokens import hash_token
from tests import concurrency, test_celery_worker
from tests.factories import (
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    UserFactory,
)
from tests.test_celery_worker import TEST_QUEUE, wait_for

# The worker fixtures of the milestone reminders' worker test, shared rather than copied
# (`_eager_celery` overrides conftest's autouse fixture: here tasks cross the broker).
_eager_celery = test_celery_worker._eager_celery
redis_url = test_celery_worker.redis_url
celery_worker = test_celery_worker.celery_worker
finished_tasks = test_celery_worker.finished_tasks

THREADS = 6


def invited_meeting(members: int = 8, guests: int = 3) -> tuple[Meeting, set[str]]:
    """A focus group two hours from now, and the addresses of everyone invited to it."""
    facilitator = UserFactory()
    lab = LabFactory(facilitators=[facilitator])
    org = OrganizationFactory()
    ParticipationFactory(lab=lab, organization=org)
    people = [MembershipFactory(organization=org).user for _ in range(members)]
    starts = timezone.now() + dt.timedelta(hours=2)
    meeting = Meeting.objects.create(
        lab=lab,
        kind=MeetingKind.FOCUS_GROUP,
        title="Focus group with mentees",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    emails = {facilitator.email, *(p.email for p in people)}
    for n in range(guests):
        email = f"guest{n}@mentors.example"
        Guest.objects.create(
            meeting=meeting, name=f"Guest {n}", email=email, token_hash=hash_token(email)
        )
        emails.add(email)
    Guest.objects.create(
        meeting=meeting,
        name="Declined",
        email="no@mentors.example",
        token_hash=hash_token("no"),
        response=GuestResponse.NO,
    )
    return meeting, emails


def run_at_once(target, threads: int = THREADS) -> list:
    return concurrency.run_at_once(target, threads)


@pytest.fixture
def everyone_sees_nothing_claimed(monkeypatch):
    """Hold every run after it looked for existing claims until all have looked: they all
    believe everything is theirs, so only the database can keep them from double-sending."""
    looked = threading.Barrier(THREADS, timeout=30)
    find = reminders._existing_claims

    def find_then_wait(meetings):
        claims = find(meetings)
        looked.wait()
        return claims

    monkeypatch.setattr(reminders, "_existing_claims", find_then_wait)


def emails_per_person(outbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_person_exactly_one_reminder(postgresql, mailoutbox):
    meeting, emails = invited_meeting()

    sent = run_at_once(reminders.reminders_send_due)

    assert sum(sent) == len(emails)
    assert emails_per_person(mailoutbox) == dict.fromkeys(emails, 1)
    assert Reminder.objects.filter(meeting=meeting, state="sent").count() == len(emails)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_that_all_found_nothing_claimed_still_send_once(
    postgresql, everyone_sees_nothing_claimed, mailoutbox
):
    meeting, emails = invited_meeting()

    sent = run_at_once(reminders.reminders_send_due)

    assert sum(sent) == len(emails)
    assert emails_per_person(mailoutbox) == dict.fromkeys(emails, 1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_take_over_a_dead_workers_claims_once(
    postgresql, everyone_sees_nothing_claimed, mailoutbox
):
    meeting, emails = invited_meeting(members=4, guests=1)
    # A worker claimed every reminder 20 minutes ago and died before sending any.
    stale = timezone.now() - dt.timedelta(minutes=20)
    for recipient in reminders.meeting_recipients(
        reminders.meetings_due_for_reminders(timezone.now()).get()
    ):
        claim = recipient.new_claim(meeting, stale)
        claim.save()

    sent = run_at_once(reminders.reminders_send_due)

    assert sum(sent) == len(emails)
    assert emails_per_person(mailoutbox) == dict.fromkeys(emails, 1)
    assert Reminder.objects.filter(meeting=meeting).count() == len(emails)


@pytest.mark.django_db(transaction=True)
def test_each_email_goes_out_after_its_claim_is_committed(monkeypatch, mailoutbox):
    meeting, emails = invited_meeting(members=2, guests=1)
    send = reminders.send_templated_email
    seen = []

    def send_outside_a_transaction(template, context, to, **kwargs):
        assert not connection.in_atomic_block
        assert Reminder.objects.filter(meeting=meeting, state="claimed").count() == 1
        seen.extend(to)
        send(template, context, to, **kwargs)

    monkeypatch.setattr(reminders, "send_templated_email", send_outside_a_transaction)

    assert reminders.reminders_send_due() == len(emails)
    assert sorted(seen) == sorted(emails)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_person_one_reminder_even_when_the_task_is_queued_twice(
    celery_worker,
    finished_tasks,
    mailoutbox,
):
    meeting, emails = invited_meeting(members=3, guests=1)

    first = send_meeting_reminders.apply_async(queue=TEST_QUEUE)
    second = send_meeting_reminders.apply_async(queue=TEST_QUEUE)
    threads = wait_for({first.id, second.id}, finished_tasks)

    assert threading.current_thread() not in threads, "the tasks ran eagerly, not in the worker"
    assert emails_per_person(mailoutbox) == dict.fromkeys(emails, 1)
    assert Reminder.objects.filter(meeting=meeting, state="sent").count() == len(emails)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_is_a_no_op_for_a_meeting_already_reminded(
    celery_worker,
    finished_tasks,
    mailoutbox,
):
    meeting, emails = invited_meeting(members=2, guests=0)
    reminders.reminders_send_due()
    mailoutbox.clear()

    task = send_meeting_reminders.apply_async(queue=TEST_QUEUE)
    wait_for({task.id}, finished_tasks)

    assert mailoutbox == []
    assert Reminder.objects.filter(meeting=meeting).count() == len(emails)
