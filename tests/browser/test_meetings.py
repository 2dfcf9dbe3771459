"""Issue 3 in a real browser: a facilitator plans the monthly series, adds a focus group with a
guest who answers from the e-mail's private link, records attendance, and a participant
downloads the calendar file and posts a takeaway. Also the meeting pages that the journey
doesn't reach (attendance forms, uploads, the calendar feed) pass axe. axe-core checks every
page visited."""

import datetime as dt
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Guest,
    GuestResponse,
    Meeting,
    MeetingKind,
    Post,
)
from mll.tokens import hash_token
from participants.models import MembershipRole
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def label(text: str) -> re.Pattern:
    """A field's label exactly, allowing the asterisk crispy adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", re.IGNORECASE)


def button(page, name: str):
    """A button by its whole accessible name, ignoring case."""
    return page.get_by_role("button", name=re.compile(rf"^\s*{re.escape(name)}\s*$", re.I))


def lab_section(page: Page, name: str):
    return page.get_by_role("navigation", name="Lab sections").get_by_role("link", name=name)


def breadcrumb(page: Page, name: str):
    return page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=name)


def make_meeting(lab, *, kind=MeetingKind.MONTHLY, days: int, **fields) -> Meeting:
    """A meeting `days` from now (negative: already held), an hour long."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    fields.setdefault("title", f"{MeetingKind(kind).label} on day {days}")
    return Meeting.objects.create(
        lab=lab, kind=kind, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **fields
    )


# --- The journey ---------------------------------------------------------------------


