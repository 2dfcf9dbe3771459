"""One organization's impact in one lab: its initiative (application, award, budget against
spending), its final deliverable (outcomes, final metrics against targets) and its check-ins
side by side, each metric beside its baseline and target. A fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.urls import NoReverseMatch

from checkins.models import CheckIn, CheckInStory, CheckInValue, StandardMetric
from funding.models import (
    Application,
    BudgetLine,
    DisbursementStatus,
    FinalMetric,
    SuccessMetric,
)
from impact import charts
from impact.reports import BASELINE_FIELDS
from impact.tables import growth, percent
from participants.models import Participation


def safe_url(obj) -> str:
    """The object's page, or "" while the app that serves it has no such page."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


@dataclass
class MetricRow:
    name: str
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    final: Decimal | None = None
    # One (value, growth from baseline) per check-in column; None where not reported.
    cells: list[tuple[Decimal, Decimal | None] | None] = field(default_factory=list)
    kind: str = "standard"


@dataclass
class BudgetRow:
    line: BudgetLine
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.line.amount - self.spent

    @property
    def spent_share(self) -> Decimal | None:
        return percent(self.spent, self.line.amount)


def organization_impact(participation: Participation) -> dict:
    lab = participation.lab
    today = lab.today()
    application = (
        Application.objects.filter(round__lab=lab, organization=participation.organization)
        .select_related("round", "award", "deliverable")
        .first()
    )
    if application is not None:
        application.round.lab = lab  # its URL needs the lab: no query for it
    award = getattr(application, "award", None) if application else None
    deliverable = getattr(application, "deliverable", None) if application else None

    budget, metrics, finals, disbursed = [], [], {}, Decimal("0")
    if application is not None:
        lines = application.budget_lines.annotate(spent=Sum("spending__amount"))
        budget = [BudgetRow(line, line.spent or Decimal("0")) for line in lines]
        metrics = list(SuccessMetric.objects.filter(application=application))
        if award is not None:
            disbursed = award.disbursements.filter(status=DisbursementStatus.PAID).aggregate(
                total=Sum("amount")
            )["total"] or Decimal("0")
        if deliverable is not None:
            finals = {
                f.metric_id: f.final_value
                for f in FinalMetric.objects.filter(deliverable=deliverable)
            }

    checkins = list(CheckIn.objects.filter(participation=participation).order_by("months"))
    for c in checkins:
        c.participation = participation  # its URL needs the lab: no query per check-in
    submitted = {c.pk for c in checkins if c.is_submitted}
    values: dict[tuple[str, int], Decimal] = {}
    for v in CheckInValue.objects.filter(checkin__in=submitted):
        values[(v.standard or f"metric:{v.metric_id}", v.checkin_id)] = v.value
    stories: dict[int, list[CheckInStory]] = {c.pk: [] for c in checkins}
    for story in CheckInStory.objects.filter(checkin__in=submitted):
        stories[story.checkin_id].append(story)

    def cells(key: str, baseline: Decimal | None) -> list:
        row = []
        for c in checkins:
            value = values.get((key, c.pk))
            row.append(None if value is None else (value, growth(baseline, value)))
        return row

    standard_rows = []
    for metric in StandardMetric:
        field_name = BASELINE_FIELDS.get(metric)
        baseline = getattr(participation, field_name) if field_name else None
        row = MetricRow(metric.label, baseline=baseline, cells=cells(metric.value, baseline))
        if baseline is not None or any(row.cells):
            standard_rows.append(row)
    initiative_rows = [
        MetricRow(
            m.name,
            unit=m.unit,
            baseline=m.baseline,
            target=m.target,
            final=finals.get(m.pk),
            cells=cells(f"metric:{m.pk}", m.baseline),
            kind="initiative",
        )
        for m in metrics
    ]
    columns = [
        {
            "checkin": c,
            "state": c.state(today),
            "url": safe_url(c),
            "stories": stories[c.pk],
        }
        for c in checkins
    ]
    budget_total = sum((r.line.amount for r in budget), Decimal("0"))
    spent_total = sum((r.spent for r in budget), Decimal("0"))
    return {
        "application": application,
        "application_url": safe_url(application) if application else "",
        "award": award,
        "disbursed": disbursed,
        "deliverable": deliverable,
        "deliverable_url": safe_url(deliverable) if deliverable else "",
        "budget": budget,
        "budget_total": budget_total,
        "spent_total": spent_total,
        "remaining_total": budget_total - spent_total,
        "spent_share": percent(spent_total, budget_total),
        "finals": [
            (m, finals.get(m.pk), percent_of_target(m.baseline, m.target, finals.get(m.pk)))
            for m in metrics
        ],
        "columns": columns,
        "metric_rows": standard_rows + initiative_rows,
        "budget_chart": _budget_chart(budget, lab.currency) if budget else None,
        "growth_chart": _growth_chart(standard_rows + initiative_rows, checkins),
        "today": today,
    }


def percent_of_target(baseline, target, final) -> Decimal | None:
    """How far from baseline toward target the final value went (100 = target reached)."""
    if final is None or target is None or baseline is None or target == baseline:
        return None
    return percent(final - baseline, target - baseline)


def _budget_chart(budget: list[BudgetRow], currency: str):
    return charts.bar_chart(
        key="chart-budget",
        title=f"Budget and spending by line ({currency})",
        desc="Bar chart of each budget line's amount beside what the progress updates report "
        "spent on it. The table beside it has the figures.",
        categories=[r.line.description or r.line.get_category_display() for r in budget],
        series=[
            charts.Series("Budget", [r.line.amount for r in budget]),
            charts.Series("Spent", [r.spent for r in budget]),
        ],
    )


def _growth_chart(rows: list[MetricRow], checkins: list[CheckIn]):
    series = [
        charts.Series(row.name, [Decimal("0"), *(cell[1] if cell else None for cell in row.cells)])
        for row in rows
        if row.baseline and any(cell and cell[1] is not None for cell in row.cells)
    ][: len(charts.PALETTE)]
    if not series:
        return None
    return charts.line_chart(
        key="chart-org-growth",
        title="Growth from baseline at each check-in",
        desc="Line chart of each metric's growth in percent from its baseline (0%) at the "
        "submitted check-ins. The table beside it has the figures.",
        points=["Baseline"] + [f"{c.months} months" for c in checkins],
        series=series,
    )
