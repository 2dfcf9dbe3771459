"""Phase 2 workflows: the funded initiative's monthly progress and spending, facilitators'
replies, and the final deliverable (draft → submitted → accepted, or changes requested and
submitted again). Also the read side the pages share: the Phase 2 calendar of monthly
updates, budget versus actual, metric progress and the status the cohort sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from funding import tasks
from funding.models import (
    Application,
    BudgetLine,
    Deliverable,
    DeliverableAttachment,
    DeliverableEvent,
    DeliverableStatus,
    FinalMetric,
    MetricValue,
    ProgressUpdate,
    Spending,
    SuccessMetric,
    UpdateReply,
)
from funding.services import FundingError
from labs.models import Lab, PhaseKey

D = DeliverableStatus
ZERO = Decimal("0")
HUNDRED = Decimal("100")


# --- The Phase 2 calendar -----------------------------------------------------------------------


def phase2_months(lab: Lab) -> list[dt.date]:
    """The first day of every calendar month Phase 2 touches, in order."""
    phase = lab.timeline.phase(PhaseKey.PHASE2)
    month, months = phase.start.replace(day=1), []
    while month <= phase.last_day:
        months.append(month)
        month += relativedelta(months=1)
    return months


def deliverable_due(lab: Lab) -> dt.date:
    """The final deliverable is due on the last day of Phase 2."""
    return lab.timeline.phase(PhaseKey.PHASE2).last_day


def reportable_months(lab: Lab, today: dt.date | None = None) -> list[dt.date]:
    """Phase 2 months that have begun: the ones an update may be posted for."""
    this_month = (today or lab.today()).replace(day=1)
    return [m for m in phase2_months(lab) if m <= this_month]


def previous_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - relativedelta(months=1)


class MonthState:
    REPORTED = "reported"
    MISSING = "missing"  # the month is over and no update was posted
    OPEN = "open"  # the month is under way
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    state: str
    update: ProgressUpdate | None = None


def month_rows(
    lab: Lab, updates: Iterable[ProgressUpdate], today: dt.date | None = None
) -> list[MonthRow]:
    """Each Phase 2 month with its update, or why it has none."""
    this_month = (today or lab.today()).replace(day=1)
    by_month = {u.month: u for u in updates}
    rows = []
    for month in phase2_months(lab):
        if month in by_month:
            state = MonthState.REPORTED
        elif month < this_month:
            state = MonthState.MISSING
        elif month == this_month:
            state = MonthState.OPEN
        else:
            state = MonthState.UPCOMING
        rows.append(MonthRow(month, state, by_month.get(month)))
    return rows


def months_to_report(
    lab: Lab, reported: Iterable[dt.date], today: dt.date | None = None
) -> list[dt.date]:
    """Begun Phase 2 months without an update, the one to post next first: the latest month
    that has ended (the update reminded on the 1st), else the month under way."""
    done = set(reported)
    this_month = (today or lab.today()).replace(day=1)
    months = [m for m in reversed(reportable_months(lab, today)) if m not in done]
    return sorted(months, key=lambda m: (m == this_month, -m.toordinal()))


# --- Budget versus actual, metric progress -----------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    label: str
    planned: Decimal
    spent: Decimal
    line: BudgetLine | None = None

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def percent(self) -> Decimal | None:
        """Share of the line spent, to one decimal; None for a line with nothing planned."""
        if not self.planned:
            return None
        return (self.spent * HUNDRED / self.planned).quantize(Decimal("0.1"))

    @property
    def is_over(self) -> bool:
        return self.spent > self.planned


def budget_vs_actual(application: Application) -> tuple[list[BudgetRow], BudgetRow]:
    """Each budget line with what the monthly updates report spent on it, and the total."""
    lines = application.budget_lines.annotate(spent_to_date=Sum("spending__amount"))
    rows = [
        BudgetRow(
            label=f"{line.get_category_display()}: {line.description}",
            planned=line.amount,
            spent=line.spent_to_date or ZERO,
            line=line,
        )
        for line in lines
    ]
    total = BudgetRow(
        label="Total",
        planned=sum((r.planned for r in rows), ZERO),
        spent=sum((r.spent for r in rows), ZERO),
    )
    return rows, total


@dataclass(frozen=True)
class MetricRow:
    metric: SuccessMetric
    latest: Decimal | None = None
    latest_month: dt.date | None = None

    @property
    def reached_target(self) -> bool:
        if self.latest is None:
            return False
        m = self.metric
        return self.latest >= m.target if m.target >= m.baseline else self.latest <= m.target


def metric_progress(application: Application) -> list[MetricRow]:
    """Each success metric with its value in the latest update that reported it."""
    latest: dict[int, MetricValue] = {}
    values = MetricValue.objects.filter(metric__application=application).select_related("update")
    for value in values.order_by("update__month"):
        latest[value.metric_id] = value
    rows = []
    for metric in application.metrics.all():
        value = latest.get(metric.pk)
        rows.append(
            MetricRow(metric, value.value, value.update.month) if value else MetricRow(metric)
        )
    return rows


# --- What the cohort sees ------------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeStatus:
    label: str
    tone: str  # a Bootstrap text-bg colour with AA contrast


def initiative_status(
    application: Application,
    *,
    lab: Lab,
    last_reported: dt.date | None,
    today: dt.date | None = None,
) -> InitiativeStatus:
    """One line about where an initiative stands, from facts the cohort may know (whether
    updates are in and the deliverable's state), never from what the updates say."""
    today = today or lab.today()
    deliverable = getattr(application, "deliverable", None)
    status = deliverable.status if deliverable else None
    if status == D.ACCEPTED:
        return InitiativeStatus("Deliverable accepted", "success")
    if status == D.SUBMITTED:
        return InitiativeStatus("Deliverable submitted", "info")
    months = phase2_months(lab)
    if today < lab.timeline.phase(PhaseKey.PHASE2).start:
        return InitiativeStatus(f"Starts {months[0]:%B %Y}", "light")
    if today > deliverable_due(lab):
        return InitiativeStatus("Deliverable due", "warning")
    due_month = previous_month(today)
    if due_month in months and (last_reported is None or last_reported < due_month):
        return InitiativeStatus(f"{due_month:%B} update due", "warning")
    return InitiativeStatus("On track", "success")


# --- Monthly progress updates ------------------------------------------------------------------


def _require_initiative(application: Application) -> None:
    if not application.is_initiative:
        raise FundingError("Only a funded initiative (an approved application) reports progress.")


def _already_reported(month: dt.date) -> FundingError:
    return FundingError(f"{month:%B %Y} already has an update; edit that one instead.")


@transaction.atomic
def progress_update_save(
    *,
    application: Application,
    user: User,
    what_happened: str,
    blockers: str,
    values: Mapping[int, Decimal],
    spending: Mapping[int, Decimal],
    month: dt.date | None = None,
    update: ProgressUpdate | None = None,
) -> ProgressUpdate:
    """Post a month's update (or edit one): what happened, blockers, a value for each success
    metric and what was spent on each budget line this period (zero lines are not stored)."""
    _require_initiative(application)
    metric_ids = set(application.metrics.values_list("pk", flat=True))
    line_ids = set(application.budget_lines.values_list("pk", flat=True))
    if set(values) != metric_ids:
        raise FundingError("Give one value for each success metric.")
    if not set(spending) <= line_ids or any(amount < 0 for amount in spending.values()):
        raise FundingError("Spending goes on this initiative's budget lines, never below zero.")
    if update is None:
        lab = application.lab
        if month not in reportable_months(lab):
            raise FundingError("Choose a month of Phase 2 that has begun.")
        if application.progress_updates.filter(month=month).exists():
            raise _already_reported(month)
        update = ProgressUpdate(application=application, month=month, author=user)
    elif update.application_id != application.pk:
        raise FundingError("This update belongs to another initiative.")
    update.what_happened = what_happened
    update.blockers = blockers
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:  # posted for the same month a moment ago
        raise _already_reported(update.month) from None
    update.values.all().delete()
    MetricValue.objects.bulk_create(
        MetricValue(update=update, metric_id=metric_id, value=value)
        for metric_id, value in values.items()
    )
    update.spending.all().delete()
    Spending.objects.bulk_create(
        Spending(update=update, budget_line_id=line_id, amount=amount)
        for line_id, amount in spending.items()
        if amount
    )
    return update


def update_reply(*, update: ProgressUpdate, author: User, body: str) -> UpdateReply:
    body = body.strip()
    if not body:
        raise FundingError("Write a reply to post.")
    return UpdateReply.objects.create(update=update, author=author, body=body)


# --- Final deliverable --------------------------------------------------------------------------


@transaction.atomic
def deliverable_start(*, application: Application, user: User) -> Deliverable:
    """The initiative's deliverable, begun as a draft the first time someone works on it."""
    _require_initiative(application)
    deliverable, created = Deliverable.objects.get_or_create(application=application)
    if created:
        DeliverableEvent.objects.create(
            deliverable=deliverable, from_status="", to_status=D.DRAFT, actor=user
        )
    return deliverable


def _locked_editable(deliverable: Deliverable) -> Deliverable:
    current = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if not current.is_editable:
        raise FundingError(
            f"This deliverable is {current.get_status_display().lower()}; it can't be changed now."
        )
    return current


@transaction.atomic
def deliverable_save(
    *,
    deliverable: Deliverable,
    user: User,
    summary: str,
    outcomes: str,
    lessons: str,
    final_values: Mapping[int, Decimal | None],
    attachment: UploadedFile | None = None,
) -> Deliverable:
    """Save the draft (anything may still be missing) and add an attachment, while the
    deliverable is a draft or has changes requested."""
    _locked_editable(deliverable)
    metric_ids = set(deliverable.application.metrics.values_list("pk", flat=True))
    if not set(final_values) <= metric_ids:
        raise FundingError("Final values go on this initiative's success metrics.")
    Deliverable.objects.filter(pk=deliverable.pk).update(
        summary=summary, outcomes=outcomes, lessons=lessons, updated_at=timezone.now()
    )
    deliverable.final_metrics.all().delete()
    FinalMetric.objects.bulk_create(
        FinalMetric(deliverable=deliverable, metric_id=metric_id, final_value=value)
        for metric_id, value in final_values.items()
        if value is not None
    )
    if attachment is not None:
        DeliverableAttachment.objects.create(
            deliverable=deliverable,
            file=attachment,
            name=(attachment.name or "attachment")[-200:],
            size=attachment.size,
            uploaded_by=user,
        )
    deliverable.refresh_from_db()
    return deliverable


@transaction.atomic
def deliverable_attachment_delete(*, attachment: DeliverableAttachment) -> None:
    _locked_editable(attachment.deliverable)
    stored = attachment.file
    attachment.delete()
    # The file goes only once the row is surely gone.
    transaction.on_commit(lambda: stored.delete(save=False))


def missing_for_deliverable(deliverable: Deliverable) -> list[str]:
    """What a deliverable still lacks before it can be submitted, in words for the org."""
    missing = [
        label
        for label, value in (
            ("a summary", deliverable.summary),
            ("the outcomes", deliverable.outcomes),
            ("lessons learned", deliverable.lessons),
        )
        if not value.strip()
    ]
    metrics = deliverable.application.metrics.count()
    if deliverable.final_metrics.count() < metrics:
        missing.append("a final value for every success metric")
    return missing


def _deliverable_transition(
    deliverable: Deliverable,
    *,
    allowed: set[str],
    to: str,
    actor: User,
    message: str = "",
    **fields,
) -> None:
    """Move the deliverable to `to` if (still) in an allowed state; record who and when."""
    current = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if current.status not in allowed:
        raise FundingError(
            f"This deliverable is {current.get_status_display().lower()}; "
            f"it can't become {DeliverableStatus(to).label.lower()}."
        )
    Deliverable.objects.filter(pk=current.pk).update(status=to, updated_at=timezone.now(), **fields)
    DeliverableEvent.objects.create(
        deliverable=current,
        from_status=current.status,
        to_status=to,
        actor=actor,
        message=message,
    )
    deliverable.refresh_from_db()


@transaction.atomic
def deliverable_submit(*, deliverable: Deliverable, user: User) -> None:
    current = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if current.is_editable:
        missing = missing_for_deliverable(current)
        if missing:
            raise FundingError("Before submitting, add " + ", ".join(missing) + ".")
    _deliverable_transition(
        deliverable,
        allowed={D.DRAFT, D.CHANGES_REQUESTED},
        to=D.SUBMITTED,
        actor=user,
        submitted_at=timezone.now(),
    )
    tasks.notify_facilitators_of_deliverable.delay_on_commit(deliverable.pk)


@transaction.atomic
def deliverable_accept(*, deliverable: Deliverable, user: User, message: str = "") -> None:
    _deliverable_transition(
        deliverable,
        allowed={D.SUBMITTED},
        to=D.ACCEPTED,
        actor=user,
        message=message,
        accepted_at=timezone.now(),
        feedback=message,
    )
    tasks.notify_organization_of_deliverable.delay_on_commit(deliverable.pk)


@transaction.atomic
def deliverable_request_changes(*, deliverable: Deliverable, user: User, message: str) -> None:
    if not message.strip():
        raise FundingError("Say what needs to change, so the organization knows what to do.")
    _deliverable_transition(
        deliverable,
        allowed={D.SUBMITTED},
        to=D.CHANGES_REQUESTED,
        actor=user,
        message=message,
        feedback=message,
    )
    tasks.notify_organization_of_deliverable.delay_on_commit(deliverable.pk)


@transaction.atomic
def deliverable_set_public(*, deliverable: Deliverable, user: User, public: bool) -> None:
    """The facilitators choose which accepted deliverables the lab's public showcase shows."""
    current = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if current.status != D.ACCEPTED:
        raise FundingError("Only an accepted deliverable can appear on the public page.")
    if current.on_public_page == public:
        deliverable.refresh_from_db()
        return
    Deliverable.objects.filter(pk=current.pk).update(
        on_public_page=public, updated_at=timezone.now()
    )
    DeliverableEvent.objects.create(
        deliverable=deliverable,
        from_status=D.ACCEPTED,
        to_status=D.ACCEPTED,
        actor=user,
        message="Shown on the lab's public showcase."
        if public
        else "Taken off the lab's public showcase.",
    )
    deliverable.refresh_from_db()
