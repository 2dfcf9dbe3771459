"""A small, hand-built impact dataset whose every figure is known.

The clock stands at NOW: Mar 1, 2030, 9:00 in Chicago.

Lab 1 (Chicago MLL, pool 90,000 USD): org A awarded 20,000 (10,000 paid), org B awarded
15,000 (5,000 paid); progress updates report 4,000 and 2,500 spent. Check-ins at 6 months
(due Feb 1): A on time, B nine days late; A's 12-month one (due Feb 15) is 14 days overdue;
the 18-month ones aren't due. A's baseline: 25 active mentors, 35 at 6 months (+40%);
engineering mentors 25 → 35 (A) and 25 → 30 (B). Three attendance records.
Lab 2 (Detroit MLL) belongs to another facilitator: org C, awarded 5,000, one overdue
check-in.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from checkins.models import CheckIn, CheckInStatus, CheckInStory, CheckInValue, StandardMetric
from funding.models import BudgetLine, Disbursement, SuccessMetric
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from participants.models import Participation
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    ProgressUpdateFactory,
    UserFactory,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CHICAGO)


def fund(lab, org, amount: str, *, paid: str = "0", spent: tuple[str, ...] = ()):
    """An approved application with an award, a paid tranche, and spending reported."""
    funding_round = getattr(lab, "funding_round", None) or FundingRoundFactory(lab=lab)
    lab.funding_round = funding_round
    application = ApplicationFactory(
        round=funding_round, organization=org, approved=True, award_amount=Decimal(amount)
    )
    if paid != "0":
        Disbursement.objects.create(
            award=application.award,
            planned_on=dt.date(2029, 9, 1),
            amount=Decimal(paid),
            status="paid",
            paid_on=dt.date(2029, 9, 1),
        )
    Disbursement.objects.create(
        award=application.award, planned_on=dt.date(2030, 6, 1), amount=Decimal("1000")
    )
    if spent:
        update = ProgressUpdateFactory(application=application, month=dt.date(2029, 10, 1))
        lines = list(BudgetLine.objects.filter(application=application))
        for line, amount in zip(lines, spent, strict=False):
            update.spending.create(budget_line=line, amount=Decimal(amount))
    return application


def checkin(participation, months, due_on, *, submitted_on=None, funds_spent=None, values=()):
    submitted_at = at(submitted_on) if submitted_on else None
    c = CheckIn.objects.create(
        participation=participation,
        months=months,
        due_on=due_on,
        opens_on=due_on - dt.timedelta(days=14),
        status=CheckInStatus.SUBMITTED if submitted_on else CheckInStatus.DRAFT,
        submitted_at=submitted_at,
        funds_spent=Decimal(funds_spent) if funds_spent else None,
        progress="We matched more mentors.",
    )
    for key, value in values:
        if isinstance(key, SuccessMetric):
            CheckInValue.objects.create(checkin=c, metric=key, value=Decimal(value))
        else:
            CheckInValue.objects.create(checkin=c, standard=key, value=Decimal(value))
    return c


def attend(meeting, org, status):
    Attendance.objects.create(meeting=meeting, user=UserFactory(), organization=org, status=status)


def held_meeting(lab, *, kind=MeetingKind.MONTHLY, days_ago=10, **fields):
    starts = NOW - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        lab=lab,
        kind=kind,
        title=f"{kind} meeting",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        **fields,
    )


@pytest.fixture
def dataset(lab, lab2, org_a, org_b, org_c):
    pa = Participation.objects.get(lab=lab, organization=org_a)
    pb = Participation.objects.get(lab=lab, organization=org_b)
    pc = Participation.objects.get(lab=lab2, organization=org_c)
    Participation.objects.filter(pk=pa.pk).update(baseline_active_mentors=25)
    Participation.objects.filter(pk=pb.pk).update(baseline_active_mentors=20)

    app_a = fund(lab, org_a, "20000", paid="10000", spent=("3000", "1000"))
    app_b = fund(lab, org_b, "15000", paid="5000", spent=("2500",))
    fund(lab2, org_c, "5000")
    metric_a = app_a.metrics.get()
    metric_b = app_b.metrics.get()

    feb1, feb15, sep1 = dt.date(2030, 2, 1), dt.date(2030, 2, 15), dt.date(2030, 9, 1)
    a6 = checkin(
        pa,
        6,
        feb1,
        submitted_on=dt.date(2030, 1, 30),
        funds_spent="6000",
        values=[
            (StandardMetric.ACTIVE_MENTORS, "35"),
            (StandardMetric.MENTEES_HIRED, "3"),
            (metric_a, "35"),
        ],
    )
    CheckInStory.objects.create(
        checkin=a6, title="Rosa's first job", body="Rosa found a job.", consent_to_share=True
    )
    CheckInStory.objects.create(checkin=a6, title="A private story", body="Not for sharing.")
    checkin(
        pb,
        6,
        feb1,
        submitted_on=dt.date(2030, 2, 10),
        funds_spent="2000",
        values=[(metric_b, "30")],
    )
    checkin(pa, 12, feb15)
    checkin(pa, 18, sep1)
    checkin(pb, 18, sep1)
    checkin(pc, 6, feb1)

    monthly = held_meeting(lab)
    attend(monthly, org_a, AttendanceStatus.IN_PERSON)
    attend(monthly, org_a, AttendanceStatus.REMOTE)
    attend(monthly, org_b, AttendanceStatus.ABSENT)
    held_meeting(lab, kind=MeetingKind.FOCUS_GROUP, days_ago=20)
    held_meeting(lab, kind=MeetingKind.FOCUS_GROUP, days_ago=-5)  # not held yet
    held_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_a)
    held_meeting(lab, kind=MeetingKind.SUPPORT, organization=org_b, status="cancelled")
    return {"pa": pa, "pb": pb, "pc": pc, "app_a": app_a, "app_b": app_b, "a6": a6}


def add_labs(count: int, facilitator=None) -> None:
    """Labs with funded organizations, check-ins and values: the report's full workload."""
    for n in range(count):
        lab = LabFactory(facilitators=[facilitator] if facilitator else [])
        for i in range(2):
            org = OrganizationFactory(client_groups=["women-in-tech"])
            MembershipFactory(organization=org)
            p = ParticipationFactory(lab=lab, organization=org)
            application = fund(lab, org, "1000", paid="500", spent=("100",))
            checkin(
                p,
                6,
                dt.date(2030, 2, 1),
                submitted_on=dt.date(2030, 1, 20 + i),
                funds_spent="300",
                values=[("active_mentors", str(10 + n)), (application.metrics.get(), "30")],
            )
            checkin(p, 12, dt.date(2030, 2, 20))
