"""The meetings pages: who may open each one, the lab calendar and month view, the meeting
form's rules and e-mails, cancelling, notes, the dashboard panel, and flat query counts."""

import datetime as dt
import html
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Post,
)
from participants.services import participation_withdraw
from tests.factories import MembershipFactory, OrganizationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = dt.UTC
# Every test runs at this moment: the lab (started 30 days before by default) is in Phase 1.
NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def new_meeting(lab, *, days: int = 7, hour: int = 10, **fields) -> Meeting:
    """A meeting saved without notices, `days` from NOW at `hour` in the lab's time zone."""
    day = (NOW + dt.timedelta(days=days)).date()
    starts = dt.datetime.combine(day, dt.time(hour), tzinfo=lab.tz)
    values = {
        "title": "Monthly meeting: Mentor recruitment",
        "topic": "Mentor recruitment",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(minutes=90),
        "location": "Harold Washington Library, Room 4",
        "video_url": "https://meet.example.org/mll",
        **fields,
    }
    return Meeting.objects.create(lab=lab, **values)


@pytest.fixture
def meeting(lab):
    meeting = new_meeting(lab)
    AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome", presenter="Fran")
    return meeting


@pytest.fixture
def support_a(lab, org_a):
    return new_meeting(
        lab,
        days=3,
        kind=MeetingKind.SUPPORT,
        organization=org_a,
        title="Support: Out in Tech budget",
        topic="",
    )


def url(name: str, meeting: Meeting) -> str:
    lab = meeting.lab
    if name == "list" or name == "series" or name == "create":
        return reverse(f"meetings:{name}", args=[lab.slug])
    if name == "month":
        local = meeting.starts_at.astimezone(lab.tz)
        return reverse("meetings:month", args=[lab.slug, local.year, local.month])
    return reverse(f"meetings:{name}", args=[lab.slug, meeting.pk])


def login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_block(response, name: str) -> str:
    """The crispy wrapper of one form field: its label, input, help and errors."""
    page = response.content.decode()
    end = r'<div id="div_id_|</fieldset>|</form>'
    match = re.search(rf'<div id="div_id_{name}".*?(?={end})', page, re.S)
    assert match, f"no field {name} on the page"
    return html.unescape(match.group(0))


# --- Access: every view in meetings/urls.py, for everyone in the cast ---------------------------

# (url name, method, only facilitators and admins may use it)
VIEWS = [
    ("list", "get", False),
    ("month", "get", False),
    ("detail", "get", False),
    ("create", "get", True),
    ("edit", "get", True),
    ("cancel", "get", True),
    ("cancel", "post", True),
    ("notes", "get", True),
    ("notes", "post", True),
    ("series", "get", True),
    ("series", "post", True),
]
IDS = [f"{name}-{method}" for name, method, _ in VIEWS]


def call(client, method: str, address: str):
    return client.post(address) if method == "post" else client.get(address)


@pytest.mark.parametrize(("name", "method", "manage_only"), VIEWS, ids=IDS)
@pytest.mark.parametrize("who", ["facilitator", "admin_user"])
def test_facilitators_and_admins_may_use_every_meetings_view(
    request, login, meeting, org_a, who, name, method, manage_only
):
    response = call(login(request.getfixturevalue(who)), method, url(name, meeting))

    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize(("name", "method", "manage_only"), VIEWS, ids=IDS)
def test_a_participant_may_read_but_not_manage(login, meeting, member_a, name, method, manage_only):
    response = call(login(member_a), method, url(name, meeting))

    assert response.status_code == (404 if manage_only else 200)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(("name", "method", "manage_only"), VIEWS, ids=IDS)
@pytest.mark.parametrize("who", ["facilitator2", "outsider"])
def test_other_labs_facilitators_and_outsiders_get_404(
    request, login, meeting, lab2, who, name, method, manage_only
):
    response = call(login(request.getfixturevalue(who)), method, url(name, meeting))

    assert response.status_code == 404
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(("name", "method", "manage_only"), VIEWS, ids=IDS)
def test_anonymous_visitors_are_sent_to_sign_in(client, meeting, name, method, manage_only):
    address = url(name, meeting)

    response = call(client, method, address)

    assert response.status_code == 302
    assert response.url == login_url(address)


def test_a_withdrawn_organizations_members_lose_the_meetings(login, lab, org_a, member_a, meeting):
    lab.participations.filter(organization=org_a).update(status="withdrawn")

    assert login(member_a).get(url("detail", meeting)).status_code == 404
    assert login(member_a).get(url("list", meeting)).status_code == 404


