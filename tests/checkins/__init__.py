"""Helpers shared by the check-in tests: a fixed clock and check-ins with chosen dates."""

import datetime as dt
from decimal import Decimal

from checkins.models import CheckIn
from checkins.reminders import reminders_plan
from participants.models import Participation

# 09:00 in Chicago: the same calendar day in UTC and in the labs' time zone.
NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2030, 3, 1)


def participation_of(lab, org) -> Participation:
    return Participation.objects.get(lab=lab, organization=org)


def make_checkin(lab, org, *, months: int = 6, due_in: int = 7, plan: bool = True, **fields):
    """A check-in due `due_in` days after TODAY (opening 14 days before), with its reminders."""
    due_on = TODAY + dt.timedelta(days=due_in)
    checkin = CheckIn.objects.create(
        participation=participation_of(lab, org),
        months=months,
        due_on=due_on,
        opens_on=due_on - dt.timedelta(days=14),
        **fields,
    )
    if plan:
        reminders_plan(checkins=[checkin], tz=lab.tz)
    return checkin


COMPLETE = {
    "progress": "We kept the engineer mentors and added a second cohort.",
    "funds_spent": Decimal("15000.00"),
    "funds_spent_on": "Recruiting events and mentor stipends.",
    "funds_remaining": "5,000 for next year's events.",
    "impact": "Mentees now reach technical interviews twice as often.",
}
