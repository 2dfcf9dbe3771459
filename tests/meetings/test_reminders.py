"""The day-before meeting reminders: once per person and start time, from the database."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from meetings import reminders
from meetings.models import (
    AgendaItem,
    Guest,
    GuestResponse,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Reminder,
    ReminderState,
)
from meetings.reminders import reminders_send_due
from mll.tokens import hash_token
from tests.factories import MembershipFactory

UTC = dt.UTC
# Monday March 9, 2026, noon in Chicago (CDT, UTC-5 since March 8).
NOW = dt.datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
# Tuesday March 10, 10:00 in Chicago.
TOMORROW_10AM = dt.datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def cohort(facilitator, member_a, member_b):
    """Everyone invited to the lab's meetings: the facilitator and both organizations."""
    return {facilitator.email, member_a.email, member_b.email}


def make_meeting(lab, starts_at=TOMORROW_10AM, **fields) -> Meeting:
    fields.setdefault("title", "Monthly meeting: Mentor recruitment")
    return Meeting.objects.create(
        lab=lab,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        **fields,
    )


def make_guest(meeting, email, response=GuestResponse.PENDING) -> Guest:
    return Guest.objects.create(
        meeting=meeting,
        name=email.split("@")[0].title(),
        email=email,
        token_hash=hash_token(email),
        response=response,
    )


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def test_each_invited_person_gets_one_reminder_even_when_dispatched_twice(lab, cohort, mailoutbox):
    meeting = make_meeting(lab)

    assert reminders_send_due() == 3
    assert reminders_send_due() == 0

    assert recipients(mailoutbox) == sorted(cohort)
    sent = Reminder.objects.filter(meeting=meeting)
    assert sent.count() == 3
    assert set(sent.values_list("state", flat=True)) == {ReminderState.SENT}
    assert all(r.sent_at and r.starts_at == meeting.starts_at for r in sent)


def test_one_reminder_per_message_so_nobody_sees_the_others_addresses(lab, cohort, mailoutbox):
    make_meeting(lab)

    reminders_send_due()

    assert all(len(message.to) == 1 and not message.cc for message in mailoutbox)


def test_nothing_is_sent_before_the_day_before(lab, cohort, mailoutbox):
    make_meeting(lab, starts_at=NOW + dt.timedelta(hours=24, minutes=1))

    assert reminders_send_due() == 0
    assert mailoutbox == []
    assert not Reminder.objects.exists()


def test_a_meeting_exactly_a_day_away_is_due(lab, cohort, mailoutbox):
    make_meeting(lab, starts_at=NOW + dt.timedelta(hours=24))

    assert reminders_send_due() == 3


def test_a_missed_run_catches_up_until_the_meeting_starts(lab, cohort, mailoutbox):
    make_meeting(lab, starts_at=NOW + dt.timedelta(minutes=30))

    assert reminders_send_due() == 3


def test_nothing_is_sent_once_the_meeting_has_started(lab, cohort, mailoutbox):
    make_meeting(lab, starts_at=NOW)
    make_meeting(lab, starts_at=NOW - dt.timedelta(hours=2), title="Last week's meeting")

    assert reminders_send_due() == 0
    assert mailoutbox == []


def test_a_cancelled_meeting_gets_no_reminder(lab, cohort, mailoutbox):
    make_meeting(lab, status=MeetingStatus.CANCELLED, cancelled_at=NOW)

    assert reminders_send_due() == 0
    assert mailoutbox == []


def test_a_meeting_moved_after_its_reminder_gets_one_new_reminder_per_person(
    lab, cohort, mailoutbox, time_machine
):
    meeting = make_meeting(lab)
    reminders_send_due()
    assert len(mailoutbox) == 3

    moved = TOMORROW_10AM + dt.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=moved, ends_at=moved + dt.timedelta(hours=1), sequence=1
    )
    assert reminders_send_due() == 0, "not yet within a day of the new time"

    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    assert reminders_send_due() == 3
    assert reminders_send_due() == 0

    assert recipients(mailoutbox[3:]) == sorted(cohort)
    assert all("Wednesday, March 11, 2026, 10:00 AM" in m.body for m in mailoutbox[3:])
    assert Reminder.objects.filter(meeting=meeting, starts_at=moved).count() == 3


def test_a_meeting_moved_within_the_day_gets_a_reminder_for_the_new_time(lab, cohort, mailoutbox):
    meeting = make_meeting(lab)
    reminders_send_due()

    moved = TOMORROW_10AM + dt.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=moved, ends_at=moved + dt.timedelta(hours=1)
    )

    assert reminders_send_due() == 3
    assert len(mailoutbox) == 6


