"""Demo meetings: each lab's monthly series with agendas, notes, attendance and discussion,
plus focus groups with guests, share-outs, 1:1 support, a panel and a job fair.

Idempotent: series meetings are keyed by their month, the others by lab and title; a second
run adds nothing and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from labs.models import Lab, MeetingFormat
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Guest,
    GuestResponse,
    GuestRole,
    Meeting,
    MeetingKind,
    Post,
)
from meetings.services import expected_memberships, series_plan
from mll.tokens import hash_token

AGENDA = (
    ("Welcome and check-in", "", 10),
    ("Round of updates from each organization", "", 30),
    ("Topic discussion", "", 40),
    ("Next steps and asks", "", 10),
)

NOTES = (
    "We went round the table on {topic_lower}. Each organization named one thing that works and "
    "one it wants to change. Follow-ups are in the discussion below."
)

TAKEAWAYS = (
    "Pairing new mentors with an experienced buddy for their first month is something we will "
    "try right away.",
    "Hearing how others recruit mentors through corporate ERGs was the most useful part for us.",
    "A short check-in survey at week 3 would catch the matches that fade; we'll share ours.",
    "Happy to share our mentee onboarding checklist with anyone who wants it.",
)

# Attendance patterns cycle so the numbers look like a real hybrid cohort.
PATTERN = (
    AttendanceStatus.REMOTE,
    AttendanceStatus.IN_PERSON,
    AttendanceStatus.REMOTE,
    AttendanceStatus.REMOTE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.IN_PERSON,
    AttendanceStatus.ABSENT,
)


@dataclass(frozen=True)
class Special:
    kind: str
    title: str
    topic: str
    days_from_now: int  # negative: in the past
    hour: int
    minutes: int
    format: str
    location: str = ""
    org_index: int | None = None  # 1:1 support: which organization
    guests: tuple[tuple[str, str, str, str], ...] = ()  # name, e-mail, role, response


CHICAGO_SPECIALS = (
    Special(
        MeetingKind.FOCUS_GROUP,
        "Focus group: what mentees need in the first 90 days",
        "Mentee experience",
        -45,
        17,
        90,
        MeetingFormat.HYBRID,
        "1871, 222 W Merchandise Mart Plaza, Chicago",
        guests=(
            ("Renata Alvarez", "renata.alvarez@example.com", GuestRole.MENTEE, GuestResponse.YES),
            ("Kwame Boateng", "kwame.boateng@example.com", GuestRole.MENTOR, GuestResponse.YES),
            ("Lee Park", "lee.park@example.com", GuestRole.MENTEE, GuestResponse.NO),
        ),
    ),
    Special(
        MeetingKind.PANEL,
        "Panel: Latinas leading in product and UX",
        "Additional programming",
        -20,
        18,
        90,
        MeetingFormat.IN_PERSON,
        "Chicago Public Library, Harold Washington Center",
    ),
    Special(
        MeetingKind.SUPPORT,
        "1:1 support: initiative plan",
        "Initiative",
        -30,
        11,
        45,
        MeetingFormat.VIRTUAL,
        org_index=0,
    ),
    Special(
        MeetingKind.SUPPORT,
        "1:1 support: budget check",
        "Budget",
        -25,
        14,
        45,
        MeetingFormat.VIRTUAL,
        org_index=1,
    ),
    Special(
        MeetingKind.SUPPORT,
        "1:1 support: survey redesign",
        "Data",
        9,
        13,
        45,
        MeetingFormat.VIRTUAL,
        org_index=2,
    ),
    Special(
        MeetingKind.SHARE_OUT,
        "Mid-point share-out with stakeholders",
        "Initiative progress",
        21,
        16,
        120,
        MeetingFormat.HYBRID,
        "1871, 222 W Merchandise Mart Plaza, Chicago",
        guests=(
            (
                "Dana Whitfield",
                "dana.whitfield@example.com",
                GuestRole.STAKEHOLDER,
                GuestResponse.YES,
            ),
            ("Marco Ruiz", "marco.ruiz@example.com", GuestRole.STAKEHOLDER, GuestResponse.PENDING),
        ),
    ),
    Special(
        MeetingKind.JOB_FAIR,
        "Tech job fair for mentees",
        "Additional programming",
        50,
        12,
        240,
        MeetingFormat.IN_PERSON,
        "Malcolm X College, Chicago",
    ),
)

TWIN_CITIES_SPECIALS = (
    Special(
        MeetingKind.FOCUS_GROUP,
        "Focus group: mentors on the first months of a match",
        "Mentor experience",
        -420,
        17,
        90,
        MeetingFormat.HYBRID,
        "Minneapolis Central Library",
        guests=(
            ("Abdi Warsame", "abdi.warsame@example.com", GuestRole.MENTOR, GuestResponse.YES),
            ("Grace Lindqvist", "grace.lindqvist@example.com", GuestRole.MENTOR, GuestResponse.YES),
        ),
    ),
    Special(
        MeetingKind.SHARE_OUT,
        "Final showcase",
        "Final deliverables",
        -225,
        16,
        120,
        MeetingFormat.IN_PERSON,
        "Saint Paul RiverCentre",
    ),
    Special(
        MeetingKind.WORKSHOP,
        "Workshop: measuring mentorship outcomes",
        "Measuring outcomes",
        -330,
        10,
        120,
        MeetingFormat.VIRTUAL,
    ),
)

SPECIALS = {"chicago-mll": CHICAGO_SPECIALS, "twin-cities-mll": TWIN_CITIES_SPECIALS}


def seed_meetings(lab: Lab, facilitator, created: Counter[str]) -> None:
    now = timezone.now()
    members = list(expected_memberships(Meeting(lab=lab)))
    taken = set(
        lab.meetings.filter(series_month__isnull=False).values_list("series_month", flat=True)
    )
    for number, plan in enumerate(series_plan(lab)):
        if plan.month in taken:
            continue
        meeting = Meeting.objects.create(
            lab=lab,
            kind=MeetingKind.MONTHLY,
            title=f"Monthly meeting: {plan.topic}",
            topic=plan.topic,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            format=lab.meeting_format,
            location=lab.meeting_location,
            video_url="https://meet.example.org/mll-monthly",
            series_month=plan.month,
            created_by=facilitator,
        )
        _fill(meeting, members, facilitator, number, now)
        created["meetings"] += 1
    orgs = [p.organization for p in lab.participations.select_related("organization")]
    for number, special in enumerate(SPECIALS.get(lab.slug, ())):
        if lab.meetings.filter(title=special.title).exists():
            continue
        meeting = _special(lab, special, orgs, facilitator, now)
        people = [m for m in members if meeting.organization_id in (None, m.organization_id)]
        _fill(meeting, people, facilitator, number + 3, now)
        created["meetings"] += 1


def _special(lab: Lab, spec: Special, orgs, facilitator, now: dt.datetime) -> Meeting:
    local = timezone.localtime(now, lab.tz).date() + dt.timedelta(days=spec.days_from_now)
    starts = dt.datetime.combine(local, dt.time(spec.hour), tzinfo=lab.tz)
    meeting = Meeting.objects.create(
        lab=lab,
        kind=spec.kind,
        title=spec.title,
        topic=spec.topic,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=spec.minutes),
        format=spec.format,
        location=spec.location,
        video_url="" if spec.format == MeetingFormat.IN_PERSON else "https://meet.example.org/mll",
        organization=orgs[spec.org_index] if spec.org_index is not None else None,
        created_by=facilitator,
    )
    for name, email, role, response in spec.guests:
        Guest.objects.create(
            meeting=meeting,
            name=name,
            email=email,
            role=role,
            token_hash=hash_token(Guest.new_token()),
            response=response,
            responded_at=None
            if response == GuestResponse.PENDING
            else starts - dt.timedelta(days=5),
            invited_by=facilitator,
        )
    return meeting


def _fill(meeting: Meeting, members, facilitator, number: int, now: dt.datetime) -> None:
    """An agenda for every meeting; notes, attendance and takeaways for the ones that happened."""
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=position,
            title=title if title != "Topic discussion" else f"Discussion: {meeting.topic}",
            presenter=facilitator.name if position in (1, 4) else presenter,
            minutes=minutes,
        )
        for position, (title, presenter, minutes) in enumerate(AGENDA, start=1)
    )
    if meeting.ends_at > now:
        return
    meeting.shared_notes = NOTES.format(topic_lower=meeting.topic.lower())
    meeting.save(update_fields=["shared_notes"])
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            user=m.user,
            organization=m.organization,
            status=PATTERN[(number + i) % len(PATTERN)],
            recorded_by=facilitator,
            recorded_at=meeting.ends_at,
        )
        for i, m in enumerate(members)
    )
    for i, m in enumerate(members[: 2 if number % 2 else 1]):
        Post.objects.create(
            meeting=meeting,
            author=m.user,
            body=TAKEAWAYS[(number + i) % len(TAKEAWAYS)],
            created_at=meeting.ends_at + dt.timedelta(hours=2 + i),
        )
