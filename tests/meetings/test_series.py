"""Planning the monthly series from the lab's meeting plan: the preview, one meeting a month for
Phase 1 and Phase 2, months already planned left alone, and 10:00 staying 10:00 across DST."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings.models import Meeting, MeetingKind, MeetingStatus

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
BEFORE_THE_LAB = dt.datetime(2025, 12, 1, 12, 0, tzinfo=dt.UTC)
MID_APRIL = dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC)

# Second Tuesdays from January 2026 (Phase 1 start) to June 2027 (Phase 2's last month).
SECOND_TUESDAYS = [
    dt.date(2026, 1, 13),
    dt.date(2026, 2, 10),
    dt.date(2026, 3, 10),
    dt.date(2026, 4, 14),
    dt.date(2026, 5, 12),
    dt.date(2026, 6, 9),
    dt.date(2026, 7, 14),
    dt.date(2026, 8, 11),
    dt.date(2026, 9, 8),
    dt.date(2026, 10, 13),
    dt.date(2026, 11, 10),
    dt.date(2026, 12, 8),
    dt.date(2027, 1, 12),
    dt.date(2027, 2, 9),
    dt.date(2027, 3, 9),
    dt.date(2027, 4, 13),
    dt.date(2027, 5, 11),
    dt.date(2027, 6, 8),
]


@pytest.fixture
def chicago(lab, org_a, org_b):
    """The guide's lab: Phase 1 from Jan 1, 2026, meetings the second Tuesday at 10:00."""
    lab.start_date = dt.date(2026, 1, 1)
    lab.time_zone = "America/Chicago"
    lab.meeting_time = dt.time(10, 0)
    lab.meeting_week_of_month = 2
    lab.meeting_weekday = 1
    lab.meeting_duration_minutes = 90
    lab.meeting_format = "hybrid"
    lab.meeting_location = "Harold Washington Library"
    lab.save()
    return lab