def test_a_meeting_cancelled_after_its_reminder_gets_nothing_more(lab, cohort, mailoutbox):
    meeting = make_meeting(lab)
    reminders_send_due()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    assert reminders_send_due() == 0
    assert len(mailoutbox) == 3


def test_guests_who_said_no_get_no_reminder(lab, cohort, mailoutbox):
    meeting = make_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group with mentees")
    make_guest(meeting, "yes@mentor.example", GuestResponse.YES)
    make_guest(meeting, "pending@mentee.example")
    make_guest(meeting, "no@stakeholder.example", GuestResponse.NO)

    assert reminders_send_due() == 5
    assert reminders_send_due() == 0

    assert recipients(mailoutbox) == sorted(
        cohort | {"yes@mentor.example", "pending@mentee.example"}
    )
    assert Reminder.objects.filter(guest__isnull=False).count() == 2


def test_a_guest_who_is_also_invited_as_a_member_gets_one_reminder(
    lab, cohort, member_a, mailoutbox
):
    meeting = make_meeting(lab, kind=MeetingKind.FOCUS_GROUP)
    make_guest(meeting, member_a.email.upper())

    assert reminders_send_due() == 3
    assert recipients(mailoutbox) == sorted(cohort)


def test_a_support_session_reminds_only_its_organization_and_the_facilitators(
    lab, facilitator, member_a, member_b, org_a, mailoutbox
):
    make_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_a, title="1:1 support")

    assert reminders_send_due() == 2
    assert recipients(mailoutbox) == sorted([facilitator.email, member_a.email])


def test_inactive_people_get_no_reminder(lab, cohort, member_b, mailoutbox):
    member_b.is_active = False
    member_b.save()
    make_meeting(lab)

    assert reminders_send_due() == 2
    assert member_b.email not in recipients(mailoutbox)


def test_dry_run_counts_but_claims_and_sends_nothing(lab, cohort, mailoutbox):
    make_meeting(lab)

    assert reminders_send_due(dry_run=True) == 3
    assert mailoutbox == []
    assert not Reminder.objects.exists()

    assert reminders_send_due() == 3, "the dry run took nothing away from the real one"


def test_a_stale_claim_is_taken_over_once(lab, cohort, member_a, mailoutbox):
    # A worker claimed member A's reminder 20 minutes ago and died before sending it.
    meeting = make_meeting(lab)
    stale = Reminder.objects.create(
        meeting=meeting,
        user=member_a,
        starts_at=meeting.starts_at,
        claimed_at=NOW - dt.timedelta(minutes=20),
    )

    assert reminders_send_due() == 3
    assert reminders_send_due() == 0

    assert recipients(mailoutbox) == sorted(cohort)
    stale.refresh_from_db()
    assert stale.state == ReminderState.SENT
    assert Reminder.objects.filter(meeting=meeting).count() == 3


def test_a_fresh_claim_is_left_to_the_worker_that_holds_it(lab, cohort, member_a, mailoutbox):
    meeting = make_meeting(lab)
    Reminder.objects.create(
        meeting=meeting,
        user=member_a,
        starts_at=meeting.starts_at,
        claimed_at=NOW - dt.timedelta(minutes=5),
    )

    assert reminders_send_due(dry_run=True) == 2
    assert reminders_send_due() == 2
    assert member_a.email not in recipients(mailoutbox)


def test_a_stale_claim_taken_over_by_another_run_meanwhile_is_skipped(
    lab, cohort, member_a, mailoutbox
):
    meeting = make_meeting(lab)
    stale = Reminder.objects.create(
        meeting=meeting,
        user=member_a,
        starts_at=meeting.starts_at,
        claimed_at=NOW - dt.timedelta(minutes=20),
    )
    found = reminders._existing_claims

    def another_run_takes_it_over(meetings):
        claims = found(meetings)  # this run saw the stale claim...
        Reminder.objects.filter(pk=stale.pk).update(claimed_at=NOW)  # ...another took it
        return claims

    with mock.patch.object(reminders, "_existing_claims", another_run_takes_it_over):
        assert reminders_send_due() == 2

    assert member_a.email not in recipients(mailoutbox)


def test_a_reminder_inserted_by_another_run_meanwhile_is_skipped(lab, cohort, member_a, mailoutbox):
    meeting = make_meeting(lab)
    found = reminders._existing_claims

    def another_run_claims_it(meetings):
        claims = found(meetings)
        Reminder.objects.create(meeting=meeting, user=member_a, starts_at=meeting.starts_at)
        return claims

    with mock.patch.object(reminders, "_existing_claims", another_run_claims_it):
        assert reminders_send_due() == 2

    assert member_a.email not in recipients(mailoutbox)


