"""The day-before meeting reminders: each invited person once per meeting and start time.

The state lives in `Reminder` rows, whose unique key (meeting, person, start time) is the claim:
whoever inserts the row sends the e-mail. So a missed beat run catches up, two workers or a
repeated dispatch never double-send, a moved meeting (new start time) gets new reminders and a
cancelled one gets none. A claim left unsent by a worker that died is taken over, once, after
`STALE_CLAIM`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from meetings.calendar import meeting_calendar, meeting_filename, meeting_page_url
from meetings.models import Guest, GuestResponse, Meeting, Reminder, ReminderState
from meetings.services import meeting_attendees
from mll.emails import send_templated_email

logger = logging.getLogger(__name__)

REMINDER_LEAD = dt.timedelta(hours=24)
# Longer than any single send takes: a claim this old and still unsent belongs to a dead worker.
STALE_CLAIM = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    user: User | None = None
    guest: Guest | None = None

    @property
    def key(self) -> tuple[str, int]:
        return ("user", self.user.pk) if self.user else ("guest", self.guest.pk)

    def new_claim(self, meeting: Meeting, now: dt.datetime) -> Reminder:
        return Reminder(
            meeting=meeting,
            user=self.user,
            guest=self.guest,
            starts_at=meeting.starts_at,
            state=ReminderState.CLAIMED,
            claimed_at=now,
        )


def meetings_due_for_reminders(now: dt.datetime):
    """Scheduled meetings starting within the next day (a missed run still catches up until
    the meeting starts), with what the e-mail needs."""
    return (
        Meeting.objects.scheduled()
        .filter(starts_at__gt=now, starts_at__lte=now + REMINDER_LEAD)
        .select_related("lab")
        .prefetch_related(
            "agenda_items",
            Prefetch(
                "guests",
                queryset=Guest.objects.exclude(response=GuestResponse.NO),
                to_attr="reminded_guests",
            ),
        )
        .order_by("starts_at", "pk")
    )


def meeting_recipients(meeting: Meeting) -> list[Recipient]:
    """The invited people and the guests who haven't said no; one e-mail per address."""
    recipients = [Recipient(u.display_name, u.email, user=u) for u in meeting_attendees(meeting)]
    seen = {r.email.lower() for r in recipients}
    for guest in meeting.reminded_guests if meeting.takes_guests else ():
        if guest.email.lower() not in seen:
            seen.add(guest.email.lower())
            recipients.append(Recipient(guest.name, guest.email, guest=guest))
    return recipients


def _existing_claims(meetings: list[Meeting]) -> dict[tuple[int, tuple[str, int]], Reminder]:
    """The reminders already claimed or sent for the meetings' current start times."""
    starts = {m.pk: m.starts_at for m in meetings}
    claims = {}
    for reminder in Reminder.objects.filter(meeting_id__in=starts).only(
        "pk", "meeting_id", "user_id", "guest_id", "starts_at", "state", "claimed_at"
    ):
        if reminder.starts_at != starts[reminder.meeting_id]:
            continue  # for a time the meeting was moved away from
        who = ("user", reminder.user_id) if reminder.user_id else ("guest", reminder.guest_id)
        claims[(reminder.meeting_id, who)] = reminder
    return claims


def _is_claimable(existing: Reminder | None, now: dt.datetime) -> bool:
    """Nobody has it yet, or a worker claimed it and died before sending."""
    return existing is None or (
        existing.state == ReminderState.CLAIMED and existing.claimed_at < now - STALE_CLAIM
    )


def _claim(
    meeting: Meeting, recipient: Recipient, existing: Reminder | None, now: dt.datetime
) -> Reminder | None:
    """Take a claimable reminder for this run, or return None when another run has it."""
    if existing is None:
        reminder = recipient.new_claim(meeting, now)
        try:
            # Durable: the claim is committed before the e-mail goes out. (Tests relax this
            # inside their own transaction, where it acts as a savepoint.)
            with transaction.atomic(durable=True):
                reminder.save(force_insert=True)
        except IntegrityError:  # another run inserted it first
            return None
        return reminder
    # A stale claim: the conditional update lets exactly one run take it over.
    taken = Reminder.objects.filter(
        pk=existing.pk, state=ReminderState.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    ).update(claimed_at=now)
    return existing if taken else None


def _send(meeting: Meeting, recipient: Recipient, calendars: dict[bool, bytes]) -> None:
    is_guest = recipient.guest is not None
    # Guests have no account: neither the e-mail nor their calendar file links to the app.
    if is_guest not in calendars:
        calendars[is_guest] = meeting_calendar([meeting], method="PUBLISH", page_links=not is_guest)
    context = {
        "meeting": meeting,
        "lab": meeting.lab,
        "recipient": recipient,
        "agenda": list(meeting.agenda_items.all()),
        "meeting_url": None if is_guest else meeting_page_url(meeting),
    }
    send_templated_email(
        "meetings/email/reminder",
        context,
        [recipient.email],
        attachments=[
            (meeting_filename(meeting), calendars[is_guest], "text/calendar; method=PUBLISH")
        ],
    )


def reminders_send_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Send the day-before reminders now due. Returns how many were (or would be) sent.

    Safe to run as often and in as many workers as you like: each reminder is claimed in its
    own committed transaction before its e-mail goes out, and sent only by the run that
    claimed it. Must not be called inside an open transaction.
    """
    now = now or timezone.now()
    meetings = list(meetings_due_for_reminders(now))
    claims = _existing_claims(meetings)
    sent = 0
    for meeting in meetings:
        recipients = [
            r
            for r in meeting_recipients(meeting)
            if _is_claimable(claims.get((meeting.pk, r.key)), now)
        ]
        if dry_run:
            sent += len(recipients)
            continue
        calendars: dict[bool, bytes] = {}
        for recipient in recipients:
            reminder = _claim(meeting, recipient, claims.get((meeting.pk, recipient.key)), now)
            if reminder is None:
                continue
            try:
                _send(meeting, recipient, calendars)
            except Exception:
                # The claim stays unsent, so a run after STALE_CLAIM tries again.
                logger.exception("Reminder %s for meeting %s failed", reminder.pk, meeting.pk)
                continue
            Reminder.objects.filter(pk=reminder.pk).update(
                state=ReminderState.SENT, sent_at=timezone.now()
            )
            sent += 1
    return sent
