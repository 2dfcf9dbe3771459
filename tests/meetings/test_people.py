"""The people side of meetings: who may open what, attendance and its rates, guests and their
private RSVP link, the discussion, attachments checked by content, and query counts that stay
flat as meetings, posts, guests and files pile up."""

import datetime as dt
import html as html_lib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    AttendanceStatus,
    Guest,
    GuestResponse,
    GuestRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Post,
)
from meetings.views_people import detail_context
from mll.tokens import hash_token
from participants.models import MembershipRole
from tests.factories import MembershipFactory, OrganizationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
OFFICE_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def office_file(kind: str) -> bytes:
    """The smallest Office Open XML package that says what it is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/main.xml" ContentType="{OFFICE_MAIN[kind]}"/>'
            "</Types>",
        )
        package.writestr("main.xml", "<root/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "not an office file")
    return buffer.getvalue()


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def error_beside(response, field: str) -> str:
    """The error crispy renders right under a field, tied to it by id."""
    match = re.search(
        rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|p|div)>', text(response), re.S
    )
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def make_meeting(lab, *, kind=MeetingKind.MONTHLY, days=-2, **fields) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    fields.setdefault("title", f"{MeetingKind(kind).label} on day {days}")
    return Meeting.objects.create(
        lab=lab, kind=kind, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **fields
    )


def make_guest(meeting, *, email="gia@mentor.example", name="Gia Guest", token=None, **fields):
    token = token or f"token-for-{email}"
    guest = Guest.objects.create(
        meeting=meeting, name=name, email=email, token_hash=hash_token(token), **fields
    )
    return guest, token


def make_attachment(meeting, *, name="handout.pdf", content=PDF) -> Attachment:
    attachment = Attachment(
        meeting=meeting, name=name, content_type="application/pdf", size=len(content)
    )
    attachment.file.save(name, ContentFile(content), save=True)
    return attachment


@pytest.fixture
def monthly(lab, org_a, org_b):
    return make_meeting(lab, title="Monthly meeting: Mentor recruitment")


@pytest.fixture
def focus_group(lab, org_a, org_b):
    return make_meeting(
        lab,
        kind=MeetingKind.FOCUS_GROUP,
        days=7,
        title="Focus group: what mentees need",
        location="Chicago Public Library, Room 4",
        video_url="https://meet.example/focus",
    )


@pytest.fixture
def support_a(lab, org_a, org_b):
    return make_meeting(
        lab, kind=MeetingKind.SUPPORT, organization=org_a, title="1:1 support: Out in Tech"
    )


@pytest.fixture
def colleague_a(org_a):
    return MembershipFactory(
        organization=org_a, role=MembershipRole.MEMBER, user__email="cal@orga.example"
    ).user


def as_(client, request, who: str):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


def assert_answer(response, expected: int | str) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


CAST = ["facilitator", "admin_user", "member_a", "member_b", "facilitator2", "outsider"]
FACILITATORS_ONLY = {
    "facilitator": 200,
    "admin_user": 200,
    "member_a": 404,
    "member_b": 404,
    "facilitator2": 404,
    "outsider": 404,
    "anonymous": "login",
}
ANYONE_IN_THE_COHORT = {**FACILITATORS_ONLY, "member_a": 200, "member_b": 200}


def redirected(matrix: dict) -> dict:
    """The same matrix for a POST: success redirects back to the meeting."""
    return {who: 302 if answer == 200 else answer for who, answer in matrix.items()}


# --- Who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("who,expected", FACILITATORS_ONLY.items())
def test_attendance_form_is_for_facilitators(client, request, monthly, who, expected):
    url = reverse("meetings:attendance", args=[monthly.lab.slug, monthly.pk])
    assert_answer(as_(client, request, who).get(url), expected)


@pytest.mark.parametrize("who,expected", FACILITATORS_ONLY.items())
def test_lab_attendance_is_for_facilitators(client, request, lab, org_a, org_b, who, expected):
    url = reverse("meetings:lab_attendance", args=[lab.slug])
    assert_answer(as_(client, request, who).get(url), expected)


@pytest.mark.parametrize("who,expected", FACILITATORS_ONLY.items())
def test_guest_form_is_for_facilitators(client, request, focus_group, who, expected):
    url = reverse("meetings:guest_add", args=[focus_group.lab.slug, focus_group.pk])
    assert_answer(as_(client, request, who).get(url), expected)


@pytest.mark.parametrize("who,expected", redirected(FACILITATORS_ONLY).items())
def test_removing_a_guest_is_for_facilitators(client, request, focus_group, who, expected):
    guest, _ = make_guest(focus_group)
    url = reverse("meetings:guest_remove", args=[focus_group.lab.slug, focus_group.pk, guest.pk])
    assert_answer(as_(client, request, who).post(url), expected)
    assert Guest.objects.filter(pk=guest.pk).exists() == (expected != 302)


def test_removing_a_guest_needs_a_post(login, facilitator, focus_group):
    guest, _ = make_guest(focus_group)
    url = reverse("meetings:guest_remove", args=[focus_group.lab.slug, focus_group.pk, guest.pk])
    assert login(facilitator).get(url).status_code == 405


def test_a_guest_of_another_meeting_is_not_found(login, facilitator, focus_group, lab):
    other = make_meeting(lab, kind=MeetingKind.PANEL, days=3)
    guest, _ = make_guest(other)
    url = reverse("meetings:guest_remove", args=[lab.slug, focus_group.pk, guest.pk])
    assert login(facilitator).post(url).status_code == 404
    assert Guest.objects.filter(pk=guest.pk).exists()


@pytest.mark.parametrize("who,expected", FACILITATORS_ONLY.items())
def test_uploading_is_for_facilitators(client, request, monthly, who, expected):
    url = reverse("meetings:attachment_upload", args=[monthly.lab.slug, monthly.pk])
    assert_answer(as_(client, request, who).get(url), expected)


@pytest.mark.parametrize("who,expected", redirected(FACILITATORS_ONLY).items())
def test_removing_a_file_is_for_facilitators(client, request, monthly, who, expected):
    attachment = make_attachment(monthly)
    url = reverse("meetings:attachment_delete", args=[monthly.lab.slug, monthly.pk, attachment.pk])
    assert_answer(as_(client, request, who).post(url), expected)
    assert Attachment.objects.filter(pk=attachment.pk).exists() == (expected != 302)


@pytest.mark.parametrize("who,expected", redirected(ANYONE_IN_THE_COHORT).items())
def test_the_cohort_posts_to_the_discussion(client, request, monthly, who, expected):
    url = reverse("meetings:post_create", args=[monthly.lab.slug, monthly.pk])
    response = as_(client, request, who).post(url, {"body": "Pair new mentors with a buddy."})
    assert_answer(response, expected)
    assert Post.objects.filter(meeting=monthly).exists() == (expected == 302)


@pytest.mark.parametrize(
    "who,expected", redirected({**ANYONE_IN_THE_COHORT, "member_b": 404}).items()
)
def test_only_its_organization_posts_on_a_support_session(
    client, request, support_a, who, expected
):
    url = reverse("meetings:post_create", args=[support_a.lab.slug, support_a.pk])
    response = as_(client, request, who).post(url, {"body": "Thanks for the budget tips."})
    assert_answer(response, expected)


@pytest.mark.parametrize("who,expected", ANYONE_IN_THE_COHORT.items())
def test_the_cohort_downloads_attachments(client, request, monthly, who, expected):
    attachment = make_attachment(monthly)
    url = reverse(
        "meetings:attachment_download", args=[monthly.lab.slug, monthly.pk, attachment.pk]
    )
    assert_answer(as_(client, request, who).get(url), expected)


@pytest.mark.parametrize("who,expected", {**ANYONE_IN_THE_COHORT, "member_b": 404}.items())
def test_a_support_sessions_files_stay_with_its_organization(
    client, request, support_a, who, expected
):
    attachment = make_attachment(support_a, name="budget-review.pdf")
    url = reverse(
        "meetings:attachment_download", args=[support_a.lab.slug, support_a.pk, attachment.pk]
    )
    assert_answer(as_(client, request, who).get(url), expected)


def test_a_file_is_reached_only_through_its_meeting(login, member_a, monthly, support_a):
    attachment = make_attachment(support_a)
    url = reverse(
        "meetings:attachment_download", args=[monthly.lab.slug, monthly.pk, attachment.pk]
    )
    assert login(member_a).get(url).status_code == 404


def test_the_post_view_only_takes_posts(login, member_a, monthly):
    url = reverse("meetings:post_create", args=[monthly.lab.slug, monthly.pk])
    assert login(member_a).get(url).status_code == 405


# --- Attendance -----------------------------------------------------------------------------


def attendance_url(meeting) -> str:
    return reverse("meetings:attendance", args=[meeting.lab.slug, meeting.pk])


def field(user) -> str:
    return f"person_{user.pk}"


def test_the_attendance_form_lists_everyone_expected_by_organization(
    login, facilitator, monthly, member_a, colleague_a, member_b
):
    response = login(facilitator).get(attendance_url(monthly))
    page = text(response)
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", page)
    assert legends == ["Latinas Building Tech", "Out in Tech Chicago"]
    for person in (member_a, colleague_a, member_b):
        assert f'name="{field(person)}"' in page
    assert f'name="{field(facilitator)}"' not in page
    for value, label in [("", "Not recorded"), *AttendanceStatus.choices]:
        assert f'<option value="{value}"' in page
        assert label in page


def test_a_support_sessions_attendance_lists_only_its_organization(
    login, facilitator, support_a, member_a, member_b
):
    page = text(login(facilitator).get(attendance_url(support_a)))
    assert f'name="{field(member_a)}"' in page
    assert f'name="{field(member_b)}"' not in page


def test_attendance_is_saved_updated_and_cleared(
    login, facilitator, monthly, member_a, colleague_a, member_b, org_a
):
    client = login(facilitator)
    response = client.post(
        attendance_url(monthly),
        {field(member_a): "in_person", field(colleague_a): "remote", field(member_b): "excused"},
    )
    assert response.status_code == 302
    assert response.url == monthly.get_absolute_url() + "#attendance"
    recorded = {a.user_id: a for a in Attendance.objects.filter(meeting=monthly)}
    assert {uid: a.status for uid, a in recorded.items()} == {
        member_a.pk: "in_person",
        colleague_a.pk: "remote",
        member_b.pk: "excused",
    }
    assert recorded[member_a.pk].organization == org_a
    assert recorded[member_a.pk].recorded_by == facilitator

    page = text(client.get(attendance_url(monthly)))
    assert re.search(rf'name="{field(colleague_a)}".*?<option value="remote" selected', page, re.S)

    client.post(
        attendance_url(monthly),
        {field(member_a): "absent", field(colleague_a): "", field(member_b): "excused"},
    )
    statuses = dict(Attendance.objects.filter(meeting=monthly).values_list("user_id", "status"))
    assert statuses == {member_a.pk: "absent", member_b.pk: "excused"}


def test_attendance_ignores_people_who_are_not_expected(
    login, facilitator, monthly, member_a, outsider
):
    login(facilitator).post(
        attendance_url(monthly), {field(member_a): "remote", field(outsider): "in_person"}
    )
    assert list(Attendance.objects.values_list("user_id", flat=True)) == [member_a.pk]


def test_an_unknown_status_is_refused_beside_the_person(login, facilitator, monthly, member_a):
    response = login(facilitator).post(attendance_url(monthly), {field(member_a): "asleep"})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Attendance.objects.exists()


def test_a_cancelled_meetings_attendance_is_not_recorded(login, facilitator, monthly, member_a):
    Meeting.objects.filter(pk=monthly.pk).update(status=MeetingStatus.CANCELLED)
    response = login(facilitator).post(attendance_url(monthly), {field(member_a): "remote"})
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def record(meeting, user, status, org):
    Attendance.objects.create(meeting=meeting, user=user, status=status, organization=org)


def row_cells(page: str, label: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*>{re.escape(label)}</th>(.*?)</tr>", page, re.S)
    assert row, f"no row {label}"
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]


def test_rates_per_organization_and_lab_with_the_hybrid_split(
    login, facilitator, lab, org_a, org_b, member_a, colleague_a, member_b
):
    first, second = make_meeting(lab, days=-40), make_meeting(lab, days=-10)
    record(first, member_a, "in_person", org_a)
    record(first, colleague_a, "remote", org_a)
    record(second, member_a, "in_person", org_a)
    record(second, colleague_a, "absent", org_a)
    record(first, member_b, "remote", org_b)
    record(second, member_b, "excused", org_b)
    cancelled = make_meeting(lab, days=-5, status=MeetingStatus.CANCELLED)
    record(cancelled, member_b, "absent", org_b)  # a cancelled meeting doesn't count

    overall, per_org = services.attendance_rates(lab)
    assert (overall.recorded, overall.present, overall.rate) == (6, 4, 67)
    assert (overall.in_person_share, overall.remote_share) == (50, 50)
    rates = {r.label: r for r in per_org}
    assert (rates["Out in Tech Chicago"].rate, rates["Out in Tech Chicago"].in_person_share) == (
        75,
        67,
    )
    assert rates["Out in Tech Chicago"].remote_share == 33
    assert (rates["Latinas Building Tech"].rate, rates["Latinas Building Tech"].remote_share) == (
        50,
        100,
    )

    page = text(login(facilitator).get(reverse("meetings:lab_attendance", args=[lab.slug])))
    assert row_cells(page, "Out in Tech Chicago") == ["75%", "3 / 4", "67% (2)", "33% (1)"]
    assert row_cells(page, "Latinas Building Tech") == ["50%", "1 / 2", "0% (0)", "100% (1)"]
    assert row_cells(page, "The lab") == ["67%", "4 / 6", "50% (2)", "50% (2)"]


def test_the_matrix_shows_present_out_of_expected_per_meeting_and_organization(
    login, facilitator, lab, org_a, org_b, member_a, colleague_a, member_b
):
    held = make_meeting(lab, days=-3, title="Mentee experience")
    record(held, member_a, "in_person", org_a)
    record(held, colleague_a, "absent", org_a)
    support = make_meeting(
        lab, days=-2, kind=MeetingKind.SUPPORT, organization=org_a, title="Support for A"
    )
    record(support, member_a, "remote", org_a)
    make_meeting(lab, days=5, title="Not held yet")

    page = text(login(facilitator).get(reverse("meetings:lab_attendance", args=[lab.slug])))
    matrix = page[page.index("Recent meetings at a glance") :]
    assert re.findall(r'<th scope="col" class="text-center">(.*?)</th>', matrix) == [
        "Latinas Building Tech",
        "Out in Tech Chicago",
    ]
    held_row = matrix[matrix.index("Mentee experience") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-center">(.*?)</td>', held_row) == [
        '<span class="small text-muted">not recorded</span>',
        "1 / 2",
    ]
    support_row = matrix[matrix.index("Support for A") :].split("</tr>")[0]
    cells = re.findall(r'<td class="text-center">(.*?)</td>', support_row)
    assert "not invited" in cells[0]
    assert cells[1] == "1 / 2"
    assert "Not held yet" not in matrix


# --- Guests and their RSVP link -------------------------------------------------------------


def guest_add_url(meeting) -> str:
    return reverse("meetings:guest_add", args=[meeting.lab.slug, meeting.pk])


def test_inviting_a_guest_emails_their_private_rsvp_link(
    client, login, facilitator, focus_group, org_a, django_capture_on_commit_callbacks
):
    data = {"name": "Gia Guest", "email": "Gia@Mentor.Example", "role": "mentee"}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(
            guest_add_url(focus_group), {**data, "organization": org_a.pk}
        )
    assert response.status_code == 302
    assert response.url == focus_group.get_absolute_url() + "#guests"
    guest = Guest.objects.get(meeting=focus_group)
    assert (guest.email, guest.role, guest.organization) == ("gia@mentor.example", "mentee", org_a)
    assert guest.invited_by == facilitator

    (message,) = [m for m in mail.outbox if "gia@mentor.example" in m.to]
    body = message.body
    link = re.search(r"http://testserver(/meetings/rsvp/([^/\s]+)/)", body)
    assert link, body
    assert hash_token(link[2]) == guest.token_hash
    assert any(name.endswith(".ics") for name, *_ in message.attachments)

    client.logout()
    page = client.get(link[1])
    assert page.status_code == 200
    assert "Focus group: what mentees need" in text(page)


def test_a_guest_is_invited_once_per_meeting(login, facilitator, focus_group):
    make_guest(focus_group, email="gia@mentor.example")
    response = login(facilitator).post(
        guest_add_url(focus_group),
        {"name": "Gia Again", "email": "GIA@mentor.example", "role": "mentor"},
    )
    assert response.status_code == 200
    assert "already invited" in error_beside(response, "email")
    assert 'value="Gia Again"' in text(response)
    assert focus_group.guests.count() == 1


def test_a_monthly_meeting_takes_no_guests(login, facilitator, monthly):
    client = login(facilitator)
    assert "don't take outside guests" in text(client.get(guest_add_url(monthly)))
    response = client.post(
        guest_add_url(monthly), {"name": "Gia", "email": "gia@mentor.example", "role": "mentor"}
    )
    assert response.status_code == 200
    assert "Monthly meetings don't take outside guests." in text(response)
    assert not Guest.objects.exists()
    assert not [m for m in mail.outbox if "gia@mentor.example" in m.to]


def test_a_guest_form_without_a_name_keeps_the_email(login, facilitator, focus_group):
    response = login(facilitator).post(
        guest_add_url(focus_group), {"name": "", "email": "sam@stake.example", "role": "other"}
    )
    assert error_beside(response, "name")
    assert 'value="sam@stake.example"' in text(response)
    assert not Guest.objects.exists()


def test_a_guest_is_only_contact_of_a_participant_of_this_lab(
    login, facilitator, focus_group, org_c
):
    response = login(facilitator).post(
        guest_add_url(focus_group),
        {"name": "Gia", "email": "gia@mentor.example", "role": "mentor", "organization": org_c.pk},
    )
    assert "Select a valid choice" in error_beside(response, "organization")


def test_removing_a_guest_takes_them_off_the_list(login, facilitator, focus_group):
    guest, token = make_guest(focus_group)
    url = reverse("meetings:guest_remove", args=[focus_group.lab.slug, focus_group.pk, guest.pk])
    assert login(facilitator).post(url).status_code == 302
    assert not Guest.objects.exists()
    assert login(facilitator).get(reverse("meetings:rsvp", args=[token])).status_code == 404


def test_a_removed_guest_is_told_with_a_cancelling_calendar_file(
    login, facilitator, focus_group, django_capture_on_commit_callbacks
):
    guest, _ = make_guest(focus_group)
    mail.outbox.clear()
    url = reverse("meetings:guest_remove", args=[focus_group.lab.slug, focus_group.pk, guest.pk])

    with django_capture_on_commit_callbacks(execute=True):
        login(facilitator).post(url)

    [message] = mail.outbox
    assert message.to == [guest.email]
    assert focus_group.title in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{focus_group.uid}@mll"


def rsvp_url(token: str) -> str:
    return reverse("meetings:rsvp", args=[token])


@pytest.mark.parametrize("answer,stored", [("yes", GuestResponse.YES), ("no", GuestResponse.NO)])
def test_a_guest_answers_without_an_account(client, focus_group, answer, stored):
    guest, token = make_guest(focus_group)
    response = client.post(rsvp_url(token), {"answer": answer})
    assert response.status_code == 302
    assert response.url == rsvp_url(token)
    guest.refresh_from_db()
    assert guest.response == stored
    assert guest.responded_at is not None
    assert ("Coming" if answer == "yes" else "Not coming") in text(client.get(rsvp_url(token)))


def test_a_guest_can_change_their_answer(client, focus_group):
    guest, token = make_guest(focus_group)
    client.post(rsvp_url(token), {"answer": "yes"})
    client.post(rsvp_url(token), {"answer": "no"})
    guest.refresh_from_db()
    assert guest.response == GuestResponse.NO


def test_an_unknown_rsvp_link_is_not_found(client, focus_group):
    make_guest(focus_group, token="the-real-token")
    assert client.get(rsvp_url("a-guessed-token")).status_code == 404
    assert client.post(rsvp_url("a-guessed-token"), {"answer": "yes"}).status_code == 404


def test_the_rsvp_page_shows_only_what_the_guest_needs(
    client, focus_group, facilitator, member_a, org_a
):
    Meeting.objects.filter(pk=focus_group.pk).update(
        shared_notes="SHARED-NOTES-FOR-THE-COHORT",
        facilitator_notes="PRIVATE-FACILITATOR-NOTES",
        description="INTERNAL-DESCRIPTION",
    )
    AgendaItem.objects.create(
        meeting=focus_group, position=1, title="Welcome and introductions", presenter="Pat Host"
    )
    AgendaItem.objects.create(meeting=focus_group, position=2, title="What helped you most")
    _, token = make_guest(focus_group, organization=org_a, role=GuestRole.MENTEE)
    make_guest(focus_group, email="other@mentee.example", name="Otto Othergast")
    Post.objects.create(meeting=focus_group, author=member_a, body="A-PRIVATE-TAKEAWAY")
    make_attachment(focus_group, name="facilitator-plan.pdf")

    response = client.get(rsvp_url(token))
    page = text(response)
    assert response.status_code == 200
    for shown in (
        "Focus group: what mentees need",
        "Chicago Public Library, Room 4",
        "https://meet.example/focus",
        "Welcome and introductions",
        "What helped you most",
        "America/Chicago",
        "Yes, I'll come",
        "No, I can't come",
    ):
        assert shown in page
    for hidden in (
        "SHARED-NOTES-FOR-THE-COHORT",
        "PRIVATE-FACILITATOR-NOTES",
        "INTERNAL-DESCRIPTION",
        "Pat Host",
        "Otto Othergast",
        "other@mentee.example",
        "A-PRIVATE-TAKEAWAY",
        "facilitator-plan",
        facilitator.email,
        member_a.email,
        "Out in Tech Chicago",
        focus_group.lab.name,
        focus_group.get_absolute_url(),
    ):
        assert hidden not in page, hidden
    assert response["Cache-Control"] == "private, no-store"


def test_the_rsvp_token_opens_nothing_else(client, focus_group):
    _, token = make_guest(focus_group)
    client.get(rsvp_url(token))
    assert_answer(client.get(focus_group.get_absolute_url()), "login")


def test_a_cancelled_meeting_says_so_and_takes_no_answer(client, focus_group):
    guest, token = make_guest(focus_group)
    Meeting.objects.filter(pk=focus_group.pk).update(status=MeetingStatus.CANCELLED)
    page = text(client.get(rsvp_url(token)))
    assert "This meeting was cancelled" in page
    assert 'name="answer"' not in page
    client.post(rsvp_url(token), {"answer": "yes"})
    guest.refresh_from_db()
    assert guest.response == GuestResponse.PENDING


# --- The meeting page's sections ------------------------------------------------------------


def sections(meeting, user, manages: bool) -> str:
    request = RequestFactory().get(meeting.get_absolute_url())
    request.user = user
    context = detail_context(request, meeting, manages)
    return html_lib.unescape(
        "".join(
            render_to_string(f"meetings/_{name}_section.html", context, request=request)
            for name in ("attendance", "guests", "discussion", "attachments")
        )
    )


def test_participants_see_guests_names_and_roles_only(focus_group, member_a, facilitator):
    guest, _ = make_guest(focus_group, role=GuestRole.MENTOR)
    guest.response = GuestResponse.YES
    guest.save()
    seen_by_member = sections(focus_group, member_a, manages=False)
    assert "Gia Guest" in seen_by_member and "Mentor" in seen_by_member
    assert "gia@mentor.example" not in seen_by_member
    assert "Invite a guest" not in seen_by_member
    assert "Remove" not in seen_by_member
    seen_by_facilitator = sections(focus_group, facilitator, manages=True)
    assert "gia@mentor.example" in seen_by_facilitator
    assert "1 coming" in seen_by_facilitator
    assert "Invite a guest" in seen_by_facilitator


def test_attendance_summary_is_for_facilitators(
    monthly, facilitator, member_a, colleague_a, member_b, org_a
):
    record(monthly, member_a, "in_person", org_a)
    record(monthly, colleague_a, "remote", org_a)
    assert "Attendance" not in sections(monthly, member_a, manages=False)
    summary = re.sub(r"<[^>]+>|\s+", " ", sections(monthly, facilitator, manages=True))
    assert "2 of 3 expected present: 1 in person, 1 remotely" in re.sub(r"\s+", " ", summary)
    assert "1 not recorded" in summary


def test_a_post_shows_its_author_organization_and_time(login, member_a, monthly, facilitator, lab):
    client = login(member_a)
    response = client.post(
        reverse("meetings:post_create", args=[lab.slug, monthly.pk]),
        {"body": "  Ask mentees what they want from a mentor\nbefore matching.  "},
    )
    assert response.url == monthly.get_absolute_url() + "#discussion"
    post = Post.objects.get()
    assert post.author == member_a
    assert post.body == "Ask mentees what they want from a mentor\nbefore matching."
    Post.objects.create(meeting=monthly, author=facilitator, body="Great point.")

    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", sections(monthly, member_a, manages=False)))
    assert f"{member_a.display_name} · Out in Tech Chicago ·" in page
    assert f"{facilitator.display_name} · Facilitator ·" in page
    local = timezone.localtime(post.created_at, lab.tz)
    assert local.strftime("%b %-d, %Y") in page
    assert local.tzname() in page


def test_a_blank_post_is_refused_beside_the_field(login, member_a, monthly):
    response = login(member_a).post(
        reverse("meetings:post_create", args=[monthly.lab.slug, monthly.pk]), {"body": "   "}
    )
    assert response.status_code == 200
    assert error_beside(response, "body") == "Write something to post."
    assert not Post.objects.exists()


def test_a_too_long_post_is_refused_and_kept(login, member_a, monthly):
    body = "Our mentors want structure. " * 200
    response = login(member_a).post(
        reverse("meetings:post_create", args=[monthly.lab.slug, monthly.pk]), {"body": body}
    )
    assert "at most 5000 characters" in error_beside(response, "body")
    assert body.strip() in text(response)
    assert not Post.objects.exists()


def test_a_cancelled_meetings_discussion_is_closed(login, member_a, monthly):
    Meeting.objects.filter(pk=monthly.pk).update(status=MeetingStatus.CANCELLED)
    response = login(member_a).post(
        reverse("meetings:post_create", args=[monthly.lab.slug, monthly.pk]), {"body": "Hello"}
    )
    assert response.status_code == 302
    assert not Post.objects.exists()
    monthly.refresh_from_db()
    assert "discussion is closed" in sections(monthly, member_a, manages=False)


def test_the_meeting_page_shows_the_sections(login, member_a, monthly):
    Post.objects.create(meeting=monthly, author=member_a, body="Buddy systems work.")
    make_attachment(monthly, name="slides.pdf")
    page = text(login(member_a).get(monthly.get_absolute_url()))
    assert "Buddy systems work." in page
    assert "slides.pdf" in page


# --- Attachments ----------------------------------------------------------------------------


def upload(client, meeting, name: str, content: bytes):
    return client.post(
        reverse("meetings:attachment_upload", args=[meeting.lab.slug, meeting.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("Handout.PDF", PDF, "application/pdf"),
        ("room-photo.png", PNG, "image/png"),
        ("group.jpg", JPEG, "image/jpeg"),
        (
            "Agenda.docx",
            office_file("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "Deck.pptx",
            office_file("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            "Budget.xlsx",
            office_file("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_accepted_files_are_stored_under_random_names(
    login, facilitator, monthly, name, content, content_type
):
    response = upload(login(facilitator), monthly, name, content)
    assert response.status_code == 302
    assert response.url == monthly.get_absolute_url() + "#attachments"
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    assert attachment.uploaded_by == facilitator
    stored = attachment.file.name
    assert stored.startswith("meetings/")
    assert name.rsplit(".", 1)[0].lower() not in stored.lower()
    with attachment.file.open("rb") as f:
        assert f.read() == content


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("slides.pdf", PNG, "it is a PNG image"),
        ("notes.docx", b"Just some text pretending to be Word.", "isn't one we accept"),
        ("notes.docx", plain_zip(), "isn't one we accept"),
        ("deck.pptx", office_file("docx"), "it is a Word document"),
        ("script.pdf.exe", PDF, "Rename it to end in .pdf"),
        ("page.html", b"<html><script>alert(1)</script></html>", "isn't one we accept"),
    ],
)
def test_files_are_judged_by_content_not_name(login, facilitator, monthly, name, content, message):
    response = upload(login(facilitator), monthly, name, content)
    assert response.status_code == 200
    assert message in error_beside(response, "file")
    assert not Attachment.objects.exists()


def test_an_oversize_file_is_refused(login, facilitator, monthly, settings):
    settings.MLL_MAX_UPLOAD_BYTES = 1024
    response = upload(login(facilitator), monthly, "big.pdf", PDF + b"0" * 2048)
    assert "the limit is 1.0\xa0KB" in error_beside(response, "file")
    assert not Attachment.objects.exists()


def test_no_file_is_refused_with_a_message(login, facilitator, monthly):
    response = login(facilitator).post(
        reverse("meetings:attachment_upload", args=[monthly.lab.slug, monthly.pk])
    )
    assert error_beside(response, "file") == "Choose a file to upload."


def test_a_download_is_an_attachment_with_nosniff(login, member_b, monthly):
    attachment = make_attachment(monthly, name="Mentor Handbook.pdf")
    response = login(member_b).get(
        reverse("meetings:attachment_download", args=[monthly.lab.slug, monthly.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Mentor Handbook.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_removing_a_file_deletes_it_from_storage(
    login, facilitator, monthly, django_capture_on_commit_callbacks
):
    attachment = make_attachment(monthly)
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    url = reverse("meetings:attachment_delete", args=[monthly.lab.slug, monthly.pk, attachment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        login(facilitator).post(url)
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


# --- Query counts as data grows -------------------------------------------------------------


def add_history(lab, orgs_with_people, count: int):
    for _ in range(count):
        meeting = make_meeting(lab, days=-(Meeting.objects.count() + 1) * 30)
        for org, people in orgs_with_people:
            for person in people:
                record(meeting, person, "remote", org)


def grow_cohort(lab, count: int):
    """More organizations, each with two people."""
    grown = []
    for _ in range(count):
        org = OrganizationFactory()
        ParticipationFactory(lab=lab, organization=org)
        people = [MembershipFactory(organization=org).user for _ in range(2)]
        grown.append((org, people))
    return grown


def test_the_attendance_overview_keeps_its_queries_flat(
    login, facilitator, lab, org_a, member_a, django_assert_max_num_queries
):
    client = login(facilitator)
    url = reverse("meetings:lab_attendance", args=[lab.slug])
    cohort = [(org_a, [member_a])] + grow_cohort(lab, 1)
    add_history(lab, cohort, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    cohort += grow_cohort(lab, 3)
    add_history(lab, cohort, 12)
    make_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_a, days=-1)
    with django_assert_max_num_queries(len(few)):
        page = text(client.get(url))
    assert page.count("2 / 2") >= 12


def test_the_meeting_sections_keep_their_queries_flat(
    focus_group, facilitator, member_a, org_a, lab
):
    def grow(count: int):
        for org, people in grow_cohort(lab, count):
            for person in people:
                Post.objects.create(meeting=focus_group, author=person, body="Takeaway")
            make_guest(focus_group, email=f"guest{org.pk}@example.org", organization=org)
            make_attachment(focus_group, name=f"file-{org.pk}.pdf")
            record(focus_group, people[0], "in_person", org)

    Post.objects.create(meeting=focus_group, author=facilitator, body="Welcome")
    grow(1)
    for manages, user in ((True, facilitator), (False, member_a)):
        with CaptureQueriesContext(connection) as few:
            sections(focus_group, user, manages)
        grow(4)
        with CaptureQueriesContext(connection) as many:
            page = sections(focus_group, user, manages)
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
        assert page.count("Takeaway") >= 10