# --- 1:1 support sessions are private to their organization ---------------------------------


def test_another_organization_cannot_open_a_support_session(login, support_a, member_b):
    assert login(member_b).get(url("detail", support_a)).status_code == 404


@pytest.mark.parametrize("name", ["list", "month"])
def test_another_organization_does_not_see_a_support_session_listed(
    login, lab, meeting, support_a, member_a, member_b, name
):
    theirs = text(login(member_b).get(url(name, support_a)))
    ours = text(login(member_a).get(url(name, support_a)))

    assert "Support: Out in Tech budget" not in theirs
    assert meeting.title in theirs
    assert "Support: Out in Tech budget" in ours


def test_the_organization_and_the_facilitator_open_their_support_session(
    login, support_a, member_a, facilitator
):
    page = text(login(member_a).get(url("detail", support_a)))
    assert "Private: Out in Tech Chicago and the facilitators" in page

    assert login(facilitator).get(url("detail", support_a)).status_code == 200


def test_the_dashboard_never_shows_another_organizations_support_session(
    login, lab, support_a, member_b, member_a
):
    dashboard = reverse("labs:detail", args=[lab.slug])

    assert "Support: Out in Tech budget" not in text(login(member_b).get(dashboard))
    assert "Support: Out in Tech budget" in text(login(member_a).get(dashboard))


# --- The lab calendar ---------------------------------------------------------------------


def test_the_list_shows_upcoming_meetings_next_first_in_the_labs_time_zone(login, lab, member_a):
    later = new_meeting(lab, days=20, title="Focus group with mentees", kind="focus_group")
    sooner = new_meeting(lab, days=5, title="Share-out with stakeholders", kind="share_out")
    new_meeting(lab, days=-10, title="Kick-off")

    response = login(member_a).get(url("list", sooner))

    assert list(response.context["upcoming"]) == [sooner, later]
    assert [m.title for m in response.context["past"]] == ["Kick-off"]
    page = text(response)
    assert page.index("Share-out with stakeholders") < page.index("Focus group with mentees")
    assert page.index("Focus group with mentees") < page.index("Past meetings")
    local = sooner.starts_at.astimezone(CHICAGO)
    assert f"{local:%a, %b} {local.day}, {local.year}, 10:00 AM" in page
    assert "(America/Chicago)" in page
    assert "Share-out</span>" in page  # the kind badge
    assert "Harold Washington Library, Room 4" in page


def test_the_list_shows_times_in_the_labs_zone_whatever_the_viewers(login, lab, member_a):
    member_a.time_zone = "Europe/Berlin"
    member_a.save()
    meeting = new_meeting(lab, days=5)

    page = text(login(member_a).get(url("list", meeting)))

    assert "10:00 AM" in page
    assert "(America/Chicago)" in page


def test_the_list_filters_by_kind(login, lab, member_a):
    monthly = new_meeting(lab, days=5)
    panel = new_meeting(lab, days=6, kind="panel", title="Panel: engineers who mentor")

    response = login(member_a).get(url("list", monthly) + "?kind=panel")

    assert list(response.context["upcoming"]) == [panel]
    assert response.context["kind"] == "panel"
    unknown = login(member_a).get(url("list", monthly) + "?kind=party")
    assert list(unknown.context["upcoming"]) == [monthly, panel]


def test_the_list_pages_through_past_meetings(login, lab, member_a):
    for n in range(25):
        new_meeting(lab, days=-(n + 1), title=f"Past meeting {n}")

    first = login(member_a).get(reverse("meetings:list", args=[lab.slug]))
    second = login(member_a).get(reverse("meetings:list", args=[lab.slug]) + "?page=2")

    assert [m.title for m in first.context["past"]][:2] == ["Past meeting 0", "Past meeting 1"]
    assert len(first.context["past"]) == 20
    assert len(second.context["past"]) == 5
    assert "page=2" in text(first)


def test_the_list_offers_facilitators_their_buttons_and_participants_none(
    login, lab, meeting, facilitator, member_a
):
    create, series = reverse("meetings:create", args=[lab.slug]), url("series", meeting)

    mine = text(login(facilitator).get(url("list", meeting)))
    assert create in mine
    assert series in mine
    theirs = text(login(member_a).get(url("list", meeting)))
    assert create not in theirs
    assert series not in theirs


def test_cancelled_meetings_are_marked_in_the_list(login, lab, member_a):
    meeting = new_meeting(lab, days=5, status=MeetingStatus.CANCELLED)

    page = text(login(member_a).get(url("list", meeting)))

    assert "Cancelled</span>" in page
    assert f"<s>{meeting.title}</s>" in page


