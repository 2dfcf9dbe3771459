import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services, tasks
from meetings.models import AgendaItem, Guest, GuestResponse, Meeting, MeetingKind
from tests.factories import LabFactory, ParticipationFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def new_meeting(lab, **fields) -> Meeting:
    starts = fields.pop("starts_at", dt.datetime(2027, 3, 9, 10, 0, tzinfo=CHICAGO))
    values = {
        "title": "Monthly meeting: Mentee experience",
        "topic": "Mentee experience",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(minutes=90),
        "location": "Harold Washington Library, Room 4",
        "video_url": "https://meet.example.org/mll-chicago",
        **fields,
    }
    return Meeting(lab=lab, **values)


def calendar_of(message) -> tuple[Calendar, str]:
    [attachment] = message.attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics")
    return Calendar.from_ical(content), mimetype


def by_recipient() -> dict[str, object]:
    for message in mail.outbox:
        assert len(message.to) == 1  # nobody sees the other recipients' addresses
    return {message.to[0]: message for message in mail.outbox}


@pytest.fixture
def meeting(lab, facilitator, django_capture_on_commit_callbacks):
    meeting = services.meeting_create(
        meeting=new_meeting(lab), created_by=facilitator, notify=False
    )
    AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome", presenter="Fran")
    return meeting


def test_creating_a_meeting_emails_attendees_the_calendar_file(
    lab, facilitator, member_a, member_b, outsider, facilitator2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_create(meeting=new_meeting(lab), created_by=facilitator)

    messages = by_recipient()
    assert set(messages) == {facilitator.email, member_a.email, member_b.email}
    message = messages[member_a.email]
    assert message.subject.startswith("[MLL] Invitation: Monthly meeting: Mentee experience")
    cal, mimetype = calendar_of(message)
    # The method on the MIME type is what makes mail apps show it as an invitation.
    assert mimetype == "text/calendar; method=REQUEST"
    assert 'Content-Type: text/calendar; method="REQUEST"' in message.message().as_string()
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert event["UID"] == f"{meeting.uid}@mll"
    assert event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == f"mailto:{member_a.email}"
    assert event["ORGANIZER"]


def test_a_notice_shows_the_time_in_the_labs_time_zone(
    lab, facilitator, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_create(meeting=new_meeting(lab), created_by=facilitator)

    message = by_recipient()[member_a.email]
    assert "Tuesday, March 9, 2027, 10:00 AM – 11:30 AM CST (America/Chicago time)" in message.body
    assert "10:00 AM" in message.alternatives[0][0]
    assert "America/Chicago" in message.alternatives[0][0]
    assert meeting.get_absolute_url() in message.body


def test_an_update_emails_attendees_with_the_sequence_raised(
    meeting, member_a, django_capture_on_commit_callbacks
):
    meeting.starts_at += dt.timedelta(hours=2)
    meeting.ends_at += dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, changed=["starts_at", "ends_at"])

    message = by_recipient()[member_a.email]
    assert message.subject.startswith("[MLL] Changed: Monthly meeting: Mentee experience")
    assert "12:00 PM" in message.body
    cal, _ = calendar_of(message)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert event["UID"] == f"{meeting.uid}@mll"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == dt.datetime(2027, 3, 9, 12, 0, tzinfo=CHICAGO)


def test_a_change_attendees_dont_see_sends_nothing(meeting, django_capture_on_commit_callbacks):
    meeting.facilitator_notes = "Ask Ana about the mentor waiting list."
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, changed=["facilitator_notes"])

    assert mail.outbox == []


def test_a_cancellation_emails_method_cancel(
    meeting, facilitator, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)

    messages = by_recipient()
    assert facilitator.email in messages
    message = messages[member_a.email]
    assert message.subject.startswith("[MLL] Cancelled: Monthly meeting: Mentee experience")
    assert "is cancelled" in message.body
    cal, _ = calendar_of(message)
    assert cal["METHOD"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event["UID"] == f"{meeting.uid}@mll"


def test_a_notice_queued_before_a_cancellation_sends_nothing_stale(meeting):
    services.meeting_cancel(meeting=meeting)  # its own notice isn't run: no commit here

    assert tasks.send_meeting_notice(meeting.pk, "update") == 0
    assert mail.outbox == []


def test_a_support_session_notice_goes_to_its_organization_and_the_facilitators(
    lab, org_a, facilitator, member_a, member_b, django_capture_on_commit_callbacks
):
    support = new_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_a, title="1:1 support")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_create(meeting=support, created_by=facilitator)

    assert set(by_recipient()) == {facilitator.email, member_a.email}


