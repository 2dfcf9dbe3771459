"""Meeting workflows: planning the monthly series, changes and cancellations, attendance,
guests and the discussion. E-mails go out from Celery after the change is committed."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from labs.models import Lab, PhaseKey, WeekOfMonth
from meetings import tasks
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Guest,
    GuestResponse,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Post,
)
from mll.tokens import hash_token
from participants.models import Membership, ParticipationStatus

CURRENT = [s for s in ParticipationStatus.values if s != ParticipationStatus.WITHDRAWN]


class MeetingError(Exception):
    """A meeting workflow step that can't happen now; the message is for people."""


# --- Who is invited ---------------------------------------------------------------------


def meeting_attendees(meeting: Meeting):
    """Everyone invited: the lab's facilitators and the members of the organizations taking
    part (for a 1:1 support session, of that one organization)."""
    if meeting.organization_id:
        members = Q(
            memberships__organization_id=meeting.organization_id,
            memberships__organization__participations__lab_id=meeting.lab_id,
            memberships__organization__participations__status__in=CURRENT,
        )
    else:
        members = Q(
            memberships__organization__participations__lab_id=meeting.lab_id,
            memberships__organization__participations__status__in=CURRENT,
        )
    ids = User.objects.filter(Q(facilitated_labs=meeting.lab_id) | members).values("pk")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("name", "email")


def expected_memberships(meeting: Meeting):
    """The people whose attendance is recorded: members of the organizations taking part."""
    memberships = Membership.objects.select_related("user", "organization").filter(
        user__is_active=True
    )
    if meeting.organization_id:
        memberships = memberships.filter(organization_id=meeting.organization_id)
    return memberships.filter(
        organization__participations__lab_id=meeting.lab_id,
        organization__participations__status__in=CURRENT,
    ).order_by("organization__name", "user__name", "user__email")


# --- Creating, changing, cancelling ----------------------------------------------------------

# Fields whose change makes the calendar entry different for attendees.
CALENDAR_FIELDS = (
    "title",
    "topic",
    "starts_at",
    "ends_at",
    "location",
    "video_url",
    "format",
    "description",
)


MEETING_EDIT_FIELDS = (
    *CALENDAR_FIELDS,
    "kind",
    "organization",
    "shared_notes",
    "facilitator_notes",
)


@transaction.atomic
def meeting_create(*, meeting: Meeting, created_by: User, notify: bool = True) -> Meeting:
    meeting.created_by = created_by
    meeting.save()
    if notify:
        tasks.send_meeting_notice.delay_on_commit(meeting.pk, "invitation")
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, changed: list[str], notify: bool = True) -> bool:
    """Save an edited meeting. A change attendees see raises the iCalendar SEQUENCE and
    sends them the updated calendar file. Returns whether attendees were notified."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.is_cancelled:
        raise MeetingError("This meeting is cancelled; it can't be changed.")
    visible = bool(set(changed) & set(CALENDAR_FIELDS))
    # Never write status, cancellation or sequence from the form's copy: a cancel that
    # happened meanwhile must stand.
    meeting.sequence = current.sequence + (1 if visible else 0)
    meeting.save(update_fields=[*MEETING_EDIT_FIELDS, "sequence", "updated_at"])
    if visible and notify:
        tasks.send_meeting_notice.delay_on_commit(meeting.pk, "update")
    return visible and notify


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User | None = None) -> None:
    """Cancel once (a conditional update settles a race), recording who and when."""
    updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
        status=MeetingStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=user,
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise MeetingError("This meeting is already cancelled.")
    meeting.refresh_from_db()
    tasks.send_meeting_notice.delay_on_commit(meeting.pk, "cancellation")


def agenda_save(*, meeting: Meeting, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.meeting = meeting
        item.position = position
    AgendaItem.objects.bulk_update(
        [i for i in items if i.pk], ["title", "presenter", "minutes", "position"]
    )
    AgendaItem.objects.bulk_create([i for i in items if not i.pk])


# --- The monthly series ----------------------------------------------------------------------

PHASE1_TOPICS = (
    "Kick-off: our mentorship programs",
    "Strengths and weaknesses",
    "Mentor recruitment",
    "Mentee experience",
    "Intervention areas",
    "Funding applications",
)
PHASE2_TOPICS = (
    "Launching the initiatives",
    "Initiative updates",
    "Planning focus groups with clients",
    "Initiative updates",
    "Measuring outcomes",
    "Mid-point share-out",
    "Initiative updates",
    "Keeping mentors engaged",
    "Additional programming: panels and job fairs",
    "Initiative updates",
    "Final deliverables",
    "Showcase and wrap-up",
)


def suggested_topic(phase: str, index: int) -> str:
    topics = PHASE1_TOPICS if phase == PhaseKey.PHASE1 else PHASE2_TOPICS
    return topics[index] if index < len(topics) else "Initiative updates"


def meeting_day(year: int, month: int, *, week: int, weekday: int) -> dt.date:
    """The `week`-th (or last, for WeekOfMonth.LAST) `weekday` of a month."""
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    return days[-1] if week == WeekOfMonth.LAST else days[min(week, len(days)) - 1]


@dataclass(frozen=True)
class PlannedMeeting:
    month: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    topic: str
    phase: str


def series_plan(lab: Lab) -> list[PlannedMeeting]:
    """One monthly meeting per month of Phase 1 and Phase 2, at the plan's local wall-clock time
    (so a series that crosses a daylight-saving change keeps 10:00 as 10:00)."""
    timeline = lab.timeline
    tz = lab.tz
    planned = []
    for phase_key in (PhaseKey.PHASE1, PhaseKey.PHASE2):
        phase = timeline.phase(phase_key)
        month, index = phase.start.replace(day=1), 0
        while month < phase.end:
            day = meeting_day(
                month.year, month.month, week=lab.meeting_week_of_month, weekday=lab.meeting_weekday
            )
            if phase.start <= day < phase.end:
                starts = dt.datetime.combine(day, lab.meeting_time, tzinfo=tz)
                planned.append(
                    PlannedMeeting(
                        month=month,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=lab.meeting_duration_minutes),
                        topic=suggested_topic(phase_key, index),
                        phase=phase_key,
                    )
                )
                index += 1
            month += relativedelta(months=1)
    return planned


def series_create(*, lab: Lab, created_by: User, now: dt.datetime | None = None) -> list[Meeting]:
    """Create the series' meetings still to come; months already planned are left alone."""
    now = now or timezone.now()
    taken = set(
        lab.meetings.filter(series_month__isnull=False).values_list("series_month", flat=True)
    )
    created = []
    for plan in series_plan(lab):
        if plan.month in taken or plan.starts_at <= now:
            continue
        meeting = Meeting(
            lab=lab,
            kind=MeetingKind.MONTHLY,
            title=f"Monthly meeting: {plan.topic}",
            topic=plan.topic,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            format=lab.meeting_format,
            location=lab.meeting_location,
            series_month=plan.month,
            created_by=created_by,
        )
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:  # planned at the same moment by someone else
            continue
        created.append(meeting)
    if created:
        # One e-mail with one calendar file for the whole series, not one per month.
        tasks.send_series_notice.delay_on_commit([m.pk for m in created])
    return created


