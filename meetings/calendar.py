"""Calendar files (RFC 5545) for meetings, and each person's private calendar feed.

Every meeting keeps one UID for life and raises its SEQUENCE with each change, so calendar
apps update the entry they already have instead of adding a second one. Times are written in
the lab's time zone with its VTIMEZONE definition, never in UTC: a monthly meeting at 10:00
stays at 10:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from labs.models import Lab
from meetings.models import AgendaItem, CalendarFeed, Meeting

PRODID = "-//Mentorship Learning Lab//MLL meetings//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
# A feed keeps the meetings of labs that ended less than this long ago.
FEED_HISTORY = dt.timedelta(days=365)


def meeting_calendar(
    meetings: Iterable[Meeting],
    *,
    method: str = "PUBLISH",
    name: str = "",
    attendee: tuple[str, str] | None = None,
    page_links: bool = True,
) -> bytes:
    """One VCALENDAR with a VEVENT per meeting (their `lab` should be loaded with them).

    `name` titles a subscribed feed (X-WR-CALNAME); `attendee` (name, e-mail) is the
    recipient of an e-mailed REQUEST or CANCEL; `page_links=False` leaves out the links to the
    meeting page, for guests, who have no account to open it with.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown iCalendar method {method!r}")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        # Hints for subscribing apps on how often to look for changes.
        cal.add(
            "refresh-interval", vDuration(dt.timedelta(hours=1)), parameters={"VALUE": "DURATION"}
        )
        cal.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    meetings = list(meetings)
    for meeting in meetings:
        cal.add_component(
            _event(meeting, method=method, stamp=stamp, attendee=attendee, page_links=page_links)
        )
    if meetings:
        # Transitions a year either side are plenty, and keep the file small.
        cal.add_missing_timezones(
            first_date=min(m.starts_at for m in meetings).date() - dt.timedelta(days=366),
            last_date=max(m.ends_at for m in meetings).date() + dt.timedelta(days=366),
        )
    return cal.to_ical()


def _event(
    meeting: Meeting,
    *,
    method: str,
    stamp: dt.datetime,
    attendee: tuple[str, str] | None,
    page_links: bool,
) -> Event:
    tz = meeting.lab.tz
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting.title)
    event.add("description", meeting_description(meeting, page_links=page_links))
    location = meeting.location or meeting.video_url
    if location:
        event.add("location", location)
    if page_links:
        event.add("url", meeting_page_url(meeting))
    event.add("categories", [meeting.get_kind_display()])
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if meeting.is_private:
        event.add("class", "PRIVATE")
    if method != "PUBLISH":
        # iTIP (RFC 5546) wants an organizer and the attendee on every REQUEST and CANCEL.
        organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
        organizer.params["cn"] = vText(meeting.lab.name)
        event.add("organizer", organizer)
        if attendee:
            person_name, email = attendee
            address = vCalAddress(f"mailto:{email}")
            if person_name:
                address.params["cn"] = vText(person_name)
            address.params["cutype"] = vText("INDIVIDUAL")
            address.params["role"] = vText("REQ-PARTICIPANT")
            address.params["partstat"] = vText("NEEDS-ACTION")
            # Answers go through the app, not back to our no-reply address.
            address.params["rsvp"] = vText("FALSE")
            event.add("attendee", address)
    return event


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@mll"


def meeting_page_url(meeting: Meeting) -> str:
    return settings.SITE_URL + meeting.get_absolute_url()


def meeting_description(meeting: Meeting, *, page_links: bool = True) -> str:
    parts = []
    if meeting.is_cancelled:
        parts.append("This meeting is cancelled.")
    if meeting.topic:
        parts.append(f"Topic: {meeting.topic}")
    if meeting.description:
        parts.append(meeting.description.strip())
    items = list(meeting.agenda_items.all())
    if items:
        lines = ["Agenda:"]
        for number, item in enumerate(items, start=1):
            line = f"{number}. {item.title}"
            if item.presenter:
                line += f" — {item.presenter}"
            if item.minutes:
                line += f" ({item.minutes} min)"
            lines.append(line)
        parts.append("\n".join(lines))
    if meeting.video_url:
        parts.append(f"Join online: {meeting.video_url}")
    if page_links:
        parts.append(f"Meeting page: {meeting_page_url(meeting)}")
    return "\n\n".join(parts)


def meeting_filename(meeting: Meeting) -> str:
    day = timezone.localdate(meeting.starts_at, timezone=meeting.lab.tz)
    return f"{slugify(meeting.title)[:60] or 'meeting'}-{day:%Y-%m-%d}.ics"


def ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # Feeds and files carry private details: never keep them in a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


def with_calendar_details(meetings):
    """A meeting queryset with what its calendar entries need, in a fixed number of queries."""
    return meetings.select_related("lab").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk"))
    )


# --- The private feed ------------------------------------------------------------------------


def feed_meetings(user):
    """Every meeting the person may see, scheduled or cancelled, in labs still running or that
    ended less than a year ago. Four queries, whatever the number of meetings."""
    visible = Meeting.objects.visible_to(user)
    labs = Lab.objects.filter(pk__in=visible.values("lab_id"))
    # A lab's end comes from its timeline (month arithmetic), so it is worked out here.
    cutoff = timezone.localdate() - FEED_HISTORY
    current = [lab.pk for lab in labs if lab.timeline.phases[-1].end >= cutoff]
    # Cancelled meetings stay in, marked CANCELLED, so subscribed calendars drop them.
    meetings = visible.filter(lab_id__in=current)
    return with_calendar_details(meetings).order_by("starts_at", "pk")


def feed_calendar(feed: CalendarFeed) -> bytes:
    user = feed.user
    return meeting_calendar(feed_meetings(user), name=f"MLL meetings · {user.display_name}")


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": CalendarFeed.new_token()}
    )
    return feed


def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new secret for the feed: the old URL stops working at once."""
    feed, _ = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": CalendarFeed.new_token(), "created_at": timezone.now()}
    )
    return feed


def get_feed_by_token(token: str) -> CalendarFeed | None:
    """The feed a token opens, if its owner may still sign in."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