def test_guests_who_didnt_decline_hear_of_changes(
    lab, facilitator, member_a, django_capture_on_commit_callbacks
):
    focus = services.meeting_create(
        meeting=new_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group: mentees"),
        created_by=facilitator,
        notify=False,
    )
    Guest.objects.create(meeting=focus, name="Maya Mentee", email="maya@x.example", token_hash="1")
    Guest.objects.create(
        meeting=focus,
        name="Nico No",
        email="nico@x.example",
        token_hash="2",
        response=GuestResponse.NO,
    )
    Guest.objects.create(
        meeting=focus,
        name="Yara Yes",
        email="yara@x.example",
        token_hash="3",
        response=GuestResponse.YES,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=focus)

    messages = by_recipient()
    assert {"maya@x.example", "yara@x.example"} <= set(messages)
    assert "nico@x.example" not in messages
    guest_message = messages["maya@x.example"]
    assert focus.get_absolute_url() not in guest_message.body  # guests have no account
    cal, _ = calendar_of(guest_message)
    assert cal["METHOD"] == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:maya@x.example"


def test_a_planned_series_sends_each_attendee_one_email_with_one_calendar(
    facilitator, member_a, org_a, django_capture_on_commit_callbacks
):
    lab = LabFactory(start_date=dt.date(2026, 1, 1), facilitators=[facilitator])
    ParticipationFactory(lab=lab, organization=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        meetings = services.series_create(
            lab=lab, created_by=facilitator, now=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
        )

    messages = by_recipient()
    assert set(messages) == {facilitator.email, member_a.email}
    message = messages[member_a.email]
    assert message.subject == f"[MLL] {lab.name}: 18 monthly meetings planned"
    cal, _ = calendar_of(message)
    assert cal["METHOD"] == "PUBLISH"
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {f"{m.uid}@mll" for m in meetings}
    assert "Tuesday, January 13, 2026, 10:00 AM" in message.body
    assert "Tuesday, April 14, 2026, 10:00 AM" in message.body


def test_a_guest_invitation_carries_the_calendar_file_and_the_rsvp_link(
    lab, facilitator, member_a, django_capture_on_commit_callbacks
):
    focus = services.meeting_create(
        meeting=new_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group: mentees"),
        created_by=facilitator,
        notify=False,
    )
    guest = Guest(meeting=focus, name="Maya Mentee", email="Maya@X.example")
    with django_capture_on_commit_callbacks(execute=True):
        guest, token = services.guest_invite(guest=guest, invited_by=facilitator)

    [message] = mail.outbox
    assert message.to == ["maya@x.example"]
    assert message.subject.startswith("[MLL] You're invited: Focus group: mentees")
    rsvp_path = reverse("meetings:rsvp", args=[token])
    assert rsvp_path in message.body
    assert rsvp_path in message.alternatives[0][0]
    assert focus.get_absolute_url() not in message.body
    assert "America/Chicago" in message.body
    cal, _ = calendar_of(message)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert event["UID"] == f"{focus.uid}@mll"
    assert str(event["ATTENDEE"]) == "mailto:maya@x.example"
    assert "URL" not in event


def test_the_reminder_beat_task_runs_the_reminders_service(monkeypatch):
    from meetings import reminders

    calls = []
    monkeypatch.setattr(reminders, "reminders_send_due", lambda: calls.append(1) or 3)

    assert tasks.send_meeting_reminders() == 3
    assert calls == [1]


def test_a_notice_for_a_meeting_that_is_gone_sends_nothing(db):
    assert tasks.send_meeting_notice(999_999, "invitation") == 0
    assert tasks.send_series_notice([999_999]) == 0
    assert tasks.send_guest_invitation(999_999, "token") == 0
    assert mail.outbox == []
