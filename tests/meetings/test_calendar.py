import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.calendar import meeting_calendar
from meetings.models import AgendaItem, CalendarFeed, Meeting, MeetingKind
from tests.factories import LabFactory, ParticipationFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def make_meeting(lab, **fields) -> Meeting:
    later = (timezone.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    starts = fields.pop("starts_at", later)
    values = {
        "title": "Monthly meeting: Mentor recruitment",
        "topic": "Mentor recruitment",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(minutes=90),
        "location": "Harold Washington Library, Room 4",
        "video_url": "https://meet.example.org/mll-chicago",
        **fields,
    }
    return Meeting.objects.create(lab=lab, **values)


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def events(cal: Calendar) -> list:
    return cal.walk("VEVENT")


def ics_url(meeting: Meeting) -> str:
    return reverse("meetings:ics", args=[meeting.lab.slug, meeting.pk])


def feed_uids(content: bytes) -> set[str]:
    return {str(e["UID"]) for e in events(parse(content))}


@pytest.fixture
def meeting(lab):
    meeting = make_meeting(lab)
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Welcome", presenter="Fran", minutes=10
    )
    AgendaItem.objects.create(meeting=meeting, position=2, title="Recruiting engineers as mentors")
    return meeting


@pytest.fixture
def support_a(lab, org_a):
    return make_meeting(
        lab, kind=MeetingKind.SUPPORT, organization=org_a, title="1:1 support: Out in Tech"
    )


# --- The file --------------------------------------------------------------------------------


def test_ics_parses_with_a_standard_parser(login, facilitator, meeting):
    response = login(facilitator).get(ics_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".ics" in response["Content-Disposition"]
    cal = parse(response.content)
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    assert cal["METHOD"] == "PUBLISH"
    [event] = events(cal)
    assert event["UID"] == f"{meeting.uid}@mll"
    assert event["SUMMARY"] == "Monthly meeting: Mentor recruitment"
    assert event["LOCATION"] == "Harold Washington Library, Room 4"
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTAMP"]
    page = settings.SITE_URL + meeting.get_absolute_url()
    assert event["URL"] == page
    description = str(event["DESCRIPTION"])
    assert "Topic: Mentor recruitment" in description
    assert "1. Welcome — Fran (10 min)" in description
    assert "2. Recruiting engineers as mentors" in description
    assert "https://meet.example.org/mll-chicago" in description
    assert page in description


def test_dtstart_carries_the_lab_time_zone_with_its_definition(lab, meeting):
    content = meeting_calendar([meeting])

    assert b"DTSTART;TZID=America/Chicago:" in content
    assert b"DTEND;TZID=America/Chicago:" in content
    cal = parse(content)
    [event] = events(cal)
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]


def test_uid_is_stable_and_sequence_rises_with_each_change(meeting):
    first = events(parse(meeting_calendar([meeting])))[0]

    meeting.starts_at += dt.timedelta(hours=1)
    meeting.ends_at += dt.timedelta(hours=1)
    services.meeting_update(meeting=meeting, changed=["starts_at", "ends_at"])
    second = events(parse(meeting_calendar([Meeting.objects.get(pk=meeting.pk)])))[0]

    meeting.location = "Online only"
    services.meeting_update(meeting=meeting, changed=["location"])
    third = events(parse(meeting_calendar([Meeting.objects.get(pk=meeting.pk)])))[0]

    assert first["UID"] == second["UID"] == third["UID"] == f"{meeting.uid}@mll"
    assert [first["SEQUENCE"], second["SEQUENCE"], third["SEQUENCE"]] == [0, 1, 2]
    assert third["LOCATION"] == "Online only"


def test_a_monthly_series_keeps_its_local_time_across_daylight_saving(facilitator):
    lab = LabFactory(start_date=dt.date(2026, 1, 1), facilitators=[facilitator])
    assert (lab.meeting_week_of_month, lab.meeting_weekday, lab.meeting_time) == (
        2,
        1,
        dt.time(10, 0),
    )
    meetings = services.series_create(
        lab=lab, created_by=facilitator, now=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    )

    cal = parse(meeting_calendar(Meeting.objects.filter(pk__in=[m.pk for m in meetings])))

    starts = sorted(e.decoded("DTSTART") for e in events(cal))
    assert len(starts) == 18  # Phase 1 (6 months) and Phase 2 (12 months)
    for start in starts:
        assert start.tzinfo == CHICAGO
        assert (start.hour, start.minute) == (10, 0)
        assert start.weekday() == 1 and 8 <= start.day <= 14  # the second Tuesday
    january, april = starts[0], starts[3]
    assert (january.month, april.month) == (1, 4)
    assert january.utcoffset() == dt.timedelta(hours=-6)  # CST
    assert april.utcoffset() == dt.timedelta(hours=-5)  # CDT
    assert all(e["DTSTART"].params["TZID"] == "America/Chicago" for e in events(cal))


def test_a_cancelled_meeting_downloads_as_a_cancellation(login, member_a, meeting):
    services.meeting_cancel(meeting=meeting)

    response = login(member_a).get(ics_url(meeting))

    assert response.status_code == 200
    cal = parse(response.content)
    assert cal["METHOD"] == "CANCEL"
    [event] = events(cal)
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event["UID"] == f"{meeting.uid}@mll"


# --- Who may download it ------------------------------------------------------------------


def test_facilitators_and_participants_download_a_meeting(login, facilitator, member_a, meeting):
    assert login(facilitator).get(ics_url(meeting)).status_code == 200
    assert login(member_a).get(ics_url(meeting)).status_code == 200


def test_admins_download_any_meeting(login, admin_user, meeting):
    assert login(admin_user).get(ics_url(meeting)).status_code == 200