def test_the_lab_nav_has_a_meetings_tab(login, lab, member_a):
    page = text(login(member_a).get(reverse("labs:detail", args=[lab.slug])))

    assert f'href="{reverse("meetings:list", args=[lab.slug])}">Meetings</a>' in page


# --- The month view -----------------------------------------------------------------------------


def test_the_month_view_is_an_accessible_grid_with_each_meeting_on_its_day(login, lab, member_a):
    meeting = new_meeting(lab, days=10, title="Focus group")  # Mar 11, 2030, a Monday
    response = login(member_a).get(reverse("meetings:month", args=[lab.slug, 2030, 3]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Meetings in March 2030: 1. Times in America/Chicago.</caption>" in page
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">', page)
    assert headers == [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)
    assert len(cells) % 7 == 0
    [cell] = [c for c in cells if "Focus group" in c]
    assert "Monday, March </span>11" in cell
    assert "10:00 AM" in cell
    assert meeting.get_absolute_url() in cell
    assert reverse("meetings:month", args=[lab.slug, 2030, 2]) in page
    assert reverse("meetings:month", args=[lab.slug, 2030, 4]) in page
    assert 'aria-current="date"' in page  # today, March 1


def test_the_month_view_places_meetings_by_the_labs_local_date(login, lab, member_a):
    # 11:30 p.m. in Chicago on Mar 31 is already April 1 in UTC.
    starts = dt.datetime(2030, 3, 31, 23, 30, tzinfo=CHICAGO)
    Meeting.objects.create(
        lab=lab, title="Late one", starts_at=starts, ends_at=starts + dt.timedelta(minutes=20)
    )

    march = login(member_a).get(reverse("meetings:month", args=[lab.slug, 2030, 3]))
    april = login(member_a).get(reverse("meetings:month", args=[lab.slug, 2030, 4]))

    assert march.context["count"] == 1
    assert april.context["count"] == 0


def test_the_month_view_crosses_the_year(login, lab, member_a):
    response = login(member_a).get(reverse("meetings:month", args=[lab.slug, 2030, 12]))

    page = response.content.decode()
    assert reverse("meetings:month", args=[lab.slug, 2030, 11]) in page
    assert reverse("meetings:month", args=[lab.slug, 2031, 1]) in page


@pytest.mark.parametrize(("year", "month"), [(2030, 13), (2030, 0), (10000, 1)])
def test_the_month_view_refuses_impossible_months(login, lab, member_a, year, month):
    address = f"/labs/{lab.slug}/meetings/{year}/{month}/"

    assert login(member_a).get(address).status_code == 404


# --- Scheduling a meeting -----------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "kind": "monthly",
        "title": "Monthly meeting: Mentee experience",
        "topic": "Mentee experience",
        "description": "Bring one story from a mentee.",
        "date": "2030-03-12",
        "start_time": "10:00",
        "end_time": "11:30",
        "format": "hybrid",
        "location": "Harold Washington Library",
        "video_url": "https://meet.example.org/mll",
        "organization": "",
        "agenda-TOTAL_FORMS": "3",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
    }
    for n in range(3):
        data.update(
            {f"agenda-{n}-title": "", f"agenda-{n}-presenter": "", f"agenda-{n}-minutes": ""}
        )
    data.update(overrides)
    return data


def test_the_new_meeting_form_starts_from_the_labs_plan(login, lab, facilitator):
    lab.meeting_location = "Chicago Cultural Center"
    lab.save()

    response = login(facilitator).get(reverse("meetings:create", args=[lab.slug]))

    form = response.context["form"]
    assert form["start_time"].value() == dt.time(10, 0)
    assert form["end_time"].value() == dt.time(11, 30)
    assert form["location"].value() == "Chicago Cultural Center"
    assert len(response.context["agenda"].forms) == 3
    assert "America/Chicago" in text(response)


def test_scheduling_a_meeting_saves_it_in_the_labs_time_zone_and_emails_everyone(
    login, lab, facilitator, member_a, member_b, django_capture_on_commit_callbacks
):
    data = form_data(
        **{
            "agenda-0-title": "Welcome",
            "agenda-0-presenter": "Fran",
            "agenda-0-minutes": "10",
            "agenda-2-title": "Mentee stories",
            "agenda-2-minutes": "45",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(reverse("meetings:create", args=[lab.slug]), data)

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert meeting.starts_at == dt.datetime(2030, 3, 12, 10, 0, tzinfo=CHICAGO)
    assert meeting.ends_at == dt.datetime(2030, 3, 12, 11, 30, tzinfo=CHICAGO)
    # March 12, 2030 is daylight time: 10:00 CDT is 15:00 UTC.
    assert meeting.starts_at.astimezone(UTC).hour == 15
    assert meeting.created_by == facilitator
    assert meeting.sequence == 0
    assert list(meeting.agenda_items.values_list("position", "title", "presenter", "minutes")) == [
        (1, "Welcome", "Fran", 10),
        (2, "Mentee stories", "", 45),
    ]
    assert {m.to[0] for m in mail.outbox} == {facilitator.email, member_a.email, member_b.email}
    assert all(m.attachments[0][0].endswith(".ics") for m in mail.outbox)
    assert messages_of(response) == [
        "Scheduled “Monthly meeting: Mentee experience”. 3 attendees will be e-mailed an "
        "invitation with the calendar file."
    ]


def test_a_support_session_is_scheduled_with_one_organization_and_emails_only_it(
    login, lab, facilitator, org_a, member_a, member_b, django_capture_on_commit_callbacks
):
    data = form_data(kind="support", title="Support: budget", organization=str(org_a.pk))

    with django_capture_on_commit_callbacks(execute=True):
        login(facilitator).post(reverse("meetings:create", args=[lab.slug]), data)

    meeting = Meeting.objects.get()
    assert meeting.organization == org_a
    assert {m.to[0] for m in mail.outbox} == {facilitator.email, member_a.email}


def test_an_end_before_the_start_is_refused_beside_the_end_and_keeps_what_was_typed(
    login, lab, facilitator
):
    data = form_data(end_time="09:00", title="Typed title", description="Typed description")

    response = login(facilitator).post(reverse("meetings:create", args=[lab.slug]), data)

    assert response.status_code == 200
    assert not Meeting.objects.exists()
    block = field_block(response, "end_time")
    assert "The meeting must end after it starts." in block
    assert 'value="09:00"' in block
    assert "is-invalid" in block
    page = text(response)
    assert 'value="Typed title"' in page
    assert "Typed description" in page
    assert 'value="2030-03-12"' in page
    assert "Nothing you typed was lost." in page


def test_an_end_equal_to_the_start_is_refused(login, lab, facilitator):
    response = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]), form_data(end_time="10:00")
    )

    assert "The meeting must end after it starts." in field_block(response, "end_time")


