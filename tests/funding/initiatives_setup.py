"""Shared set-up for the Phase 2 tests: a lab whose Phase 2 is calendar 2027, and funded
initiatives in it.

With Phase 1 from July 1, 2026 (6 months) Phase 2 runs January 1 – December 31, 2027; the
final deliverable is due December 31, 2027. `NOW` is March 15, 2027, noon in Chicago.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from funding.models import (
    Application,
    Deliverable,
    FinalMetric,
    FundingRound,
    MetricValue,
    ProgressUpdate,
    Spending,
)
from labs.models import Lab
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
)

PHASE1_START = dt.date(2026, 7, 1)
DUE = dt.date(2027, 12, 31)
NOW = dt.datetime(2027, 3, 15, 17, 0, tzinfo=dt.UTC)


def run_phase2_in_2027(lab: Lab) -> Lab:
    lab.start_date = PHASE1_START
    lab.save(update_fields=["start_date"])
    return lab


def fund(lab: Lab, organization, **kwargs) -> Application:
    """An approved application (award 20,000; metric 25 → 35; lines 12,000 and 8,000)."""
    funding_round = FundingRound.objects.filter(lab=lab).first() or FundingRoundFactory(lab=lab)
    kwargs.setdefault("approved", True)
    return ApplicationFactory(round=funding_round, organization=organization, **kwargs)


def another_initiative(lab: Lab, n: int) -> Application:
    org = OrganizationFactory(name=f"Cohort org {n:03}")
    ParticipationFactory(lab=lab, organization=org)
    MembershipFactory(organization=org)
    return fund(lab, org, title=f"Initiative {n:03}", summary=f"Summary of initiative {n:03}")


def post_update(
    application: Application,
    month: dt.date,
    *,
    value: str = "27",
    spent: tuple[str, ...] = (),
    what: str = "Two recruiting events with partner employers.",
) -> ProgressUpdate:
    update = ProgressUpdate.objects.create(application=application, month=month, what_happened=what)
    for metric in application.metrics.all():
        MetricValue.objects.create(update=update, metric=metric, value=Decimal(value))
    for line, amount in zip(application.budget_lines.all(), spent, strict=False):
        Spending.objects.create(update=update, budget_line=line, amount=Decimal(amount))
    return update


def complete_deliverable(application: Application, *, status: str = "draft", **kwargs):
    deliverable = Deliverable.objects.create(
        application=application,
        summary="We recruited engineers as mentors through three employers.",
        outcomes="Twelve new mentors with engineering backgrounds.",
        lessons="Employee resource groups were the best door in.",
        status=status,
        **kwargs,
    )
    for metric in application.metrics.all():
        FinalMetric.objects.create(deliverable=deliverable, metric=metric, final_value=37)
    return deliverable