def test_a_support_session_downloads_only_for_its_organization(
    login, facilitator, member_a, member_b, support_a
):
    assert login(facilitator).get(ics_url(support_a)).status_code == 200
    assert login(member_a).get(ics_url(support_a)).status_code == 200
    assert login(member_b).get(ics_url(support_a)).status_code == 404


def test_outsiders_and_other_labs_facilitators_get_404(login, outsider, facilitator2, meeting):
    assert login(outsider).get(ics_url(meeting)).status_code == 404
    assert login(facilitator2).get(ics_url(meeting)).status_code == 404


def test_a_meeting_of_another_lab_is_not_found_under_this_lab(login, member_a, lab, lab2):
    other = make_meeting(lab2)
    url = reverse("meetings:ics", args=[lab.slug, other.pk])

    assert login(member_a).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(ics_url(meeting))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The private feed -----------------------------------------------------------------------


def feed_url(user) -> str:
    token = CalendarFeed.objects.get(user=user).token
    return reverse("meetings:feed", args=[token])


def test_the_feed_settings_page_requires_sign_in(client, db):
    response = client.get(reverse("meetings:feed_settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_feed_settings_page_creates_the_feed_and_shows_its_address(login, member_a):
    client = login(member_a)
    response = client.get(reverse("meetings:feed_settings"))

    assert response.status_code == 200
    feed = CalendarFeed.objects.get(user=member_a)
    address = settings.SITE_URL + reverse("meetings:feed", args=[feed.token])
    assert address in response.content.decode()
    for app in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert app in response.content.decode()
    client.get(reverse("meetings:feed_settings"))
    assert CalendarFeed.objects.get(user=member_a).token == feed.token


def test_the_feed_works_without_signing_in(member_a, meeting):
    CalendarFeed.objects.create(user=member_a, token="a-secret-token")

    response = Client().get(reverse("meetings:feed", args=["a-secret-token"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse(response.content)
    assert cal["METHOD"] == "PUBLISH"
    assert "X-WR-CALNAME" in cal
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert feed_uids(response.content) == {f"{meeting.uid}@mll"}


def test_the_feed_lists_only_the_meetings_the_person_may_see(
    login, lab, lab2, org_a, org_b, member_a, meeting, support_a
):
    support_b = make_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_b, title="1:1 B")
    other_lab = make_meeting(lab2, title="Detroit monthly meeting")
    cancelled = make_meeting(lab, title="Cancelled panel", kind=MeetingKind.PANEL)
    services.meeting_cancel(meeting=cancelled)
    login(member_a).get(reverse("meetings:feed_settings"))

    content = Client().get(feed_url(member_a)).content

    uids = feed_uids(content)
    assert uids == {f"{m.uid}@mll" for m in (meeting, support_a, cancelled)}
    assert f"{support_b.uid}@mll" not in uids
    assert f"{other_lab.uid}@mll" not in uids
    status = {str(e["UID"]): str(e["STATUS"]) for e in events(parse(content))}
    assert status[f"{cancelled.uid}@mll"] == "CANCELLED"
    assert status[f"{meeting.uid}@mll"] == "CONFIRMED"


def test_the_feed_leaves_out_labs_that_ended_over_a_year_ago(member_a, org_a, meeting):
    old_lab = LabFactory(start_date=timezone.localdate() - dt.timedelta(days=6 * 365))
    ParticipationFactory(lab=old_lab, organization=org_a)
    old = make_meeting(old_lab, starts_at=timezone.now() - dt.timedelta(days=5 * 365))
    CalendarFeed.objects.create(user=member_a, token="a-secret-token")

    uids = feed_uids(Client().get(reverse("meetings:feed", args=["a-secret-token"])).content)

    assert f"{meeting.uid}@mll" in uids
    assert f"{old.uid}@mll" not in uids


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(reverse("meetings:feed", args=["no-such-token"])).status_code == 404


def test_a_deactivated_persons_feed_is_not_found(member_a, meeting):
    CalendarFeed.objects.create(user=member_a, token="a-secret-token")
    member_a.is_active = False
    member_a.save()

    assert Client().get(reverse("meetings:feed", args=["a-secret-token"])).status_code == 404


def test_revoking_the_feed_renews_its_address(login, member_a, meeting):
    client = login(member_a)
    client.get(reverse("meetings:feed_settings"))
    old_url = feed_url(member_a)

    response = client.post(reverse("meetings:feed_revoke"))

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:feed_settings")
    new_url = feed_url(member_a)
    assert new_url != old_url
    assert Client().get(old_url).status_code == 404
    assert Client().get(new_url).status_code == 200
    assert new_url in client.get(reverse("meetings:feed_settings")).content.decode()


def test_revoking_needs_a_post(login, member_a):
    assert login(member_a).get(reverse("meetings:feed_revoke")).status_code == 405


def test_the_feed_keeps_a_fixed_number_of_queries(lab, org_a, member_a, support_a):
    CalendarFeed.objects.create(user=member_a, token="a-secret-token")
    url = reverse("meetings:feed", args=["a-secret-token"])
    anonymous = Client()

    with CaptureQueriesContext(connection) as few:
        assert anonymous.get(url).status_code == 200

    lab_two = LabFactory()
    ParticipationFactory(lab=lab_two, organization=org_a)
    for n in range(12):
        m = make_meeting(lab if n % 2 else lab_two, starts_at=timezone.now() + dt.timedelta(days=n))
        AgendaItem.objects.create(meeting=m, title="Updates", presenter="Ana", minutes=20)
    with CaptureQueriesContext(connection) as many:
        response = anonymous.get(url)

    assert len(feed_uids(response.content)) == 13
    assert len(many) == len(few) <= 5