# --- Attendance ------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, statuses: dict[int, str], recorded_by: User) -> int:
    """Record each person's attendance (user id → status); blank statuses are cleared."""
    expected = {m.user_id: m.organization_id for m in expected_memberships(meeting)}
    now = timezone.now()
    saved = 0
    for user_id, status in statuses.items():
        if user_id not in expected:
            raise MeetingError("Attendance is recorded for members of participating organizations.")
        if not status:
            Attendance.objects.filter(meeting=meeting, user_id=user_id).delete()
            continue
        Attendance.objects.update_or_create(
            meeting=meeting,
            user_id=user_id,
            defaults={
                "status": AttendanceStatus(status),
                "organization_id": expected[user_id],
                "recorded_by": recorded_by,
                "recorded_at": now,
            },
        )
        saved += 1
    return saved


@dataclass(frozen=True)
class AttendanceRate:
    label: str
    recorded: int
    present: int
    in_person: int
    remote: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.recorded) if self.recorded else None

    @property
    def in_person_share(self) -> int | None:
        return round(100 * self.in_person / self.present) if self.present else None

    @property
    def remote_share(self) -> int | None:
        return round(100 * self.remote / self.present) if self.present else None


def attendance_rates(lab: Lab) -> tuple[AttendanceRate, list[AttendanceRate]]:
    """The lab's attendance rate and each organization's, with the in-person/remote split.

    Two aggregate queries, whatever the number of meetings."""
    counts = {
        "recorded": Count("pk"),
        "present": Count("pk", filter=Q(status__in=AttendanceStatus.present())),
        "in_person": Count("pk", filter=Q(status=AttendanceStatus.IN_PERSON)),
        "remote": Count("pk", filter=Q(status=AttendanceStatus.REMOTE)),
    }
    records = Attendance.objects.filter(meeting__lab=lab, meeting__status=MeetingStatus.SCHEDULED)
    overall = AttendanceRate("All organizations", **records.aggregate(**counts))
    rows = (
        records.filter(organization__isnull=False)
        .values("organization__name")
        .annotate(**counts)
        .order_by("organization__name")
    )
    per_org = [AttendanceRate(row.pop("organization__name"), **row) for row in rows]
    return overall, per_org


# --- Guests ----------------------------------------------------------------------------------


@transaction.atomic
def guest_invite(*, guest: Guest, invited_by: User) -> tuple[Guest, str]:
    meeting = guest.meeting
    if not meeting.takes_guests:
        raise MeetingError(f"{meeting.get_kind_display()}s don't take outside guests.")
    if meeting.is_cancelled:
        raise MeetingError("This meeting is cancelled.")
    if meeting.guests.filter(email__iexact=guest.email).exists():
        raise MeetingError(f"{guest.email} is already invited.")
    token = Guest.new_token()
    guest.email = guest.email.lower()
    guest.token_hash = hash_token(token)
    guest.invited_by = invited_by
    try:
        with transaction.atomic():
            guest.save()
    except IntegrityError:  # invited at the same moment by a double submit
        raise MeetingError(f"{guest.email} is already invited.") from None
    # The token travels in the task only; the database keeps its hash.
    tasks.send_guest_invitation.delay_on_commit(guest.pk, token)
    return guest, token


def guest_remove(*, guest: Guest) -> None:
    """Take a guest off the list: their private link stops working and they are told."""
    meeting_id, name, email = guest.meeting_id, guest.name, guest.email
    with transaction.atomic():
        guest.delete()
        tasks.send_guest_removal.delay_on_commit(meeting_id, name, email)


def guest_respond(*, guest: Guest, coming: bool) -> None:
    guest.response = GuestResponse.YES if coming else GuestResponse.NO
    guest.responded_at = timezone.now()
    guest.save(update_fields=["response", "responded_at"])


# --- Discussion ------------------------------------------------------------------------------


def post_create(*, meeting: Meeting, author: User, body: str) -> Post:
    if meeting.is_cancelled:
        raise MeetingError("This meeting was cancelled; its discussion is closed.")
    return Post.objects.create(meeting=meeting, author=author, body=body.strip())