def test_series_focus_group_guest_and_attendance_then_a_participant_downloads_and_posts(
    new_page, mailoutbox, facilitator, lab, org_a, member_a
):
    # Phase 1 starts on the first of next month; org A (member_a is its lead) takes part.
    lab.start_date = lab.today().replace(day=1) + relativedelta(months=1)
    lab.meeting_location = "Harold Washington Library Center"
    lab.save()
    # A kickoff already held, before the series: its attendance is recorded below.
    kickoff = make_meeting(lab, days=-3, title="Kickoff: getting to know each other")
    ana = member_a.display_name

    # --- The facilitator plans the monthly series ----------------------------------------
    page = new_page()
    sign_in(page, facilitator.email)
    page.get_by_role("main").get_by_role("link", name=lab.name).click()
    expect(page.get_by_role("heading", level=1, name=lab.name)).to_be_visible()
    assert_accessible(page)

    lab_section(page, "Meetings").click()
    expect(page.get_by_role("heading", name="Upcoming")).to_be_visible()
    expect(page.get_by_text("No upcoming meetings.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Plan monthly series").click()
    expect(page.get_by_role("heading", level=1, name="Plan the monthly series")).to_be_visible()
    preview = page.get_by_role("region", name="The series, month by month")
    rows = preview.get_by_role("row").filter(has_text="Will be added")
    expect(rows).to_have_count(18)  # the guide's 6 months of Phase 1 and 12 of Phase 2
    expect(rows.first).to_contain_text(f"{lab.start_date:%B %Y}")
    expect(rows.first).to_contain_text("Phase 1")
    expect(rows.first).to_contain_text("10:00 AM")
    assert_accessible(page)
    screenshot(page, "meetings-series")

    button(page, "Add 18 meetings").click()
    expect(page.get_by_text("Planned 18 monthly meetings.")).to_be_visible()
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming.get_by_role("link", name=re.compile("^Monthly meeting: "))).to_have_count(18)
    past = page.get_by_role("region", name="Past meetings")
    expect(past.get_by_role("link", name=kickoff.title)).to_be_visible()
    assert_accessible(page)
    assert lab.meetings.filter(series_month__isnull=False).count() == 18

    # --- A focus group with one agenda item ----------------------------------------------
    page.get_by_role("link", name="New meeting").click()
    expect(page.get_by_role("heading", level=1, name="Schedule a meeting")).to_be_visible()
    assert_accessible(page)
    day = lab.today() + dt.timedelta(days=10)
    page.get_by_label(label("Kind")).select_option(label="Focus group")
    page.get_by_label(label("Title")).fill("Focus group: what mentees need")
    page.get_by_label(label("Topic")).fill("Mentee experience")
    page.get_by_label(label("Date")).fill(day.isoformat())
    page.get_by_label(label("Starts")).fill("18:00")
    page.get_by_label(label("Ends")).fill("19:30")
    page.get_by_label(label("Format")).select_option(label="In person")
    page.get_by_label(label("Location")).fill("Chicago Public Library, Room 4")
    item = page.get_by_role("group", name="Agenda item 1")
    item.get_by_label(label("Item")).fill("What a good first month looks like")
    item.get_by_label(label("Presenter")).fill("Gia")
    item.get_by_label(label("Minutes")).fill("30")
    button(page, "Schedule the meeting").click()
    expect(page.get_by_text("Scheduled “Focus group: what mentees need”.")).to_be_visible()
    expect(
        page.get_by_role("heading", level=1, name="Focus group: what mentees need")
    ).to_be_visible()
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text(f"{day:%b} {day.day}, {day.year}, 6:00 PM")
    expect(details).to_contain_text("America/Chicago")
    expect(details).to_contain_text("Chicago Public Library, Room 4")
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("listitem")).to_have_text(
        [re.compile("What a good first month looks like · Gia · 30 min")]
    )
    assert_accessible(page)
    focus = Meeting.objects.get(lab=lab, kind=MeetingKind.FOCUS_GROUP)
    # A private note for the facilitators, which neither the guest nor a participant may see.
    Meeting.objects.filter(pk=focus.pk).update(facilitator_notes="Ask Gia about her mentor.")

    # --- The guest is invited, and answers from the e-mail's private link ---------------
    guests = page.get_by_role("region", name="Guests")
    guests.get_by_label(label("Name")).fill("Gia Guest")
    guests.get_by_label(label("E-mail")).fill("gia@mentor.example")
    guests.get_by_label(label("Role")).select_option(label="Mentee")
    guests.get_by_label(label("Contact of")).select_option(label=org_a.name)
    button(guests, "Send invitation").click()
    expect(page.get_by_text("Gia Guest is invited; the invitation is on its way.")).to_be_visible()
    guests = page.get_by_role("region", name="Guests")
    expect(guests.get_by_role("listitem")).to_contain_text("Gia Guest · Mentee")
    expect(guests.get_by_role("listitem")).to_contain_text("No answer yet")
    assert_accessible(page)
    screenshot(page, "meetings-focus-group")

    [invitation] = [m for m in mailoutbox if m.to == ["gia@mentor.example"]]
    assert [name for name, _, _ in invitation.attachments] == [
        f"focus-group-what-mentees-need-{day:%Y-%m-%d}.ics"
    ]
    rsvp_path = re.search(r"https?://[^/\s]+(/meetings/rsvp/[^\s]+/)", invitation.body).group(1)

    gia = new_page()  # a browser of her own: no account, no cookies
    gia.goto(rsvp_path)
    expect(
        gia.get_by_role("heading", level=1, name="Focus group: what mentees need")
    ).to_be_visible()
    expect(gia.get_by_text("Hello Gia Guest, you are invited to")).to_be_visible()
    expect(gia.get_by_role("main")).to_contain_text("What a good first month looks like")
    assert_accessible(gia)
    button(gia, "Yes, I'll come").click()
    expect(gia.get_by_text("Thank you, we'll see you there.")).to_be_visible()
    expect(gia.get_by_text("Your answer: Coming.")).to_be_visible()
    assert_accessible(gia)
    screenshot(gia, "meetings-rsvp")
    # She sees what she needs to come and nothing else of the lab.
    main = gia.get_by_role("main").inner_text()
    for private in (lab.name, org_a.name, member_a.email, ana, "Ask Gia", "Kickoff", "Monthly"):
        assert private not in main, f"the guest's page shows {private!r}"
    expect(gia.locator("a[href*='/labs/']")).to_have_count(0)
    assert Guest.objects.get(meeting=focus).response == GuestResponse.YES

    page.reload()
    expect(page.get_by_role("region", name="Guests")).to_contain_text("1 coming")
    assert_accessible(page)

    # --- Attendance at the kickoff, and the rate across the lab --------------------------
    breadcrumb(page, "Meetings").click()
    assert_accessible(page)
    page.get_by_role("region", name="Past meetings").get_by_role("link", name=kickoff.title).click()
    expect(page.get_by_role("heading", level=1, name=kickoff.title)).to_be_visible()
    expect(page.get_by_role("region", name="Attendance")).to_contain_text("Not recorded yet")
    assert_accessible(page)
    page.get_by_role("link", name="Record attendance").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Attendance: {kickoff.title}")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name=org_a.name).get_by_label(ana).select_option(
        label="Present remotely"
    )
    button(page, "Save attendance").click()
    expect(page.get_by_text("Attendance saved: 1 of 1.")).to_be_visible()
    attendance = page.get_by_role("region", name="Attendance")
    expect(attendance).to_contain_text("1 of 1 expected present: 0 in person, 1 remotely.")
    assert_accessible(page)
    attendance.get_by_role("link", name="Attendance across the lab").click()
    expect(page.get_by_role("heading", name="Rates")).to_be_visible()
    rates = page.get_by_role("region", name="Rates")
    # Rate, present / recorded, in-person share, remote share: the guide's hybrid model.
    cells = ["100%", "1 / 1", "0% (0)", "100% (1)"]
    expect(rates.get_by_role("row", name=org_a.name).get_by_role("cell")).to_have_text(cells)
    expect(rates.get_by_role("row", name="The lab").get_by_role("cell")).to_have_text(cells)
    assert_accessible(page)
    screenshot(page, "meetings-lab-attendance")
    assert Attendance.objects.get(meeting=kickoff, user=member_a).status == AttendanceStatus.REMOTE

    # --- The participant downloads the calendar file and posts a takeaway ----------------
    participant = new_page()
    sign_in(participant, member_a.email)
    participant.get_by_role("main").get_by_role("link", name=lab.name).click()
    expect(participant.get_by_role("heading", level=1, name=lab.name)).to_be_visible()
    assert_accessible(participant)
    lab_section(participant, "Meetings").click()
    expect(participant.get_by_role("link", name="New meeting")).to_have_count(0)
    assert_accessible(participant)
    participant.get_by_role("link", name="Focus group: what mentees need").click()
    expect(
        participant.get_by_role("heading", level=1, name="Focus group: what mentees need")
    ).to_be_visible()
    expect(participant.get_by_role("region", name="Guests")).to_contain_text("Gia Guest · Mentee")
    main = participant.get_by_role("main").inner_text()
    for private in ("gia@mentor.example", "Ask Gia", "Invite a guest", "Record attendance"):
        assert private not in main, f"a participant sees {private!r}"
    assert_accessible(participant)

    with participant.expect_download() as download_info:
        participant.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"focus-group-what-mentees-need-{day:%Y-%m-%d}.ics"
    with open(download.path(), "rb") as file:
        cal = Calendar.from_ical(file.read())
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"{focus.uid}@mll"
    assert str(event["SUMMARY"]) == "Focus group: what mentees need"
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTSTART") == dt.datetime.combine(day, dt.time(18, 0), tzinfo=lab.tz)
    assert event.decoded("DTEND") == dt.datetime.combine(day, dt.time(19, 30), tzinfo=lab.tz)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]
    assert "What a good first month looks like" in str(event["DESCRIPTION"])

    breadcrumb(participant, "Meetings").click()
    assert_accessible(participant)
    participant.get_by_role("region", name="Past meetings").get_by_role(
        "link", name=kickoff.title
    ).click()
    expect(participant.get_by_role("heading", level=1, name=kickoff.title)).to_be_visible()
    assert_accessible(participant)
    takeaway = "Pairing new mentors with a buddy for the first month kept them coming back."
    participant.get_by_label(label("Your takeaway or advice")).fill(takeaway)
    button(participant, "Post").click()
    expect(participant.get_by_text("Your post is up.")).to_be_visible()
    discussion = participant.get_by_role("region", name="Discussion")
    post = discussion.get_by_role("listitem").filter(has_text=takeaway)
    expect(post).to_contain_text(f"{ana} · {org_a.name}")
    assert_accessible(participant)
    screenshot(participant, "meetings-discussion")
    assert Post.objects.get(meeting=kickoff).author == member_a