def test_a_support_session_needs_an_organization(login, lab, facilitator, org_a):
    response = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]), form_data(kind="support")
    )

    assert not Meeting.objects.exists()
    block = field_block(response, "organization")
    assert "Choose the organization this support session is with." in block
    assert 'value="support" selected' in field_block(response, "kind")


def test_other_meetings_may_not_belong_to_an_organization(login, lab, facilitator, org_a):
    response = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]), form_data(organization=str(org_a.pk))
    )

    assert not Meeting.objects.exists()
    block = field_block(response, "organization")
    assert "Only 1:1 support sessions belong to one organization; leave this blank." in block
    assert f'value="{org_a.pk}" selected' in block


def test_only_the_labs_current_organizations_are_offered(
    login, lab, facilitator, org_a, org_b, org_c
):
    withdrawn = OrganizationFactory(name="Gone Mentors")
    ParticipationFactory(lab=lab, organization=withdrawn, status="withdrawn")

    response = login(facilitator).get(reverse("meetings:create", args=[lab.slug]))
    choices = list(response.context["form"].fields["organization"].queryset)
    assert choices == [org_b, org_a]  # by name

    refused = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]),
        form_data(kind="support", organization=str(org_c.pk)),
    )
    assert "Select a valid choice" in field_block(refused, "organization")
    assert not Meeting.objects.exists()


def test_a_bad_agenda_row_is_refused_beside_it(login, lab, facilitator):
    data = form_data(**{"agenda-0-presenter": "Fran", "agenda-0-minutes": "0"})

    response = login(facilitator).post(reverse("meetings:create", args=[lab.slug]), data)

    assert not Meeting.objects.exists()
    assert "This field is required." in field_block(response, "agenda-0-title")
    assert "greater than or equal to 1" in field_block(response, "agenda-0-minutes")
    assert 'value="Fran"' in field_block(response, "agenda-0-presenter")


def test_a_bad_video_link_is_refused_beside_it(login, lab, facilitator):
    response = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]), form_data(video_url="not a link")
    )

    assert "Enter a valid URL." in field_block(response, "video_url")
    assert 'value="not a link"' in field_block(response, "video_url")


