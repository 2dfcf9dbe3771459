"""The impact report across the labs a person may see: funds, check-in completion by
milestone, metric trajectories from baseline, and the facilitator's success signs.

Nine queries whatever the number of labs: the labs, then one aggregate or flat list per kind
of record, each scoped by the same lab subquery (and client group), combined in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, CheckInValue, StandardMetric
from funding.models import (
    ApplicationStatus,
    Award,
    DisbursementStatus,
    Spending,
    SuccessMetric,
)
from impact import charts
from impact.tables import (
    FEWER_THAN_5,
    SMALL_GROUP,
    Column,
    Link,
    Section,
    Table,
    growth,
    is_protected,
    percent,
    protect,
)
from labs.models import DEFAULT_CHECKIN_OFFSETS, Lab
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from participants.models import ClientGroup, Participation, ParticipationStatus

CENTS = Decimal("0.01")
# Above this many labs a chart shows the totals; the table beside it still lists every lab.
CHART_LABS = 12
# Standard metrics with a baseline recorded when the agreement is signed.
BASELINE_FIELDS = {
    StandardMetric.ACTIVE_MENTORS: "baseline_active_mentors",
    StandardMetric.ACTIVE_MENTEES: "baseline_active_mentees",
}
# Shares are averaged across organizations; every other metric is summed.
AVERAGED = {StandardMetric.MENTOR_RETENTION}


@dataclass(frozen=True)
class ReportFilters:
    lab: Lab | None = None
    year: int | None = None
    client_group: ClientGroup | None = None

    def describe(self) -> str:
        parts = [
            self.lab.name if self.lab else "all labs you can see",
            f"started in {self.year}" if self.year else "",
            f"organizations serving {self.client_group.name}" if self.client_group else "",
        ]
        return ", ".join(p for p in parts if p)

    def query(self) -> dict[str, str]:
        values = {
            "lab": self.lab.slug if self.lab else "",
            "year": str(self.year) if self.year else "",
            "client_group": self.client_group.slug if self.client_group else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class Report:
    filters: ReportFilters
    labs: list[Lab]
    small_groups: bool
    generated_at: dt.datetime
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def labs_in_scope(visible: list[Lab], filters: ReportFilters) -> list[Lab]:
    return [
        lab
        for lab in visible
        if (filters.lab is None or lab.pk == filters.lab.pk)
        and (filters.year is None or lab.start_date.year == filters.year)
    ]


def build_report(
    *, user, visible: list[Lab], filters: ReportFilters, now: dt.datetime | None = None
) -> Report:
    """The report over `visible` (the labs `user` may report on) narrowed by `filters`."""
    now = now or timezone.now()
    labs = labs_in_scope(visible, filters)
    # The data queries repeat the same scope in SQL, so no list of ids travels in them.
    labs_qs = Lab.objects.managed_by(user)
    if filters.lab is not None:
        labs_qs = labs_qs.filter(pk=filters.lab.pk)
    if filters.year is not None:
        labs_qs = labs_qs.filter(start_date__year=filters.year)
    data = _Data(labs_qs.values("pk"), filters.client_group, now) if labs else None
    report = Report(
        filters=filters,
        labs=labs,
        small_groups=len(labs) > 1,
        generated_at=now,
    )
    builder = _Builder(report, data, filters)
    report.sections = [
        builder.funds(),
        builder.completion(),
        builder.trajectories(),
        builder.success(),
    ]
    return report


class _Data:
    """Every row the report needs, fetched once: eight queries."""

    def __init__(self, labs_qs: QuerySet, group: ClientGroup | None, now: dt.datetime):
        def org(prefix: str) -> Q:
            return Q(**{f"{prefix}client_groups": group}) if group else Q()

        self.participations = list(
            Participation.objects.filter(lab__in=labs_qs)
            .filter(org("organization__"))
            .values(
                "pk",
                "lab_id",
                "organization_id",
                "organization__name",
                "status",
                "baseline_active_mentors",
                "baseline_active_mentees",
            )
            .order_by("organization__name", "pk")
        )
        paid = Q(disbursements__status=DisbursementStatus.PAID)
        self.awards = list(
            Award.objects.filter(lab__in=labs_qs)
            .filter(org("application__organization__"))
            .values("pk", "lab_id", "amount")
            .annotate(disbursed=Sum("disbursements__amount", filter=paid))
            .order_by()
        )
        self.spending = list(
            Spending.objects.filter(update__application__round__lab__in=labs_qs)
            .filter(org("update__application__organization__"))
            .values("update__application__round__lab_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        self.checkins = list(
            CheckIn.objects.filter(participation__lab__in=labs_qs)
            .filter(org("participation__organization__"))
            .values("pk", "participation_id", "months", "due_on", "submitted_at", "funds_spent")
            .order_by("participation_id", "months")
        )
        self.values = list(
            CheckInValue.objects.filter(
                checkin__participation__lab__in=labs_qs, checkin__submitted_at__isnull=False
            )
            .filter(org("checkin__participation__organization__"))
            .values(
                "checkin__participation_id", "checkin__months", "standard", "metric_id", "value"
            )
            .order_by()
        )
        self.metrics = list(
            SuccessMetric.objects.filter(
                application__round__lab__in=labs_qs, application__status=ApplicationStatus.APPROVED
            )
            .filter(org("application__organization__"))
            .values(
                "pk",
                "name",
                "unit",
                "baseline",
                "target",
                "application__organization_id",
                "application__round__lab_id",
            )
            .order_by("pk")
        )
        counts = {
            "recorded": Count("pk"),
            "present": Count("pk", filter=Q(status__in=AttendanceStatus.present())),
            "in_person": Count("pk", filter=Q(status=AttendanceStatus.IN_PERSON)),
            "remote": Count("pk", filter=Q(status=AttendanceStatus.REMOTE)),
        }
        self.attendance = {
            row.pop("meeting__lab_id"): row
            for row in Attendance.objects.filter(
                meeting__lab__in=labs_qs, meeting__status=MeetingStatus.SCHEDULED
            )
            .filter(org("organization__"))
            .values("meeting__lab_id")
            .annotate(**counts)
            .order_by()
        }
        focus = Q(kind=MeetingKind.FOCUS_GROUP)
        support = Q(kind=MeetingKind.SUPPORT) & org("organization__")
        self.meetings = {
            row.pop("lab_id"): row
            for row in Meeting.objects.filter(
                lab__in=labs_qs, status=MeetingStatus.SCHEDULED, ends_at__lt=now
            )
            .filter(focus | support)
            .values("lab_id")
            .annotate(focus=Count("pk", filter=focus), support=Count("pk", filter=support))
            .order_by()
        }


def _sum(values) -> Decimal:
    return sum((Decimal(v) for v in values if v is not None), Decimal("0"))


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENTS)


class _Builder:
    def __init__(self, report: Report, data: _Data | None, filters: ReportFilters):
        self.report = report
        self.data = data
        self.filters = filters
        self.labs = report.labs
        self.small = report.small_groups
        self.by_lab = {lab.pk: lab for lab in self.labs}
        self.participations = data.participations if data else []
        self.current = [
            p for p in self.participations if p["status"] != ParticipationStatus.WITHDRAWN
        ]
        self.part_by_pk = {p["pk"]: p for p in self.participations}
        self.checkins = data.checkins if data else []
        points = {c["months"] for c in self.checkins} | set(DEFAULT_CHECKIN_OFFSETS)
        self.points = sorted(points)
        self.chart_labs = len(self.labs) <= CHART_LABS
        self._today: dict[str, dt.date] = {}
        # reverse() once, not once per row: thousands of rows would spend seconds in it.
        self._report_url = reverse("impact:report") + "?lab="
        self._org_url = (
            reverse("impact:organization", args=["zzslugzz", 987654321])
            .replace("zzslugzz", "{slug}")
            .replace("987654321", "{pk}")
        )

    def today(self, lab: Lab) -> dt.date:
        if lab.time_zone not in self._today:
            self._today[lab.time_zone] = lab.today()
        return self._today[lab.time_zone]

    def lab_cell(self, lab: Lab) -> Link:
        return Link(lab.name, self._report_url + lab.slug)

    def org_cell(self, participation: dict) -> Link:
        lab = self.by_lab[participation["lab_id"]]
        url = self._org_url.format(slug=lab.slug, pk=participation["pk"])
        return Link(participation["organization__name"], url)

    def people(self, count):
        return protect(count, small_groups=self.small)

    # --- 1. Funds ---------------------------------------------------------------------------

    def funds(self) -> Section:
        awarded, disbursed, initiatives = defaultdict(Decimal), defaultdict(Decimal), Counter()
        for award in self.data.awards if self.data else []:
            awarded[award["lab_id"]] += award["amount"]
            disbursed[award["lab_id"]] += award["disbursed"] or 0
            initiatives[award["lab_id"]] += 1
        spent = {
            row["update__application__round__lab_id"]: row["total"]
            for row in (self.data.spending if self.data else [])
        }
        latest: dict[int, Decimal] = {}  # participation → funds spent at its latest check-in
        for c in self.checkins:  # ordered by participation, then months
            if c["submitted_at"] is not None and c["funds_spent"] is not None:
                latest[c["participation_id"]] = c["funds_spent"]
        checkin_spent = defaultdict(Decimal)
        for participation_pk, amount in latest.items():
            checkin_spent[self.part_by_pk[participation_pk]["lab_id"]] += amount

        columns = [
            Column("Lab"),
            Column("Currency"),
            Column("Funding pool", "money"),
            Column("Awarded", "money"),
            Column("Initiatives funded", "count"),
            Column("Disbursed (paid)", "money"),
            Column("Reported spent (progress updates)", "money"),
            Column("Spent, per latest check-ins", "money"),
        ]
        table = Table("funds", "Funds by lab", columns, empty="No labs match these filters.")
        totals: dict[str, list] = {}
        for lab in self.labs:
            row = [
                _money(lab.funding_pool),
                _money(awarded[lab.pk]),
                initiatives[lab.pk],
                _money(disbursed[lab.pk]),
                _money(spent.get(lab.pk)),
                _money(checkin_spent[lab.pk]),
            ]
            table.rows.append([self.lab_cell(lab), lab.currency, *row])
            total = totals.setdefault(lab.currency, [Decimal("0")] * len(row))
            totals[lab.currency] = [a + b for a, b in zip(total, row, strict=True)]
        for currency, total in sorted(totals.items()):
            table.footer.append([f"All labs in {currency}", currency, *total])

        names = ["Funding pool", "Awarded", "Disbursed", "Reported spent"]
        if self.chart_labs:
            categories = [lab.name for lab in self.labs]
            rows = [r[2:4] + r[5:7] for r in table.rows]
            scope = "each lab, in its own currency"
        else:
            categories = [f"All labs ({c})" for c in sorted(totals)]
            rows = [t[0:2] + t[3:5] for _, t in sorted(totals.items())]
            scope = "all labs together, by currency; the table lists each lab"
        series = [charts.Series(n, [r[i] for r in rows]) for i, n in enumerate(names)]
        chart = charts.bar_chart(
            key="chart-funds",
            title="Funds: pool, awarded, disbursed and reported spent",
            desc=f"Bar chart of the funding pool, the amount awarded, the amount disbursed and "
            f"the amount reported spent for {scope}. The table beside it has the figures.",
            categories=categories,
            series=series,
        )
        notes = [
            "Reported spent is the sum of the spending lines in the initiatives' monthly "
            "progress updates; the last column is what each organization reported spent at its "
            "most recent submitted check-in.",
            "Amounts are in each lab's currency and are never added across currencies.",
        ]
        if self.filters.client_group:
            notes.append(
                "The funding pool is the whole lab's; the other columns count only the "
                "organizations serving the chosen client group."
            )
        return Section(
            "funds",
            "Funds awarded, disbursed and spent",
            "What each lab had to give, what it awarded and paid out, and what the "
            "organizations reported spending.",
            [table],
            chart,
            notes,
        )

    # --- 2. Check-in completion -------------------------------------------------------------

    def completion(self) -> Section:
        stats = {m: Counter() for m in self.points}
        late_rows = []
        for c in self.checkins:
            participation = self.part_by_pk[c["participation_id"]]
            if participation["status"] == ParticipationStatus.WITHDRAWN:
                continue
            lab = self.by_lab[participation["lab_id"]]
            today = self.today(lab)
            if c["due_on"] >= today:  # not due yet: not counted
                continue
            counts = stats[c["months"]]
            counts["due"] += 1
            if c["submitted_at"] is None:
                counts["overdue"] += 1
                days, state = (today - c["due_on"]).days, "Overdue"
            else:
                counts["submitted"] += 1
                submitted_on = timezone.localdate(c["submitted_at"], lab.tz)
                if submitted_on <= c["due_on"]:
                    counts["on_time"] += 1
                    continue
                counts["late"] += 1
                days, state = (submitted_on - c["due_on"]).days, "Submitted late"
            late_rows.append(
                [
                    self.org_cell(participation),
                    self.lab_cell(lab),
                    c["months"],
                    c["due_on"],
                    state,
                    days,
                ]
            )
        columns = [
            Column("Check-in"),
            Column("Due so far", "count"),
            Column("Submitted", "count"),
            Column("On time", "count"),
            Column("Late", "count"),
            Column("Overdue now", "count"),
            Column("Completion (%)", "percent"),
        ]
        table = Table("completion", "Check-in completion by milestone", columns)
        keys = ["due", "submitted", "on_time", "late", "overdue"]
        for months in self.points:
            counts = stats[months]
            table.rows.append(
                [
                    f"{months} months",
                    *(counts[k] for k in keys),
                    percent(counts["submitted"], counts["due"]),
                ]
            )
        total = sum(stats.values(), Counter())
        table.footer.append(
            ["All milestones", *(total[k] for k in keys), percent(total["submitted"], total["due"])]
        )
        # Overdue first, longest first: the people to chase.
        late_rows.sort(key=lambda r: (r[4] != "Overdue", -r[5], str(r[0])))
        late = Table(
            "late",
            "Who is late",
            [
                Column("Organization"),
                Column("Lab"),
                Column("Check-in (months)", "count"),
                Column("Due on", "date"),
                Column("Status"),
                Column("Days late", "count"),
            ],
            late_rows,
            empty="No check-in is late.",
        )
        chart = charts.bar_chart(
            key="chart-completion",
            title="Check-in completion by milestone",
            desc="Stacked bar chart: for each milestone, the check-ins due so far split into "
            "submitted on time, submitted late and overdue now. The table beside it has the "
            "figures.",
            categories=[f"{m} months" for m in self.points],
            series=[
                charts.Series("On time", [stats[m]["on_time"] for m in self.points]),
                charts.Series("Late", [stats[m]["late"] for m in self.points]),
                charts.Series("Overdue now", [stats[m]["overdue"] for m in self.points]),
            ],
            stacked=True,
        )
        return Section(
            "completion",
            "Check-in completion",
            "The check-ins at 6, 12 and 18 months after the program (or the lab's own "
            "offsets) whose due date has passed, in each lab's time zone.",
            [table, late],
            chart,
            [
                "Only check-ins already due are counted; withdrawn organizations are left out. "
                "On time means submitted on or before the due date."
            ],
        )

    # --- 3. Metric trajectories -------------------------------------------------------------

    def trajectories(self) -> Section:
        standard_values: dict[tuple, dict[int, Decimal]] = defaultdict(dict)
        metric_values: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for v in self.data.values if self.data else []:
            months = v["checkin__months"]
            if v["standard"]:
                standard_values[(v["standard"], v["checkin__participation_id"])][months] = v[
                    "value"
                ]
            else:
                metric_values[v["metric_id"]][months] = v["value"]

        # Standard metrics: one series of (baseline, values by point) per organization.
        standard_rows, chart_series = [], []
        for metric in StandardMetric:
            per_org = []
            for p in self.participations:
                values = standard_values.get((metric.value, p["pk"]), {})
                base_field = BASELINE_FIELDS.get(metric)
                base = p[base_field] if base_field else None
                if values or base is not None:
                    per_org.append((base, values, None))
            rows, line = self._trajectory(
                metric.label,
                per_org,
                people=metric not in AVERAGED,
                averaged=metric in AVERAGED,
                has_baseline=metric in BASELINE_FIELDS,
            )
            if any(row[2] for row in rows):  # leave out metrics no one reported
                standard_rows += rows
            if line:
                chart_series.append(line)

        # Initiative metrics: grouped by name and unit across organizations.
        groups: dict[tuple[str, str], list] = {}
        labels: dict[tuple[str, str], tuple[str, str]] = {}
        for m in self.data.metrics if self.data else []:
            key = (" ".join(m["name"].lower().split()), m["unit"].strip().lower())
            labels.setdefault(key, (m["name"].strip(), m["unit"].strip()))
            groups.setdefault(key, []).append(
                (m["baseline"], metric_values.get(m["pk"], {}), m["target"])
            )
        initiative_rows, initiative_series = [], []
        for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
            name, unit = labels[key]
            averaged = "%" in unit or "percent" in unit.lower()
            rows, line = self._trajectory(
                name,
                groups[key],
                people=not averaged,
                averaged=averaged,
                has_baseline=True,
                unit=unit,
            )
            initiative_rows += rows
            if line:
                initiative_series.append(line)

        common = [
            Column("Check-in"),
            Column("Organizations reporting", "count"),
            Column("Baseline (same organizations)", "number"),
            Column("Value", "number"),
        ]
        standard = Table(
            "standard-metrics",
            "Standard mentorship metrics",
            [Column("Metric"), *common, Column("Growth from baseline (%)", "growth")],
            standard_rows,
            empty="No metrics reported yet.",
        )
        initiative = Table(
            "initiative-metrics",
            "Initiatives' own success metrics (same name and unit added together)",
            [
                Column("Metric"),
                Column("Unit"),
                *common,
                Column("Target (same organizations)", "number"),
                Column("Growth from baseline (%)", "growth"),
            ],
            initiative_rows,
            empty="No funded initiative has success metrics yet.",
        )
        series = (chart_series + initiative_series)[: len(charts.PALETTE)]
        chart = charts.line_chart(
            key="chart-growth",
            title="Growth from baseline at each check-in",
            desc="Line chart of each metric's growth in percent from its baseline (0%) to the "
            "check-ins at "
            + ", ".join(f"{m}" for m in self.points)
            + " months, for the metrics with a baseline. The tables beside it have the figures.",
            points=["Baseline"] + [f"{m} months" for m in self.points],
            series=series,
        )
        return Section(
            "trajectories",
            "Metric trajectories",
            "Each metric at its baseline and at every check-in, with growth in percent from "
            "the baseline (the guide's example: 40% growth in mentors with engineering, "
            "product and UX backgrounds).",
            [standard, initiative],
            chart,
            [
                "At each check-in the figures add up only the organizations that reported both "
                "a baseline and a value at that check-in, so the baseline column changes with "
                "them; the number of organizations reporting is beside it.",
                "Baselines: active mentors and mentees as recorded when each organization signed "
                "its agreement; an initiative's success metric as set in its approved "
                "application. Other standard metrics have no baseline, so no growth. Shares "
                "(mentor retention, metrics in %) are averaged across organizations instead of "
                "added.",
                "Only submitted check-ins count.",
            ],
        )

    def _trajectory(
        self,
        name: str,
        per_org: list[tuple],
        *,
        people: bool,
        averaged: bool,
        has_baseline: bool,
        unit: str | None = None,
    ) -> tuple[list[list], charts.Series | None]:
        """Rows (one per check-in point) for one metric, and its growth line for the chart."""
        rows, line, any_growth = [], [Decimal("0")] if has_baseline else [None], False
        prefix = [name] if unit is None else [name, unit]

        def tail(target) -> list:  # initiative metrics carry their target
            return [] if unit is None else [target]

        for months in self.points:
            if has_baseline:
                both = [(b, v[months], t) for b, v, t in per_org if b is not None and months in v]
            else:
                both = [(None, v[months], t) for b, v, t in per_org if months in v]
            if not both:
                rows.append([*prefix, f"{months} months", 0, None, None, *tail(None), None])
                line.append(None)
                continue
            combine = (lambda xs: _sum(xs) / len(xs)) if averaged else _sum
            base = combine([b for b, _, _ in both]) if has_baseline else None
            value = combine([v for _, v, _ in both])
            target = combine([t for _, _, t in both]) if unit is not None else None
            change = growth(base, value)
            if averaged:
                base = base.quantize(Decimal("0.1")) if base is not None else None
                value = value.quantize(Decimal("0.1"))
                target = target.quantize(Decimal("0.1")) if target is not None else None
            if people:
                base, value = self.people(base), self.people(value)
                if is_protected(base, value):
                    change = None  # a ratio of protected counts would give them away
            rows.append(
                [*prefix, f"{months} months", len(both), base, value, *tail(target), change]
            )
            any_growth = any_growth or change is not None
            line.append(change)
        series = charts.Series(name, line) if any_growth else None
        return rows, series

    # --- 4. The facilitator's success signs -------------------------------------------------

    def success(self) -> Section:
        cohort = Counter(p["lab_id"] for p in self.current)
        attendance = self.data.attendance if self.data else {}
        meetings = self.data.meetings if self.data else {}
        columns = [
            Column("Lab"),
            Column("Cohort (organizations)", "count"),
            Column("Attendance rate (%)", "percent"),
            Column("Present", "count"),
            Column("Recorded", "count"),
            Column("In person (% of present)", "percent"),
            Column("Remote (% of present)", "percent"),
            Column("Focus groups held", "count"),
            Column("1:1 support sessions held", "count"),
        ]
        table = Table("success", "The facilitator's success signs by lab", columns)
        total = Counter()
        chart_rows = []
        for lab in self.labs:
            counts = Counter(attendance.get(lab.pk, {}))
            held = Counter(meetings.get(lab.pk, {}))
            total.update(counts)
            total.update(held)
            total["cohort"] += cohort[lab.pk]
            row, shares = self._signs(cohort[lab.pk], counts, held)
            table.rows.append([self.lab_cell(lab), *row])
            chart_rows.append((lab.name, shares))
        row, shares = self._signs(total["cohort"], total, total)
        table.footer.append(["All labs", *row])
        if not self.chart_labs:
            chart_rows = [("All labs", shares)]
        chart = charts.bar_chart(
            key="chart-attendance",
            title="Attendance: present in person, present remotely, not present",
            desc="Stacked bar chart of the attendance records of meetings held, in percent: "
            "present in person, present remotely and absent or excused"
            + (", for each lab." if self.chart_labs else ", for all labs together.")
            + " Labs with fewer than 5 records in a cross-lab report are left blank. The table "
            "beside it has the figures.",
            categories=[name for name, _ in chart_rows],
            series=[
                charts.Series("In person", [s[0] for _, s in chart_rows]),
                charts.Series("Remote", [s[1] for _, s in chart_rows]),
                charts.Series("Not present", [s[2] for _, s in chart_rows]),
            ],
            stacked=True,
            unit="%",
            axis_max=100,
        )
        notes = [
            "Cohort: organizations taking part, withdrawn ones left out. Attendance counts the "
            "records facilitators took at meetings that were not cancelled; in person and remote "
            "are shares of the people present (the guide's hybrid model).",
            "Focus groups and 1:1 support sessions held: not cancelled, and already over.",
        ]
        if self.filters.client_group:
            notes.append(
                "With a client group chosen, attendance and 1:1 sessions count only its "
                "organizations; focus groups are the lab's."
            )
        return Section(
            "success",
            "The facilitator's success signs",
            "A small, intimate cohort that shows up, in person and remotely, with focus groups "
            "and 1:1 support along the way.",
            [table],
            chart,
            notes,
        )

    def _signs(self, cohort: int, counts: Counter, held: Counter) -> tuple[list, list]:
        recorded, present = counts["recorded"], counts["present"]
        in_person, remote = counts["in_person"], counts["remote"]
        small = self.small and 0 < recorded < SMALL_GROUP
        rate = None if small else percent(present, recorded)
        in_share = None if small else percent(in_person, present)
        remote_share = None if small else percent(remote, present)
        row = [
            cohort,
            FEWER_THAN_5 if small else rate,
            self.people(present),
            self.people(recorded),
            FEWER_THAN_5 if small and present else in_share,
            FEWER_THAN_5 if small and present else remote_share,
            held["focus"],
            held["support"],
        ]
        if small or not recorded:
            shares = [None, None, None]
        else:
            shares = [
                percent(in_person, recorded),
                percent(remote, recorded),
                percent(recorded - present, recorded),
            ]
        return row, shares