# --- The other meeting pages pass axe --------------------------------------------------------


def test_the_feed_settings_page_is_accessible_and_renews_the_address(new_page, member_a, lab):
    make_meeting(lab, days=7, title="Monthly meeting: Mentor recruitment")

    def feed_path() -> str:
        return reverse("meetings:feed", args=[CalendarFeed.objects.get(user=member_a).token])

    page = new_page()
    sign_in(page, member_a.email)
    page.goto(reverse("meetings:feed_settings"))
    assert_accessible(page)
    screenshot(page, "calendar-feed")
    old_address = page.get_by_label("Your private calendar address").input_value()
    assert old_address.endswith(feed_path())

    button(page, "Revoke this address and get a new one").click()
    expect(page.get_by_text("The old one no longer works")).to_be_visible()
    assert_accessible(page)
    new_address = page.get_by_label("Your private calendar address").input_value()
    assert new_address != old_address
    assert new_address.endswith(feed_path())


def test_the_people_pages_are_accessible(new_page, facilitator, lab, org_a, member_a, member_b):
    MembershipFactory(
        organization=org_a, role=MembershipRole.MEMBER, user__email="cal@orga.example"
    )
    held = make_meeting(lab, days=-30)
    Attendance.objects.create(
        meeting=held, user=member_a, status=AttendanceStatus.IN_PERSON, organization=org_a
    )
    focus_group = make_meeting(
        lab,
        kind=MeetingKind.FOCUS_GROUP,
        days=7,
        title="Focus group: what mentees need",
        location="Chicago Public Library, Room 4",
        video_url="https://meet.example/focus",
    )
    AgendaItem.objects.create(meeting=focus_group, position=1, title="Welcome")
    Guest.objects.create(
        meeting=focus_group,
        name="Gia Guest",
        email="gia@mentor.example",
        token_hash=hash_token("a-guest-token"),
    )
    Post.objects.create(meeting=focus_group, author=member_a, body="Buddy systems work.")
    attachment = Attachment(
        meeting=focus_group, name="slides.pdf", content_type="application/pdf", size=len(PDF)
    )
    attachment.file.save("slides.pdf", ContentFile(PDF), save=True)
    meeting_url = (lab.slug, focus_group.pk)

    guest_page = new_page()
    guest_page.goto(reverse("meetings:rsvp", args=["a-guest-token"]))
    assert_accessible(guest_page)
    screenshot(guest_page, "people-rsvp")
    button(guest_page, "Yes, I'll come").click()
    expect(guest_page.get_by_text("Thank you, we'll see you there.")).to_be_visible()
    assert_accessible(guest_page)
    assert Guest.objects.get(meeting=focus_group).response == GuestResponse.YES

    page = new_page()
    sign_in(page, facilitator.email)
    for url in (
        reverse("meetings:lab_attendance", args=[lab.slug]),
        reverse("meetings:attendance", args=meeting_url),
        reverse("meetings:guest_add", args=meeting_url),
        reverse("meetings:attachment_upload", args=meeting_url),
        focus_group.get_absolute_url(),
    ):
        page.goto(url)
        assert_accessible(page)
        screenshot(page, "people-" + url.strip("/").replace("/", "-"))
    # A refused upload shows its message accessibly too.
    page.goto(reverse("meetings:attachment_upload", args=meeting_url))
    assert_accessible(page)
    page.get_by_label("File").set_input_files(
        files=[{"name": "slides.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    button(page, "Upload").click()
    expect(page.get_by_text("it is a PNG image")).to_be_visible()
    assert_accessible(page)