def test_the_form_can_start_on_a_given_day_and_kind(login, lab, facilitator):
    address = reverse("meetings:create", args=[lab.slug]) + "?date=2030-04-02&kind=focus_group"

    form = login(facilitator).get(address).context["form"]

    assert form["date"].value() == dt.date(2030, 4, 2)
    assert form["kind"].value() == "focus_group"
    broken = login(facilitator).get(
        reverse("meetings:create", args=[lab.slug]) + "?date=2030-02-31"
    )
    assert broken.status_code == 200


# --- Editing ----------------------------------------------------------------------------------


def edit_data(meeting: Meeting, **overrides) -> dict:
    local_start = meeting.starts_at.astimezone(meeting.lab.tz)
    local_end = meeting.ends_at.astimezone(meeting.lab.tz)
    items = list(meeting.agenda_items.all())
    data = form_data(
        kind=meeting.kind,
        title=meeting.title,
        topic=meeting.topic,
        description=meeting.description,
        date=local_start.date().isoformat(),
        start_time=f"{local_start:%H:%M}",
        end_time=f"{local_end:%H:%M}",
        format=meeting.format,
        location=meeting.location,
        video_url=meeting.video_url,
        organization=str(meeting.organization_id or ""),
        **{"agenda-TOTAL_FORMS": str(len(items) + 3), "agenda-INITIAL_FORMS": str(len(items))},
    )
    for n, item in enumerate(items):
        data.update(
            {
                f"agenda-{n}-id": str(item.pk),
                f"agenda-{n}-title": item.title,
                f"agenda-{n}-presenter": item.presenter,
                f"agenda-{n}-minutes": str(item.minutes or ""),
            }
        )
    for n in range(len(items), len(items) + 3):
        data.update(
            {f"agenda-{n}-title": "", f"agenda-{n}-presenter": "", f"agenda-{n}-minutes": ""}
        )
    data.update(overrides)
    return data


def test_the_edit_form_shows_the_meeting_in_the_labs_time_zone(login, facilitator, meeting):
    form = login(facilitator).get(url("edit", meeting)).context["form"]

    assert form["date"].value() == meeting.starts_at.astimezone(CHICAGO).date()
    assert form["start_time"].value() == dt.time(10, 0)
    assert form["end_time"].value() == dt.time(11, 30)