def test_a_failed_send_is_tried_again_after_the_claim_goes_stale(
    lab, cohort, member_a, mailoutbox, time_machine
):
    make_meeting(lab)
    send = reminders.send_templated_email

    def fails_for_member_a(template, context, to, **kwargs):
        if to == [member_a.email]:
            raise ConnectionRefusedError("SMTP is down")
        send(template, context, to, **kwargs)

    with mock.patch.object(reminders, "send_templated_email", fails_for_member_a):
        assert reminders_send_due() == 2
    assert reminders_send_due() == 0, "the claim is still fresh"

    time_machine.move_to(NOW + dt.timedelta(minutes=16), tick=False)
    assert reminders_send_due() == 1
    assert recipients(mailoutbox) == sorted(cohort)


def test_the_reminder_says_what_when_and_where_in_the_labs_time_zone(
    lab, cohort, member_a, mailoutbox
):
    meeting = make_meeting(
        lab,
        topic="Mentor recruitment",
        location="Chicago Public Library, Room 4",
        video_url="https://meet.example/mll",
    )
    AgendaItem.objects.create(meeting=meeting, position=2, title="Breakouts", minutes=30)
    AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome", presenter="Fran")

    reminders_send_due()

    message = next(m for m in mailoutbox if m.to == [member_a.email])
    assert message.subject == (
        "[MLL] Reminder: Monthly meeting: Mentor recruitment, Tue Mar 10, 10:00 AM CDT"
    )
    text = message.body
    assert "Tuesday, March 10, 2026, 10:00 AM – 11:30 AM (America/Chicago time, CDT)" in text
    assert "Chicago Public Library, Room 4" in text
    assert "https://meet.example/mll" in text
    assert text.index("1. Welcome — Fran") < text.index("2. Breakouts (30 min)")
    assert f"http://testserver/labs/{lab.slug}/meetings/{meeting.pk}/" in text
    html = message.alternatives[0][0]
    assert f'href="http://testserver/labs/{lab.slug}/meetings/{meeting.pk}/"' in html
    assert "America/Chicago" in html


def test_the_reminder_carries_the_meetings_calendar_file(lab, cohort, member_a, mailoutbox):
    meeting = make_meeting(lab)

    reminders_send_due()

    message = next(m for m in mailoutbox if m.to == [member_a.email])
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["uid"]) == f"{meeting.uid}@mll"
    assert event.decoded("dtstart") == TOMORROW_10AM


def test_a_guests_reminder_has_no_link_into_the_app(lab, cohort, mailoutbox):
    meeting = make_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group")
    make_guest(meeting, "mentor@example.net", GuestResponse.YES)

    reminders_send_due()

    message = next(m for m in mailoutbox if m.to == ["mentor@example.net"])
    page = f"/labs/{lab.slug}/meetings/{meeting.pk}/"
    assert "Hello Mentor," in message.body
    assert page not in message.body
    assert page not in message.alternatives[0][0]
    [(_, content, _)] = message.attachments
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert "url" not in event
    assert page not in str(event["description"])


def test_finding_due_reminders_takes_no_more_queries_as_people_join(lab, org_a, cohort):
    make_meeting(lab)
    make_meeting(lab, starts_at=TOMORROW_10AM - dt.timedelta(hours=3), title="Workshop")

    with CaptureQueriesContext(connection) as few:
        assert reminders_send_due(dry_run=True) == 6
    for _ in range(5):
        MembershipFactory(organization=org_a)
    with CaptureQueriesContext(connection) as many:
        assert reminders_send_due(dry_run=True) == 16

    assert len(many) == len(few)


def test_the_command_sends_and_says_so(lab, cohort, mailoutbox):
    make_meeting(lab)
    out = StringIO()

    call_command("send_meeting_reminders", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "would send 3 meeting reminder(s)"
    assert mailoutbox == []

    call_command("send_meeting_reminders", stdout=out)
    assert out.getvalue().strip().endswith("sent 3 meeting reminder(s)")
    assert len(mailoutbox) == 3


def test_the_beat_runs_the_reminders_every_quarter_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]

    assert entry["task"] == "meetings.tasks.send_meeting_reminders"
    assert entry["schedule"].minute == {0, 15, 30, 45}


@pytest.mark.django_db
def test_the_beat_task_sends_the_due_reminders(lab, cohort, mailoutbox):
    from meetings.tasks import send_meeting_reminders

    make_meeting(lab)

    assert send_meeting_reminders.delay().get() == 3
    assert len(mailoutbox) == 3
