"""Funding reminders under concurrent dispatch: a real Celery worker on the real Redis, and
threads on PostgreSQL. Each organization still gets exactly one e-mail per reminder.

These need their own database connections, hence `transaction=True`; e-mail goes to the
in-process locmem outbox, which every thread shares. The lab's dates are set around the real
today: the worker runs in other threads, where a frozen clock would prove less.
"""

import threading

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from funding import reminders
from funding.models import FundingReminder
from funding.tasks import send_funding_reminders
from tests import concurrency, test_celery_worker
from tests.factories import (
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    UserFactory,
)
from tests.funding.initiatives_setup import fund
from tests.test_celery_worker import TEST_QUEUE, wait_for

# The worker fixtures of the milestone reminders' worker test, shared rather than copied
# (`_eager_celery` overrides conftest's autouse fixture: here tasks cross the broker).
_eager_celery = test_celery_worker._eager_celery
redis_url = test_celery_worker.redis_url
celery_worker = test_celery_worker.celery_worker
finished_tasks = test_celery_worker.finished_tasks

THREADS = 6


def initiatives_due(count: int = 3, members: int = 2) -> tuple[list, dict[str, int]]:
    """Initiatives in a lab whose Phase 2 began on the 1st of last month, so last month's
    update is due now (and the deliverable isn't yet); the organizations' addresses."""
    this_month = timezone.localdate().replace(day=1)
    lab = LabFactory(
        facilitators=[UserFactory()],
        start_date=this_month - relativedelta(months=7),
        phase1_months=6,
    )
    applications, addresses = [], {}
    for n in range(count):
        org = OrganizationFactory(name=f"Org {n}")
        ParticipationFactory(lab=lab, organization=org)
        for _ in range(members):
            addresses[MembershipFactory(organization=org).user.email] = 1
        applications.append(fund(lab, org))
    return applications, addresses


def emails_per_person(outbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


def run_at_once(target, threads: int = THREADS) -> list:
    return concurrency.run_at_once(target, threads)


@pytest.fixture
def everyone_sees_nothing_claimed(monkeypatch):
    """Hold every run after it looked for claims until all have looked: they all believe
    everything is theirs, so only the database can keep them from double-sending."""
    looked = threading.Barrier(THREADS, timeout=30)
    find = reminders.reminders_due

    def find_then_wait(now):
        due = find(now)
        looked.wait()
        return due

    monkeypatch.setattr(reminders, "reminders_due", find_then_wait)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_reminder_once_even_when_the_task_is_queued_twice(
    celery_worker, finished_tasks, mailoutbox
):
    applications, addresses = initiatives_due()

    first = send_funding_reminders.apply_async(queue=TEST_QUEUE)
    second = send_funding_reminders.apply_async(queue=TEST_QUEUE)
    threads = wait_for({first.id, second.id}, finished_tasks)

    assert threading.current_thread() not in threads, "the tasks ran eagerly, not in the worker"
    assert len(mailoutbox) == len(applications)
    assert emails_per_person(mailoutbox) == addresses
    sent = FundingReminder.objects.filter(sent_at__isnull=False)
    assert sorted(sent.values_list("application_id", flat=True)) == [a.pk for a in applications]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_that_all_found_nothing_claimed_still_send_once(
    postgresql, everyone_sees_nothing_claimed, mailoutbox
):
    applications, addresses = initiatives_due(count=4)

    sent = run_at_once(reminders.reminders_send_due)

    assert sum(sent) == len(applications)
    assert emails_per_person(mailoutbox) == addresses
    assert FundingReminder.objects.count() == len(applications)


@pytest.mark.django_db(transaction=True)
def test_each_email_goes_out_after_its_claim_is_committed(monkeypatch, mailoutbox):
    applications, _ = initiatives_due(count=2, members=1)
    send = reminders.send_templated_email
    seen = []

    def send_outside_a_transaction(template, context, to, **kwargs):
        assert not connection.in_atomic_block
        claim = FundingReminder.objects.get(application=context["application"])
        assert claim.sent_at is None
        seen.append(context["application"].pk)
        send(template, context, to, **kwargs)

    monkeypatch.setattr(reminders, "send_templated_email", send_outside_a_transaction)

    assert reminders.reminders_send_due() == 2
    assert sorted(seen) == [a.pk for a in applications]