def test_moving_a_meeting_raises_its_sequence_and_emails_the_update(
    login, facilitator, member_a, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(
            url("edit", meeting), edit_data(meeting, start_time="11:00", end_time="12:30")
        )

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.starts_at.astimezone(CHICAGO).time() == dt.time(11, 0)
    assert meeting.sequence == 1
    assert member_a.email in {m.to[0] for m in mail.outbox}
    assert messages_of(response) == [
        f"Saved “{meeting.title}”. Attendees will be e-mailed the updated calendar file."
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Monthly meeting: Mentors"},
        {"location": "Chicago Cultural Center"},
        {"video_url": "https://meet.example.org/other"},
        {"description": "New details"},
        {"format": "virtual"},
        {"date": "2030-03-20"},
        {"end_time": "12:00"},
    ],
)
def test_every_calendar_visible_change_raises_the_sequence(login, facilitator, meeting, change):
    login(facilitator).post(url("edit", meeting), edit_data(meeting, **change))

    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_changes_the_calendar_doesnt_show_leave_the_sequence_and_send_nothing(
    login, facilitator, member_a, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(
            url("edit", meeting), edit_data(meeting, kind="workshop")
        )

    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.WORKSHOP
    assert meeting.sequence == 0
    assert mail.outbox == []
    assert messages_of(response) == [
        f"Saved “{meeting.title}”. Nothing in the calendar entry changed, so no one was e-mailed."
    ]


def test_agenda_items_are_saved_in_the_order_shown(login, facilitator, meeting):
    data = edit_data(
        meeting,
        **{
            "agenda-0-title": "Welcome and introductions",
            "agenda-1-title": "Recruiting stories",
            "agenda-1-presenter": "Ana",
            "agenda-1-minutes": "30",
            "agenda-3-title": "Wrap-up",
        },
    )

    login(facilitator).post(url("edit", meeting), data)

    assert list(meeting.agenda_items.values_list("position", "title", "presenter", "minutes")) == [
        (1, "Welcome and introductions", "Fran", None),
        (2, "Recruiting stories", "Ana", 30),
        (3, "Wrap-up", "", None),
    ]


def test_saving_an_unchanged_meeting_changes_nothing(login, facilitator, meeting):
    login(facilitator).post(url("edit", meeting), edit_data(meeting))

    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_agenda_items_can_be_removed(login, facilitator, meeting):
    AgendaItem.objects.create(meeting=meeting, position=2, title="Wrap-up")

    login(facilitator).post(url("edit", meeting), edit_data(meeting, **{"agenda-0-DELETE": "on"}))

    assert list(meeting.agenda_items.values_list("position", "title")) == [(1, "Wrap-up")]


def test_an_invalid_edit_keeps_the_meeting_and_what_was_typed(login, facilitator, meeting):
    response = login(facilitator).post(
        url("edit", meeting), edit_data(meeting, title="New title", end_time="08:00")
    )

    assert response.status_code == 200
    assert "The meeting must end after it starts." in field_block(response, "end_time")
    assert 'value="New title"' in field_block(response, "title")
    meeting.refresh_from_db()
    assert meeting.title == "Monthly meeting: Mentor recruitment"
    assert meeting.starts_at.astimezone(CHICAGO).time() == dt.time(10, 0)


def test_a_cancelled_meeting_cannot_be_edited(login, facilitator, meeting):
    services.meeting_cancel(meeting=meeting)

    got = login(facilitator).get(url("edit", meeting))
    posted = login(facilitator).post(url("edit", meeting), edit_data(meeting, title="Revived"))

    for response in (got, posted):
        assert response.status_code == 302
        assert response.url == meeting.get_absolute_url()
        assert "This meeting is cancelled; it can't be changed." in messages_of(response)
    meeting.refresh_from_db()
    assert meeting.title == "Monthly meeting: Mentor recruitment"


def test_a_support_sessions_organization_can_be_kept_after_it_withdrew(
    login, lab, facilitator, org_a, support_a
):
    lab.participations.filter(organization=org_a).update(status="withdrawn")

    response = login(facilitator).post(
        url("edit", support_a), edit_data(support_a, title="Support: wrap-up")
    )

    assert response.status_code == 302
    support_a.refresh_from_db()
    assert support_a.title == "Support: wrap-up"


# --- Cancelling -------------------------------------------------------------------------------


def test_the_cancel_page_asks_first(login, facilitator, meeting):
    response = login(facilitator).get(url("cancel", meeting))

    assert "Cancel the meeting</button>" in text(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_cancelling_emails_attendees_and_marks_the_page(
    login, facilitator, member_a, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(url("cancel", meeting))

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.sequence == 1
    assert meeting.cancelled_by == facilitator
    assert response.url == meeting.get_absolute_url()
    notice = next(m for m in mail.outbox if m.to == [member_a.email])
    assert "METHOD:CANCEL" in str(notice.attachments[0][1])
    page = text(login(member_a).get(meeting.get_absolute_url()))
    assert 'id="cancelled-banner"' in page
    assert "Cancelled</strong>" in page
    assert f"by {facilitator.display_name}" in page


def test_cancelling_twice_says_so(login, facilitator, meeting):
    services.meeting_cancel(meeting=meeting)

    response = login(facilitator).post(url("cancel", meeting))

    assert messages_of(response) == ["This meeting is already cancelled."]
    meeting.refresh_from_db()
    assert meeting.sequence == 1


# --- The meeting page -------------------------------------------------------------------------


def test_the_meeting_page_has_everything(login, facilitator, member_a, meeting):
    meeting.shared_notes = "We agreed to share recruiting scripts."
    meeting.facilitator_notes = "Org B seemed stretched thin."
    meeting.save()

    response = login(member_a).get(url("detail", meeting))

    page = text(response)
    assert "<h1" in page and page.count("<h1") == 1
    assert "Monthly meeting: Mentor recruitment" in page
    assert "Monthly meeting</span>" in page
    assert "10:00 AM" in page
    assert "(America/Chicago)" in page
    assert "Hybrid" in page
    assert "Harold Washington Library, Room 4" in page
    assert 'href="https://meet.example.org/mll"' in page
    assert reverse("meetings:ics", args=[meeting.lab.slug, meeting.pk]) in page
    assert "Welcome" in page and "Fran" in page
    assert "We agreed to share recruiting scripts." in page
    assert "Org B seemed stretched thin." not in page
    assert 'id="discussion-heading"' in page
    assert reverse("meetings:edit", args=[meeting.lab.slug, meeting.pk]) not in page


def test_facilitators_see_the_private_notes_marked_private(login, facilitator, meeting):
    meeting.facilitator_notes = "Org B seemed stretched thin."
    meeting.save()

    page = text(login(facilitator).get(url("detail", meeting)))

    private = page[page.index('id="private-notes"') :]
    assert "Private</span>" in private
    assert "only facilitators see these" in private
    assert "Org B seemed stretched thin." in private
    assert reverse("meetings:edit", args=[meeting.lab.slug, meeting.pk]) in page
    assert 'id="attendance-heading"' in page


def test_the_meeting_page_adds_the_viewers_own_time_zone(login, member_a, meeting):
    member_a.time_zone = "Europe/Berlin"
    member_a.save()

    page = text(login(member_a).get(url("detail", meeting)))

    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert "Your time:" in page
    assert f"{local:%-I:%M %p}" in page
    assert "(Europe/Berlin)" in page


def test_the_meeting_page_leaves_out_the_viewers_zone_when_it_is_the_labs(login, member_a, meeting):
    assert "Your time:" not in text(login(member_a).get(url("detail", meeting)))


# --- Notes ------------------------------------------------------------------------------------


def test_facilitators_write_the_notes_and_the_cohort_reads_the_shared_ones(
    login, facilitator, member_b, meeting
):
    response = login(facilitator).post(
        url("notes", meeting),
        {"shared_notes": "Takeaway: pair new mentors.", "facilitator_notes": "Follow up with B."},
    )

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.shared_notes == "Takeaway: pair new mentors."
    assert meeting.facilitator_notes == "Follow up with B."
    assert meeting.sequence == 0
    page = text(login(member_b).get(url("detail", meeting)))
    assert "Takeaway: pair new mentors." in page
    assert "Follow up with B." not in page


def test_the_notes_form_marks_the_private_notes(login, facilitator, meeting):
    page = text(login(facilitator).get(url("notes", meeting)))

    assert "Private</span> Not shared with participants." in page
    assert "Private facilitator notes" in page


# --- The dashboard panel ------------------------------------------------------------------------


def test_the_dashboard_shows_the_next_meeting_and_two_after_it(login, lab, member_a):
    titles = [f"Meeting {n}" for n in range(5)]
    for n, title in enumerate(titles):
        new_meeting(lab, days=n + 2, title=title)
    new_meeting(lab, days=1, title="Cancelled one", status=MeetingStatus.CANCELLED)
    new_meeting(lab, days=-3, title="Old one")

    page = text(login(member_a).get(reverse("labs:detail", args=[lab.slug])))

    panel = page[page.index('id="next-meeting-heading"') :]
    assert "Meeting 0" in panel and "Meeting 1" in panel and "Meeting 2" in panel
    assert "Meeting 3" not in panel
    assert "Cancelled one" not in panel
    assert "Old one" not in panel
    assert reverse("meetings:lab_attendance", args=[lab.slug]) not in page


def test_the_dashboard_gives_facilitators_the_attendance_overview(login, lab, facilitator, meeting):
    page = text(login(facilitator).get(reverse("labs:detail", args=[lab.slug])))

    assert reverse("meetings:lab_attendance", args=[lab.slug]) in page
    assert meeting.title in page


def test_the_dashboard_says_when_nothing_is_scheduled(login, lab, facilitator):
    page = text(login(facilitator).get(reverse("labs:detail", args=[lab.slug])))

    assert "No meetings scheduled yet." in page
    assert reverse("meetings:series", args=[lab.slug]) in page


# --- Query counts stay flat as meetings grow -----------------------------------------------------


def grow(lab, org_a, org_b, n: int) -> Meeting:
    """n upcoming and n past meetings, each with agenda items, posts and attendance."""
    people = [MembershipFactory(organization=org).user for org in (org_a, org_b)]
    last = None
    for i in range(n):
        for days in (i + 1, -(i + 1)):
            m = new_meeting(lab, days=days, title=f"Meeting {days}")
            for p in range(3):
                AgendaItem.objects.create(meeting=m, position=p, title=f"Item {p}", presenter="X")
            for person, org in zip(people, (org_a, org_b), strict=True):
                Post.objects.create(meeting=m, author=person, body="A takeaway")
                Attendance.objects.create(
                    meeting=m, user=person, organization=org, status=AttendanceStatus.REMOTE
                )
            last = m
    new_meeting(lab, days=2, kind="support", organization=org_a, title="Support A")
    return last


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
@pytest.mark.parametrize("page", ["list", "month", "dashboard"])
def test_calendar_pages_keep_a_fixed_number_of_queries_as_meetings_grow(
    request, login, lab, org_a, org_b, who, page, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(who))
    address = {
        "list": reverse("meetings:list", args=[lab.slug]),
        "month": reverse("meetings:month", args=[lab.slug, 2030, 3]),
        "dashboard": reverse("labs:detail", args=[lab.slug]),
    }[page]

    grow(lab, org_a, org_b, 1)
    client.get(address)  # warm up: the first request of a session costs a query more
    small = count_queries(client, address)
    grow(lab, org_a, org_b, 14)
    large = count_queries(client, address)

    assert large == small
    with django_assert_max_num_queries(20):
        client.get(address)


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
def test_the_meeting_page_keeps_a_fixed_number_of_queries_as_it_fills_up(
    request, login, lab, org_a, org_b, who, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(who))
    meeting = new_meeting(lab, days=-1, kind="focus_group", title="Focus group")
    address = url("detail", meeting)

    def fill(n: int) -> None:
        for _ in range(n):
            person = MembershipFactory(organization=org_a).user
            AgendaItem.objects.create(meeting=meeting, title="Item", presenter="P", minutes=5)
            Post.objects.create(meeting=meeting, author=person, body="A takeaway")
            Attendance.objects.create(
                meeting=meeting, user=person, organization=org_a, status=AttendanceStatus.IN_PERSON
            )
            services.guest_invite(
                guest=Guest(meeting=meeting, name="G", email=f"{person.email}.guest"),
                invited_by=lab.facilitators.first(),
            )

    fill(1)
    client.get(address)
    small = count_queries(client, address)
    fill(15)
    large = count_queries(client, address)

    assert large == small
    with django_assert_max_num_queries(25):
        client.get(address)


# --- Admin ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["meeting", "guest", "attendance", "post", "reminder", "calendarfeed"]
)
def test_the_admin_lists_each_meetings_model(login, admin_user, meeting, model):
    response = login(admin_user).get(reverse(f"admin:meetings_{model}_changelist"))

    assert response.status_code == 200


def test_the_admin_edits_a_meeting_with_its_agenda_and_keeps_reminders_read_only(
    login, admin_user, meeting
):
    client = login(admin_user)

    page = text(client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])))

    assert "Welcome" in page  # the agenda inline
    assert client.get(reverse("admin:meetings_reminder_add")).status_code == 403


