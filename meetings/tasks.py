"""Meeting e-mails with calendar files attached, sent from Celery after the change commits.

Each task takes ids and calls one function here; a meeting that changed again, or was
cancelled, before its task ran is read fresh, so nobody gets stale details.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse

# services imports this module to queue tasks: import the module, not its names.
from meetings import services
from meetings.calendar import meeting_calendar, meeting_filename, with_calendar_details
from meetings.models import Guest, GuestResponse, Meeting, MeetingStatus
from mll.emails import send_templated_email

NOTICE_KINDS = ("invitation", "update", "cancellation")


@shared_task
def send_meeting_notice(meeting_id: int, kind: str) -> int:
    return meeting_notice_send(meeting_id=meeting_id, kind=kind)


@shared_task
def send_series_notice(meeting_ids: list[int]) -> int:
    return series_notice_send(meeting_ids=meeting_ids)


@shared_task
def send_guest_invitation(guest_id: int, token: str) -> int:
    return guest_invitation_send(guest_id=guest_id, token=token)


@shared_task
def send_meeting_reminders() -> int:
    # Imported here: the reminders module builds on services, which imports this module.
    from meetings.reminders import reminders_send_due

    return reminders_send_due()


def meeting_notice_send(*, meeting_id: int, kind: str) -> int:
    """E-mail everyone invited (attendees, and guests who haven't declined) the meeting with
    its calendar file: REQUEST for an invitation or an update, CANCEL for a cancellation.
    Returns the number of e-mails sent."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"Unknown meeting notice {kind!r}")
    meeting = with_calendar_details(Meeting.objects.filter(pk=meeting_id)).first()
    # Gone, or cancelled since: the cancellation notice is the one that counts.
    if meeting is None or meeting.is_cancelled != (kind == "cancellation"):
        return 0
    method = "CANCEL" if kind == "cancellation" else "REQUEST"
    recipients = [(u.display_name, u.email, False) for u in services.meeting_attendees(meeting)]
    if meeting.takes_guests:  # never a private session's details to outside contacts
        guests = meeting.guests.exclude(response=GuestResponse.NO)
        recipients += [(g.name, g.email, True) for g in guests]
    sent, seen = 0, set()
    for name, email, is_guest in recipients:
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        ics = meeting_calendar(
            [meeting], method=method, attendee=(name, email), page_links=not is_guest
        )
        context = {
            "kind": kind,
            "meeting": meeting,
            "lab": meeting.lab,
            "recipient_name": name,
            "is_guest": is_guest,
        }
        _send("meetings/email/notice", context, email, meeting_filename(meeting), ics, method)
        sent += 1
    return sent


def series_notice_send(*, meeting_ids: list[int]) -> int:
    """One e-mail per attendee listing the planned series, with one calendar file holding
    every meeting of it. PUBLISH, not REQUEST: an iTIP request carries one UID only."""
    meetings = list(
        with_calendar_details(
            Meeting.objects.filter(pk__in=meeting_ids, status=MeetingStatus.SCHEDULED)
        ).order_by("starts_at", "pk")
    )
    if not meetings:
        return 0
    lab = meetings[0].lab
    ics = meeting_calendar(meetings, method="PUBLISH")
    filename = f"{lab.slug}-monthly-meetings.ics"
    sent = 0
    # A series is the lab's monthly meetings: everyone invited to one is invited to all.
    for person in services.meeting_attendees(meetings[0]):
        context = {"lab": lab, "meetings": meetings, "recipient_name": person.display_name}
        _send("meetings/email/series", context, person.email, filename, ics, "PUBLISH")
        sent += 1
    return sent


def guest_invitation_send(*, guest_id: int, token: str) -> int:
    """The guest's invitation: the meeting, its calendar file and their private link to
    answer yes or no."""
    guest = Guest.objects.select_related("meeting__lab").filter(pk=guest_id).first()
    if guest is None or guest.meeting.is_cancelled:
        return 0
    meeting = guest.meeting
    ics = meeting_calendar(
        [meeting], method="REQUEST", attendee=(guest.name, guest.email), page_links=False
    )
    context = {
        "guest": guest,
        "meeting": meeting,
        "lab": meeting.lab,
        "rsvp_url": settings.SITE_URL + reverse("meetings:rsvp", args=[token]),
    }
    _send(
        "meetings/email/guest_invitation",
        context,
        guest.email,
        meeting_filename(meeting),
        ics,
        "REQUEST",
    )
    return 1


@shared_task
def send_guest_removal(meeting_id: int, name: str, email: str) -> int:
    return guest_removal_send(meeting_id=meeting_id, name=name, email=email)


def guest_removal_send(*, meeting_id: int, name: str, email: str) -> int:
    """Tell a guest taken off the list, with a cancelling calendar file for their copy."""
    meeting = Meeting.objects.select_related("lab").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    ics = meeting_calendar([meeting], method="CANCEL", attendee=(name, email), page_links=False)
    context = {"name": name, "meeting": meeting, "lab": meeting.lab}
    _send("meetings/email/guest_removed", context, email, meeting_filename(meeting), ics, "CANCEL")
    return 1


def _send(template: str, context: dict, email: str, filename: str, ics: bytes, method: str):
    # One message per person: attendees and outside guests never see each other's addresses.
    # The method parameter on the MIME type is what makes mail apps show an invitation.
    send_templated_email(
        template,
        context,
        [email],
        attachments=[(filename, ics, f"text/calendar; method={method}")],
    )
