"""Check-in reminders: which go out when, to whom, with what, and that each goes out once.

These run on SQLite with eager Celery (a queued task runs at once); the same properties under
concurrency, a real worker, a killed worker and a broker outage are in test_reminders_worker.py
and test_reminders_chaos.py.
"""

import datetime as dt
import re
import smtplib
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from checkins import reminders, tasks
from checkins.models import CheckIn, CheckInReminder, ReminderKind, ReminderState
from checkins.reminders import LEASE, MAX_ATTEMPTS, dispatch_due, reminder_send, reminders_plan
from participants.models import Participation, ParticipationStatus
from tests.factories import MembershipFactory, OrganizationFactory, ParticipationFactory

DUE = dt.date(2031, 3, 3)  # a Monday, well after any factory default


def checkin_for(participation: Participation, *, due_on: dt.date = DUE, months: int = 6):
    """A check-in with its five reminders planned (09:00 lab time on their days)."""
    checkin = CheckIn.objects.create(
        participation=participation,
        months=months,
        due_on=due_on,
        opens_on=due_on - dt.timedelta(days=14),
    )
    reminders_plan(checkins=[checkin], tz=participation.lab.tz)
    return checkin


def at(lab, day: dt.date, hour: int = 10) -> dt.datetime:
    """That day at `hour` in the lab's time zone: after the 09:00 send time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=lab.tz)


def states(checkin: CheckIn) -> dict[str, str]:
    return dict(checkin.reminders.values_list("kind", "state"))


def message_ids(outbox) -> list[str]:
    return [message.extra_headers["Message-ID"] for message in outbox]


@pytest.fixture
def checkin(org_a, member_a):
    return checkin_for(Participation.objects.get(organization=org_a))


@pytest.fixture
def queued(monkeypatch):
    """Record the tasks dispatch queues instead of running them."""
    calls = []

    def record(args=None, kwargs=None, **options):
        calls.append((args, options))

    monkeypatch.setattr(tasks.send_checkin_reminder, "apply_async", record)
    return calls


def test_the_opening_notice_goes_to_the_organizations_active_members_once(
    checkin, lab, org_a, member_a, mailoutbox
):
    MembershipFactory(
        organization=org_a, user__email="inactive@orga.example", user__is_active=False
    )
    colleague = MembershipFactory(organization=org_a, user__email="cole@orga.example").user

    with time_machine.travel(at(lab, checkin.opens_on)):
        result = dispatch_due()
        dispatch_due()

    assert result.queued == 1
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([member_a.email, colleague.email])
    opening = checkin.reminders.get(kind=ReminderKind.OPENING)
    assert opening.state == ReminderState.SENT
    assert opening.sent_at is not None
    assert opening.attempts == 1
    assert opening.recipients == ", ".join(sorted([colleague.email, member_a.email]))
    assert states(checkin)[ReminderKind.DUE] == ReminderState.PENDING


def test_nothing_goes_out_before_its_time(checkin, lab, mailoutbox):
    with time_machine.travel(at(lab, checkin.opens_on, hour=8)):
        result = dispatch_due()

    assert result.chosen == []
    assert mailoutbox == []
    assert set(states(checkin).values()) == {ReminderState.PENDING}


def test_a_beat_run_missed_for_days_sends_only_the_latest_reminder_and_marks_the_rest_skipped(
    checkin, lab, mailoutbox
):
    eight_days_late = at(lab, DUE + dt.timedelta(days=8))

    with time_machine.travel(eight_days_late):
        result = dispatch_due()

    assert len(mailoutbox) == 1
    assert "8 days overdue" in mailoutbox[0].body
    assert states(checkin) == {
        ReminderKind.OPENING: ReminderState.SKIPPED,
        ReminderKind.DUE: ReminderState.SKIPPED,
        ReminderKind.OVERDUE_7: ReminderState.SENT,
        ReminderKind.OVERDUE_14: ReminderState.PENDING,
        ReminderKind.ESCALATION: ReminderState.PENDING,
    }
    skipped = checkin.reminders.filter(state=ReminderState.SKIPPED)
    assert {r.claimed_at for r in skipped} == {eight_days_late}
    assert {r.pk for r in result.skipped} == {r.pk for r in skipped}


def test_catch_up_after_weeks_sends_one_nudge_to_the_organization_and_the_escalation(
    checkin, lab, facilitator, member_a, mailoutbox
):
    with time_machine.travel(at(lab, DUE + dt.timedelta(days=30))):
        dispatch_due()

    assert len(mailoutbox) == 2
    to_org, to_facilitators = sorted(mailoutbox, key=lambda m: m.to != [member_a.email])
    assert to_org.to == [member_a.email]
    assert to_facilitators.to == [facilitator.email]
    assert states(checkin) == {
        ReminderKind.OPENING: ReminderState.SKIPPED,
        ReminderKind.DUE: ReminderState.SKIPPED,
        ReminderKind.OVERDUE_7: ReminderState.SKIPPED,
        ReminderKind.OVERDUE_14: ReminderState.SENT,
        ReminderKind.ESCALATION: ReminderState.SENT,
    }


def test_an_earlier_reminder_never_follows_a_later_one_already_sent(checkin, lab, mailoutbox):
    checkin.reminders.filter(kind=ReminderKind.DUE).update(state=ReminderState.SENT)

    with time_machine.travel(at(lab, DUE, hour=12)):
        dispatch_due()

    assert mailoutbox == []
    assert states(checkin)[ReminderKind.OPENING] == ReminderState.SKIPPED


def test_the_escalation_goes_to_the_labs_facilitators_about_the_organization(
    checkin, lab, org_a, facilitator, mailoutbox
):
    checkin.reminders.exclude(kind=ReminderKind.ESCALATION).update(state=ReminderState.SENT)

    with time_machine.travel(at(lab, DUE + dt.timedelta(days=21))):
        dispatch_due()

    (message,) = mailoutbox
    assert message.to == [facilitator.email]
    assert org_a.name in message.subject
    assert "21 days overdue" in message.subject
    detail = reverse("checkins:detail", args=[lab.slug, checkin.pk])
    assert f"http://testserver{detail}" in message.body


def test_a_submitted_checkin_gets_nothing_more_and_its_due_reminders_are_cancelled(
    checkin, lab, mailoutbox
):
    CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=timezone.now(), status="submitted")

    with time_machine.travel(at(lab, DUE + dt.timedelta(days=8))):
        result = dispatch_due()

    assert mailoutbox == []
    assert result.cancelled == 3
    assert states(checkin) == {
        ReminderKind.OPENING: ReminderState.CANCELLED,
        ReminderKind.DUE: ReminderState.CANCELLED,
        ReminderKind.OVERDUE_7: ReminderState.CANCELLED,
        ReminderKind.OVERDUE_14: ReminderState.PENDING,  # not due yet: submitting cancels it
        ReminderKind.ESCALATION: ReminderState.PENDING,
    }


def test_a_checkin_submitted_after_its_reminder_was_queued_is_cancelled_not_sent(
    checkin, lab, mailoutbox, queued
):
    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due()
        CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=timezone.now())
        ((args, _),) = queued

        assert reminder_send(reminder_id=args[0]) is False

    assert mailoutbox == []
    assert states(checkin)[ReminderKind.OPENING] == ReminderState.CANCELLED


def test_a_withdrawn_organization_gets_no_reminder(checkin, lab, mailoutbox):
    Participation.objects.filter(pk=checkin.participation_id).update(
        status=ParticipationStatus.WITHDRAWN
    )

    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due()

    assert mailoutbox == []
    assert states(checkin)[ReminderKind.OPENING] == ReminderState.CANCELLED


def test_a_reminder_moved_later_after_it_was_queued_waits_for_its_new_time(
    checkin, lab, mailoutbox, queued
):
    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due()
        opening = checkin.reminders.get(kind=ReminderKind.OPENING)
        opening.send_at += dt.timedelta(days=7)
        opening.save()

        assert reminder_send(reminder_id=opening.pk) is False

    assert mailoutbox == []
    opening.refresh_from_db()
    assert opening.state == ReminderState.PENDING


def test_each_reminder_has_a_stable_message_id_of_its_own(checkin, lab, org_b, mailoutbox):
    other = checkin_for(Participation.objects.get(organization=org_b))
    MembershipFactory(organization=org_b)

    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due()

    expected = {
        checkin.reminders.get(kind=ReminderKind.OPENING).message_id,
        other.reminders.get(kind=ReminderKind.OPENING).message_id,
    }
    assert set(message_ids(mailoutbox)) == expected
    assert all(re.fullmatch(r"<checkin-reminder-\d+@[\w.-]+>", m) for m in expected)
    assert all(m.message()["Message-ID"] == m.extra_headers["Message-ID"] for m in mailoutbox), (
        "the header Django writes must be ours, not a fresh one per attempt"
    )


def test_the_email_links_straight_to_the_checkin_form(checkin, lab, mailoutbox):
    with time_machine.travel(at(lab, DUE)):
        dispatch_due()

    (message,) = mailoutbox
    form = "http://testserver" + reverse("checkins:edit", args=[lab.slug, checkin.pk])
    assert form in message.body
    html = message.alternatives[0].content
    assert f'href="{form}"' in html


@pytest.mark.parametrize(
    ("days_after_due", "subject", "body"),
    [
        (-14, "is open (due Mar 3)", "is open. It is due on Monday, March 3, 2031"),
        (0, "is due Monday, Mar 3", "is due on Monday, March 3, 2031"),
        (7, "Overdue: your 6-month check-in", "is 7 days overdue"),
        (14, "Overdue: your 6-month check-in", "your facilitators will be told"),
    ],
)
def test_each_kind_of_reminder_says_what_it_is_about(
    checkin, lab, mailoutbox, days_after_due, subject, body
):
    with time_machine.travel(at(lab, DUE + dt.timedelta(days=days_after_due))):
        dispatch_due()

    (message,) = mailoutbox
    assert subject in message.subject
    assert lab.name in message.subject
    assert body in message.body


def test_a_dry_run_changes_nothing_and_sends_nothing(checkin, lab, mailoutbox, queued):
    CheckInReminder.objects.filter(checkin=checkin, kind=ReminderKind.OPENING).update(
        state=ReminderState.SENDING, claimed_at=at(lab, DUE) - LEASE * 2
    )
    before = list(CheckInReminder.objects.values_list("pk", "state", "claimed_at", "attempts"))

    with time_machine.travel(at(lab, DUE + dt.timedelta(days=8))):
        result = dispatch_due(dry_run=True)

    assert list(CheckInReminder.objects.values_list("pk", "state", "claimed_at", "attempts")) == (
        before
    )
    assert mailoutbox == [] and queued == []
    assert [r.kind for r in result.chosen] == [ReminderKind.OVERDUE_7]
    assert sorted(r.kind for r in result.skipped) == [ReminderKind.DUE, ReminderKind.OPENING]
    assert result.recovered == 1


def test_the_command_lists_what_a_dry_run_would_send_and_skip(checkin, lab, org_a, mailoutbox):
    out = StringIO()
    when = at(lab, DUE + dt.timedelta(days=8)).isoformat()

    call_command("send_checkin_reminders", "--dry-run", "--now", when, stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(" #")[0] for line in lines[:3]] == [
        "would send:",
        "would skip:",
        "would skip:",
    ]
    assert f"a week overdue — 6-month check-in of {org_a.name} ({lab.name})" in lines[0]
    assert lines[-1].startswith("would send 1 check-in reminder(s); would skip 2")
    assert mailoutbox == []
    assert set(states(checkin).values()) == {ReminderState.PENDING}


def test_the_command_sends_inline_without_a_worker(checkin, lab, mailoutbox, queued):
    out = StringIO()

    with time_machine.travel(at(lab, DUE + dt.timedelta(days=8))):
        call_command("send_checkin_reminders", stdout=out)

    assert queued == []
    assert len(mailoutbox) == 1
    assert out.getvalue().startswith("sent 1 check-in reminder(s); skip 2")


def test_the_command_can_hand_the_reminders_to_the_workers_instead(checkin, lab, queued):
    out = StringIO()

    with time_machine.travel(at(lab, checkin.opens_on)):
        call_command("send_checkin_reminders", "--queue", stdout=out)

    opening = checkin.reminders.get(kind=ReminderKind.OPENING)
    assert [args for args, _ in queued] == [(opening.pk,)]
    assert out.getvalue().startswith("queued 1 check-in reminder(s)")


def test_the_command_rejects_a_time_that_is_not_iso():
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("send_checkin_reminders", "--now", "next tuesday")


def test_a_claim_whose_worker_died_is_put_back_after_the_lease_and_sent_once(
    checkin, lab, mailoutbox
):
    claimed = at(lab, checkin.opens_on)
    CheckInReminder.objects.filter(checkin=checkin, kind=ReminderKind.OPENING).update(
        state=ReminderState.SENDING, claimed_at=claimed, attempts=1
    )

    with time_machine.travel(claimed + LEASE - dt.timedelta(minutes=1)):
        early = dispatch_due()
    with time_machine.travel(claimed + LEASE + dt.timedelta(minutes=1)):
        late = dispatch_due()
        dispatch_due()

    assert (early.recovered, early.chosen) == (0, [])
    assert late.recovered == 1
    assert len(mailoutbox) == 1
    opening = checkin.reminders.get(kind=ReminderKind.OPENING)
    assert (opening.state, opening.attempts) == (ReminderState.SENT, 2)


def test_a_failed_send_goes_back_to_pending_with_its_error_and_is_sent_once_later(
    checkin, lab, mailoutbox, monkeypatch, queued
):
    send = reminders.send_templated_email

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due()
        ((args, _),) = queued
        monkeypatch.setattr(reminders, "send_templated_email", refuse)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            reminder_send(reminder_id=args[0])
        opening = CheckInReminder.objects.get(pk=args[0])
        assert opening.state == ReminderState.PENDING
        assert opening.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"

        monkeypatch.setattr(reminders, "send_templated_email", send)
        dispatch_due()
        for args, _ in queued[1:]:
            reminder_send(reminder_id=args[0])
        dispatch_due()

    assert len(mailoutbox) == 1
    opening.refresh_from_db()
    assert (opening.state, opening.attempts, opening.last_error) == (ReminderState.SENT, 2, "")


def test_the_task_retries_a_transient_failure_and_sends_once(checkin, lab, mailoutbox, monkeypatch):
    send = reminders.send_templated_email
    failures = []

    def fail_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise ConnectionRefusedError("mail server restarting")
        send(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_templated_email", fail_once)
    opening = checkin.reminders.get(kind=ReminderKind.OPENING)

    with time_machine.travel(at(lab, checkin.opens_on)):
        tasks.send_checkin_reminder.apply(args=[opening.pk], throw=False)

    assert len(mailoutbox) == 1
    opening.refresh_from_db()
    assert (opening.state, opening.attempts) == (ReminderState.SENT, 2)


def test_a_reminder_that_kept_failing_stays_pending_and_is_no_longer_queued(checkin, lab, queued):
    checkin.reminders.filter(kind=ReminderKind.OPENING).update(
        attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: all refused"
    )

    with time_machine.travel(at(lab, checkin.opens_on)):
        result = dispatch_due()

    assert queued == [] and result.chosen == []
    assert states(checkin)[ReminderKind.OPENING] == ReminderState.PENDING


def test_a_reminder_with_nobody_to_send_to_is_skipped_with_a_reason(lab, mailoutbox):
    lonely = checkin_for(ParticipationFactory(lab=lab))

    with time_machine.travel(at(lab, lonely.opens_on)):
        dispatch_due()

    assert mailoutbox == []
    opening = lonely.reminders.get(kind=ReminderKind.OPENING)
    assert (opening.state, opening.last_error) == (ReminderState.SKIPPED, "Nobody to send it to.")


def test_dispatch_queues_only_ids_of_due_reminders_never_a_future_eta(checkin, lab, queued):
    with time_machine.travel(at(lab, checkin.opens_on)):
        dispatch_due(queue="somewhere")

    opening = checkin.reminders.get(kind=ReminderKind.OPENING)
    assert queued == [((opening.pk,), {"queue": "somewhere"})]


def test_a_small_batch_never_splits_a_checkins_catch_up(lab, mailoutbox):
    checkins = []
    for _ in range(5):
        org = OrganizationFactory()
        MembershipFactory(organization=org)
        checkins.append(checkin_for(ParticipationFactory(lab=lab, organization=org)))

    with time_machine.travel(at(lab, DUE + dt.timedelta(days=8))):
        result = dispatch_due(batch=2)

    assert len(mailoutbox) == 5
    assert len(result.skipped) == 10
    for checkin in checkins:
        assert states(checkin)[ReminderKind.OVERDUE_7] == ReminderState.SENT


@pytest.mark.parametrize("size", [3, 30])
def test_dispatch_takes_a_fixed_number_of_queries_however_many_checkins_are_due(
    lab, queued, size, django_assert_max_num_queries
):
    for _ in range(size):
        checkin_for(ParticipationFactory(lab=lab))

    with (
        time_machine.travel(at(lab, DUE + dt.timedelta(days=8))),
        django_assert_max_num_queries(8),
    ):
        result = dispatch_due()

    assert len(queued) == size
    assert len(result.skipped) == 2 * size


def test_sending_one_reminder_takes_a_fixed_number_of_queries(
    checkin, lab, org_a, django_assert_max_num_queries, mailoutbox
):
    for _ in range(10):
        MembershipFactory(organization=org_a)
    opening = checkin.reminders.get(kind=ReminderKind.OPENING)

    # Claim, read, recipients, stamp; plus the savepoint pair the test's transaction adds.
    with time_machine.travel(at(lab, checkin.opens_on)), django_assert_max_num_queries(6):
        assert reminder_send(reminder_id=opening.pk) is True

    assert len(mailoutbox[0].to) == 11