# --- Who a meeting is for stays fixed once people were invited -------------------------------


def test_a_meeting_with_guests_cannot_become_a_private_support_session(
    login, facilitator, lab, org_a
):
    focus = new_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group")
    Guest.objects.create(meeting=focus, name="Gia", email="gia@mentor.example", token_hash="x")

    response = login(facilitator).post(
        url("edit", focus), form_data(kind="support", organization=org_a.pk)
    )

    assert response.status_code == 200
    assert "can't become a cohort meeting" in field_block(response, "kind")
    focus.refresh_from_db()
    assert focus.kind == MeetingKind.FOCUS_GROUP


def test_a_guest_list_blocks_a_change_to_a_kind_without_guests(login, facilitator, lab):
    focus = new_meeting(lab, kind=MeetingKind.FOCUS_GROUP, title="Focus group")
    Guest.objects.create(meeting=focus, name="Gia", email="gia@mentor.example", token_hash="x")

    response = login(facilitator).post(url("edit", focus), form_data(kind="monthly"))

    assert "remove them before changing its kind" in field_block(response, "kind")


def test_a_support_session_stays_with_its_organization(login, facilitator, support_a, org_b):
    response = login(facilitator).post(
        url("edit", support_a), form_data(kind="support", organization=org_b.pk)
    )

    assert "stays with its organization" in field_block(response, "organization")


def test_a_date_far_outside_the_calendar_is_refused_beside_the_field(login, facilitator, lab):
    response = login(facilitator).post(
        reverse("meetings:create", args=[lab.slug]), form_data(date="9999-12-31")
    )

    assert response.status_code == 200
    assert "between 2000 and 2100" in field_block(response, "date")
    assert not Meeting.objects.exists()


def test_an_edit_from_a_stale_copy_cannot_undo_a_cancellation(meeting):
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_cancel(meeting=meeting)

    stale.title = "Renamed"
    with pytest.raises(services.MeetingError):
        services.meeting_update(meeting=stale, changed=["title"])

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.title != "Renamed"


def test_a_withdrawn_organization_is_no_longer_invited_to_its_support_sessions(
    support_a, org_a, member_a, facilitator
):
    participation = org_a.participations.get(lab=support_a.lab)
    participation_withdraw(participation=participation, user=facilitator, reason="Left")

    assert member_a not in services.meeting_attendees(support_a)
    assert facilitator in services.meeting_attendees(support_a)