def series_url(lab) -> str:
    return reverse("meetings:series", args=[lab.slug])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def local(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at.astimezone(CHICAGO)


def test_the_preview_lists_every_month_of_phase_1_and_2(login, facilitator, chicago):
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        response = login(facilitator).get(series_url(chicago))

    rows = response.context["rows"]
    assert [plan.starts_at.date() for plan, _, _ in rows] == SECOND_TUESDAYS
    assert [plan.phase for plan, _, _ in rows] == ["phase1"] * 6 + ["phase2"] * 12
    assert all(existing is None and not past for _, existing, past in rows)
    assert response.context["to_add"] == 18
    page = response.content.decode()
    assert page.count("Will be added") == 18
    assert "January 2026" in page and "June 2027" in page
    assert "Kick-off: our mentorship programs" in page
    assert "Second Tuesday of each month, 10:00 AM America/Chicago, hybrid" in page
    assert "Add 18 meetings</button>" in page
    assert not Meeting.objects.exists()


def test_planning_creates_one_meeting_a_month_and_keeps_10_oclock_across_dst(
    login, facilitator, chicago
):
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        response = login(facilitator).post(series_url(chicago))

    assert response.status_code == 302
    assert response.url == reverse("meetings:list", args=[chicago.slug])
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [local(m).date() for m in meetings] == SECOND_TUESDAYS
    assert {local(m).time() for m in meetings} == {dt.time(10, 0)}
    assert {(m.ends_at - m.starts_at) for m in meetings} == {dt.timedelta(minutes=90)}
    # Both sides of the changes: 10:00 CST is 16:00 UTC, 10:00 CDT is 15:00 UTC.
    utc_hours = [m.starts_at.astimezone(dt.UTC).hour for m in meetings]
    assert utc_hours[0] == 16  # Jan 2026, standard time
    assert utc_hours[2] == 15  # Mar 10, 2026, after the Mar 8 change
    assert utc_hours[10] == 16  # Nov 10, 2026, after the Nov 1 change
    assert utc_hours[14] == 16  # Mar 9, 2027, before the Mar 14 change
    assert utc_hours[15] == 15  # Apr 2027
    assert all(m.kind == MeetingKind.MONTHLY for m in meetings)
    assert all(m.created_by == facilitator for m in meetings)
    assert {m.location for m in meetings} == {"Harold Washington Library"}
    assert [m.series_month for m in meetings] == [d.replace(day=1) for d in SECOND_TUESDAYS]
    assert meetings[2].title == "Monthly meeting: Mentor recruitment"
    assert messages_of(response) == [
        "Planned 18 monthly meetings. Attendees will be e-mailed the series' calendar file."
    ]


def test_the_meeting_pages_show_10_oclock_on_both_sides_of_dst(
    login, member_a, facilitator, chicago
):
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        login(facilitator).post(series_url(chicago))
        client = login(member_a)
        for meeting in Meeting.objects.all():
            page = client.get(meeting.get_absolute_url()).content.decode()
            assert "10:00 AM</time>" in page
            assert "11:30 AM C" in page  # CST or CDT


def test_attendees_get_one_email_with_the_whole_series(
    login, facilitator, member_a, member_b, chicago, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(BEFORE_THE_LAB, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        login(facilitator).post(series_url(chicago))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [facilitator.email, member_a.email, member_b.email]
    )
    message = next(m for m in mail.outbox if m.to == [member_a.email])
    [(filename, content, _)] = message.attachments
    assert filename.endswith(".ics")
    events = Calendar.from_ical(content).walk("VEVENT")
    assert len(events) == 18
    starts = [e.decoded("DTSTART") for e in events]
    assert {(s.hour, s.minute) for s in starts} == {(10, 0)}
    assert {str(s.tzinfo) for s in starts} == {"America/Chicago"}


def test_planning_twice_adds_nothing(
    login, facilitator, chicago, django_capture_on_commit_callbacks
):
    client = login(facilitator)
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        client.post(series_url(chicago))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(series_url(chicago))
        preview = client.get(series_url(chicago))

    assert Meeting.objects.count() == 18
    assert mail.outbox == []
    assert "Nothing to add: every month still to come is already planned." in messages_of(response)
    assert preview.context["to_add"] == 0
    assert preview.content.decode().count("Already planned") == 18
    assert "Add 0" not in preview.content.decode()


def test_months_already_planned_are_left_alone(login, facilitator, chicago):
    moved = dt.datetime(2026, 3, 17, 14, 0, tzinfo=CHICAGO)
    mine = Meeting.objects.create(
        lab=chicago,
        title="March meeting, moved to the third Tuesday",
        starts_at=moved,
        ends_at=moved + dt.timedelta(hours=1),
        series_month=dt.date(2026, 3, 1),
    )

    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        preview = login(facilitator).get(series_url(chicago))
        login(facilitator).post(series_url(chicago))

    [march] = [row for row in preview.context["rows"] if row[0].month == dt.date(2026, 3, 1)]
    assert march[1] == mine
    assert preview.context["to_add"] == 17
    assert mine.get_absolute_url() in preview.content.decode()
    assert Meeting.objects.count() == 18
    mine.refresh_from_db()
    assert mine.title == "March meeting, moved to the third Tuesday"
    assert mine.starts_at == moved
    assert Meeting.objects.filter(series_month=dt.date(2026, 3, 1)).count() == 1


def test_other_meetings_in_a_month_do_not_count_as_planned(login, facilitator, chicago):
    focus = dt.datetime(2026, 3, 10, 18, 0, tzinfo=CHICAGO)
    Meeting.objects.create(
        lab=chicago,
        kind="focus_group",
        title="Focus group",
        starts_at=focus,
        ends_at=focus + dt.timedelta(hours=1),
    )

    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        login(facilitator).post(series_url(chicago))

    assert Meeting.objects.filter(kind=MeetingKind.MONTHLY).count() == 18


def test_only_months_still_to_come_are_planned(login, facilitator, chicago):
    with time_machine.travel(MID_APRIL, tick=False):
        preview = login(facilitator).get(series_url(chicago))
        login(facilitator).post(series_url(chicago))

    assert [past for _, _, past in preview.context["rows"]] == [True] * 4 + [False] * 14
    assert preview.content.decode().count("Past, skipped") == 4
    assert preview.context["to_add"] == 14
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [local(m).date() for m in meetings] == SECOND_TUESDAYS[4:]
    assert {local(m).time() for m in meetings} == {dt.time(10, 0)}


def test_each_planned_meeting_can_be_moved_and_cancelled_afterwards(
    login, facilitator, chicago, django_capture_on_commit_callbacks
):
    client = login(facilitator)
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        client.post(series_url(chicago))
        may, june = Meeting.objects.filter(series_month__in=["2026-05-01", "2026-06-01"])
        data = {
            "kind": "monthly",
            "title": may.title,
            "topic": may.topic,
            "description": "",
            "date": "2026-05-19",
            "start_time": "11:00",
            "end_time": "12:30",
            "format": may.format,
            "location": may.location,
            "video_url": "",
            "organization": "",
            "agenda-TOTAL_FORMS": "0",
            "agenda-INITIAL_FORMS": "0",
            "agenda-MIN_NUM_FORMS": "0",
            "agenda-MAX_NUM_FORMS": "1000",
        }
        edited = client.post(reverse("meetings:edit", args=[chicago.slug, may.pk]), data)
        cancelled = client.post(reverse("meetings:cancel", args=[chicago.slug, june.pk]))
        again = client.post(series_url(chicago))

    assert edited.status_code == 302
    assert cancelled.status_code == 302
    may.refresh_from_db()
    june.refresh_from_db()
    assert local(may) == dt.datetime(2026, 5, 19, 11, 0, tzinfo=CHICAGO)
    assert may.sequence == 1
    assert may.series_month == dt.date(2026, 5, 1)
    assert june.status == MeetingStatus.CANCELLED
    # The cancelled month is still planned: planning again doesn't bring it back.
    assert "Nothing to add: every month still to come is already planned." in messages_of(again)
    assert Meeting.objects.count() == 18


def test_a_participant_cannot_plan_the_series(login, member_a, chicago):
    with time_machine.travel(BEFORE_THE_LAB, tick=False):
        assert login(member_a).post(series_url(chicago)).status_code == 404

    assert not Meeting.objects.exists()
