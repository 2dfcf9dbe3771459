"""Check-in workflows: planning each lab's check-ins from its dates, saving drafts, submitting,
and the facilitators' question and acknowledgment.

Planning rules (`checkins_plan_for_lab`):
- every participation that COMPLETED the lab gets one check-in per offset in
  `lab.checkin_offsets`, due that many months after the program ends, opening
  `DEFAULT_OPENS_DAYS_BEFORE` days earlier;
- check-ins not yet submitted follow the lab's dates (and their pending reminders with them);
  submitted ones are history and never move;
- an offset taken off the lab removes that offset's unsubmitted check-ins, drafts included,
  with their pending reminders (the facilitators decided not to ask for it); submitted ones
  stay. A participation that is no longer completed (withdrawn) loses its unsubmitted ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from checkins import tasks
from checkins.models import (
    DEFAULT_OPENS_DAYS_BEFORE,
    CheckIn,
    CheckInEvent,
    CheckInStatus,
    CheckInStory,
    CheckInValue,
    StandardMetric,
)
from checkins.reminders import reminders_cancel, reminders_plan
from funding.models import Application, ApplicationStatus, Spending
from labs.models import Lab
from participants.models import Participation, ParticipationStatus

S = CheckInStatus


class CheckInError(Exception):
    """A check-in step that can't happen now; the message is for people."""


class CheckInIncomplete(CheckInError):
    """Submission refused: `missing` maps each field to what it still needs."""

    def __init__(self, missing: dict[str, str]):
        self.missing = missing
        super().__init__(
            "Not submitted yet: " + " ".join(missing.values()) + " Your draft is saved."
        )


# --- Planning --------------------------------------------------------------------------------


@dataclass
class PlanResult:
    created: list[CheckIn] = field(default_factory=list)
    moved: list[CheckIn] = field(default_factory=list)
    removed: list[CheckIn] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.moved or self.removed)


def checkin_dates(lab: Lab) -> dict[int, tuple[dt.date, dt.date]]:
    """months → (opens_on, due_on) for the lab's current offsets."""
    return {
        months: (due - dt.timedelta(days=DEFAULT_OPENS_DAYS_BEFORE), due)
        for months, due in lab.timeline.checkin_dates
    }


def checkins_plan_for_lab(*, lab: Lab, dry_run: bool = False) -> PlanResult:
    """Bring the lab's check-ins in line with its dates, offsets and who completed it (see the
    module's rules). Idempotent, and a fixed number of queries whatever the cohort's size."""
    with transaction.atomic():
        # One planner per lab at a time: two would both create the same missing check-ins.
        Lab.objects.select_for_update().filter(pk=lab.pk).values_list("pk").first()
        return _plan(lab, dry_run=dry_run)


def _plan(lab: Lab, *, dry_run: bool) -> PlanResult:
    wanted = checkin_dates(lab)
    completed = list(
        Participation.objects.filter(lab=lab, status=ParticipationStatus.COMPLETED).select_related(
            "organization"
        )
    )
    existing = list(
        CheckIn.objects.filter(participation__lab=lab).select_related("participation__organization")
    )
    have = {(c.participation_id, c.months): c for c in existing}
    completed_ids = {p.pk for p in completed}
    result = PlanResult()
    for checkin in existing:
        if checkin.is_submitted:
            continue
        dates = wanted.get(checkin.months)
        if checkin.participation_id not in completed_ids or dates is None:
            result.removed.append(checkin)
        elif (checkin.opens_on, checkin.due_on) != dates:
            checkin.opens_on, checkin.due_on = dates
            result.moved.append(checkin)
    for participation in completed:
        for months, (opens_on, due_on) in wanted.items():
            if (participation.pk, months) not in have:
                result.created.append(
                    CheckIn(
                        participation=participation,
                        months=months,
                        opens_on=opens_on,
                        due_on=due_on,
                    )
                )
    if dry_run:
        return result
    if result.removed:
        CheckIn.objects.filter(pk__in=[c.pk for c in result.removed]).delete()
    CheckIn.objects.bulk_update(result.moved, ["opens_on", "due_on"])
    CheckIn.objects.bulk_create(result.created)
    removed = {c.pk for c in result.removed}
    open_ones = [
        c for c in [*existing, *result.created] if not c.is_submitted and c.pk not in removed
    ]
    # All still open, not only the changed ones: a check-in planned before reminders
    # existed gets its reminders too (reminders_plan adds only what is missing).
    reminders_plan(checkins=open_ones, tz=lab.tz)
    return result


def checkins_plan_all(*, dry_run: bool = False) -> dict[Lab, PlanResult]:
    """Plan every lab (for data from before check-ins existed, or after a fix)."""
    return {lab: checkins_plan_for_lab(lab=lab, dry_run=dry_run) for lab in Lab.objects.all()}


def plan_on_timeline_changed(*, lab: Lab) -> None:
    checkins_plan_for_lab(lab=lab)


def plan_on_participation_changed(*, participation: Participation) -> None:
    # Only completing the lab or leaving it changes who owes check-ins.
    if participation.status in (ParticipationStatus.COMPLETED, ParticipationStatus.WITHDRAWN):
        checkins_plan_for_lab(lab=Lab.objects.get(pk=participation.lab_id))


# --- What the form shows beside the fields ---------------------------------------------------


def initiative_for(participation: Participation) -> Application | None:
    """The organization's funded initiative in this lab, if it had one."""
    return (
        Application.objects.filter(
            round__lab_id=participation.lab_id,
            organization_id=participation.organization_id,
            status=ApplicationStatus.APPROVED,
        )
        .select_related("award")
        .prefetch_related("metrics")
        .first()
    )


def reported_spending(application: Application | None) -> Decimal | None:
    """What the organization reported spent in its monthly progress updates."""
    if application is None:
        return None
    total = Spending.objects.filter(update__application=application).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total or Decimal("0")


def award_amount(application: Application | None) -> Decimal | None:
    if application is None:
        return None
    award = getattr(application, "award", None)
    return award.amount if award else None


# --- Saving and submitting -------------------------------------------------------------------

MetricKey = tuple[str, str | int]  # ("standard", "active_mentors") or ("metric", 12)


def missing_for_submission(checkin: CheckIn) -> dict[str, str]:
    """What a check-in still needs before it can be submitted, by field."""
    missing = {}
    if not checkin.progress.strip():
        missing["progress"] = "Describe your progress since the program."
    if checkin.funds_spent is None:
        missing["funds_spent"] = "Enter how much of the award you have spent (0 if none)."
    elif checkin.funds_spent > 0 and not checkin.funds_spent_on.strip():
        missing["funds_spent_on"] = "Say what the funds were spent on."
    if not checkin.impact.strip():
        missing["impact"] = "Describe the long-term impact you see."
    return missing


def _locked(checkin: CheckIn) -> CheckIn:
    return CheckIn.objects.select_for_update().get(pk=checkin.pk)


def version_of(checkin: CheckIn) -> str:
    """What an editor saw: compared on save so one editor never silently overwrites another."""
    return checkin.updated_at.isoformat() if checkin.updated_at else ""


CONTENT_FIELDS = ("progress", "funds_spent", "funds_spent_on", "funds_remaining", "impact")


@transaction.atomic
def checkin_save(
    *,
    checkin: CheckIn,
    user: User,
    values: dict[MetricKey, Decimal | None],
    stories: Iterable[CheckInStory] = (),
    remove_stories: Iterable[CheckInStory] = (),
    seen_version: str | None = None,
) -> CheckIn:
    """Save the organization's draft: the narrative and funding fields on `checkin`, the metric
    values (None = not reported, no row) and the stories, in order.

    `seen_version` is `version_of` the check-in when the editor opened it; if someone saved
    since, nothing is written and the error says so (the view keeps what was typed)."""
    current = _locked(checkin)
    if current.status not in S.editable():
        raise CheckInError(
            f"This check-in is {current.get_status_display().lower()}; it can't be changed now."
        )
    if seen_version is not None and seen_version != version_of(current):
        local = timezone.localtime(current.updated_at, checkin.participation.lab.tz)
        raise CheckInError(
            f"Someone in your organization saved this check-in at {local:%-I:%M %p} since you "
            "opened it. Your version is below and nothing was saved; saving again will replace "
            "theirs."
        )
    checkin.updated_at = timezone.now()
    checkin.save(update_fields=[*CONTENT_FIELDS, "updated_at"])
    _save_values(checkin, values)
    _save_stories(checkin, list(stories), list(remove_stories))
    return checkin


def _save_values(checkin: CheckIn, values: dict[MetricKey, Decimal | None]) -> None:
    existing = {_value_key(row): row for row in checkin.values.all()}
    create, update, delete = [], [], []
    for key, value in values.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                delete.append(row.pk)
        elif row is None:
            kind, ref = key
            create.append(
                CheckInValue(checkin=checkin, value=value, standard=ref)
                if kind == "standard"
                else CheckInValue(checkin=checkin, value=value, metric_id=ref)
            )
        elif row.value != value:
            row.value = value
            update.append(row)
    if delete:
        CheckInValue.objects.filter(pk__in=delete).delete()
    CheckInValue.objects.bulk_update(update, ["value"])
    CheckInValue.objects.bulk_create(create)


def _save_stories(checkin: CheckIn, keep: list[CheckInStory], remove: list[CheckInStory]) -> None:
    ids = [s.pk for s in remove if s.pk]
    if ids:
        CheckInStory.objects.filter(checkin=checkin, pk__in=ids).delete()
    for position, story in enumerate(keep, start=1):
        story.checkin = checkin
        story.position = position
        story.save()


@transaction.atomic
def checkin_submit(*, checkin: CheckIn, user: User) -> CheckIn:
    """Submit the saved draft, or the answer to the facilitators' question. The first
    submission is stamped (who, when) and stops the reminders; it never moves again."""
    current = _locked(checkin)
    if current.status not in S.editable():
        raise CheckInError(
            f"This check-in is already {current.get_status_display().lower()}; "
            "there is nothing to submit."
        )
    today = checkin.participation.lab.today()
    if today < current.opens_on:
        raise CheckInError(
            f"This check-in opens on {current.opens_on:%B %-d, %Y}. Your draft is saved; "
            "submit it from then."
        )
    missing = missing_for_submission(current)
    if missing:
        raise CheckInIncomplete(missing)
    now = timezone.now()
    answering = current.status == S.QUESTION
    fields = ["status", "updated_at"]
    if current.submitted_at is None:
        current.submitted_at, current.submitted_by = now, user
        fields += ["submitted_at", "submitted_by"]
    from_status, current.status, current.updated_at = current.status, S.SUBMITTED, now
    current.save(update_fields=fields)
    CheckInEvent.objects.create(
        checkin=current,
        from_status=from_status,
        to_status=S.SUBMITTED,
        actor=user,
        message="Answered the facilitators' question." if answering else "",
        created_at=now,
    )
    if not answering:
        reminders_cancel(checkin=current)
    _refresh(checkin, current, fields)
    return checkin


@transaction.atomic
def checkin_ask_question(*, checkin: CheckIn, user: User, message: str) -> CheckIn:
    """A facilitator asks the organization about its submission: it opens for editing again
    and the organization's members are e-mailed the question."""
    message = message.strip()
    if not message:
        raise CheckInError("Write the question for the organization.")
    current = _locked(checkin)
    if current.status != S.SUBMITTED:
        raise CheckInError(_cannot(current, "ask a question"))
    now = timezone.now()
    current.status, current.facilitator_message, current.updated_at = S.QUESTION, message, now
    fields = ["status", "facilitator_message", "updated_at"]
    current.save(update_fields=fields)
    CheckInEvent.objects.create(
        checkin=current,
        from_status=S.SUBMITTED,
        to_status=S.QUESTION,
        actor=user,
        message=message,
        created_at=now,
    )
    tasks.send_checkin_notice.delay_on_commit(current.pk, "question")
    _refresh(checkin, current, fields)
    return checkin


@transaction.atomic
def checkin_acknowledge(
    *, checkin: CheckIn, user: User, message: str = "", notify: bool = False
) -> CheckIn:
    """A facilitator accepts the submission as it is; the note (optional) is recorded and, if
    asked, e-mailed to the organization."""
    current = _locked(checkin)
    if current.status != S.SUBMITTED:
        raise CheckInError(_cannot(current, "acknowledge it"))
    now = timezone.now()
    message = message.strip()
    current.status, current.acknowledged_at, current.updated_at = S.ACKNOWLEDGED, now, now
    # The current note replaces an answered question (which stays in the history).
    current.facilitator_message = message
    fields = ["status", "acknowledged_at", "facilitator_message", "updated_at"]
    current.save(update_fields=fields)
    note = message
    if notify:
        note = (
            f"{message}\n\nE-mailed to the organization."
            if message
            else "E-mailed to the organization."
        )
    CheckInEvent.objects.create(
        checkin=current,
        from_status=S.SUBMITTED,
        to_status=S.ACKNOWLEDGED,
        actor=user,
        message=note,
        created_at=now,
    )
    if notify:
        tasks.send_checkin_notice.delay_on_commit(current.pk, "acknowledged")
    _refresh(checkin, current, fields)
    return checkin


def _cannot(checkin: CheckIn, what: str) -> str:
    if checkin.status == S.QUESTION:
        return f"A question is waiting for the organization's answer; {what} once it answers."
    if checkin.status == S.DRAFT:
        return f"This check-in isn't submitted yet; you can {what} once it is."
    return f"This check-in is already {checkin.get_status_display().lower()}."


def _refresh(checkin: CheckIn, current: CheckIn, fields: list[str]) -> None:
    for name in fields:
        setattr(checkin, name, getattr(current, name))


# --- Metric rows: each value beside its baseline, target and earlier check-ins ---------------


@dataclass
class MetricRow:
    key: MetricKey
    label: str
    unit: str = ""
    baseline: Decimal | int | None = None
    target: Decimal | None = None
    value: Decimal | None = None
    previous: list[tuple[int, Decimal]] = field(default_factory=list)
    help_text: str = ""

    @property
    def name(self) -> str:
        kind, ref = self.key
        return f"{kind}_{ref}"

    @property
    def growth(self) -> Decimal | None:
        """Percent change from the baseline, when both are known and the baseline isn't 0."""
        if self.value is None or not self.baseline:
            return None
        return (Decimal(self.value) - Decimal(self.baseline)) * 100 / Decimal(self.baseline)


STANDARD_HELP = {
    StandardMetric.MENTOR_RETENTION: "Share of last year's mentors still mentoring, 0–100.",
    StandardMetric.MATCHES_MADE: "Mentor–mentee matches made since the last check-in.",
}


def metric_rows(checkin: CheckIn, initiative: Application | None) -> list[MetricRow]:
    """The standard mentorship measures, then the initiative's own success metrics, with this
    check-in's values and those of the organization's earlier submitted check-ins. Three
    queries (the initiative's metrics are prefetched)."""
    participation = checkin.participation
    baselines = {
        StandardMetric.ACTIVE_MENTORS: participation.baseline_active_mentors,
        StandardMetric.ACTIVE_MENTEES: participation.baseline_active_mentees,
    }
    rows = [
        MetricRow(
            key=("standard", code),
            label=label,
            baseline=baselines.get(code),
            help_text=STANDARD_HELP.get(code, ""),
        )
        for code, label in StandardMetric.choices
    ]
    for metric in initiative.metrics.all() if initiative else ():
        rows.append(
            MetricRow(
                key=("metric", metric.pk),
                label=metric.name,
                unit=metric.unit,
                baseline=metric.baseline,
                target=metric.target,
            )
        )
    by_key = {row.key: row for row in rows}
    if checkin.pk:
        for value in checkin.values.all():
            row = by_key.get(_value_key(value))
            if row:
                row.value = value.value
    earlier = CheckInValue.objects.filter(
        checkin__participation_id=checkin.participation_id,
        checkin__months__lt=checkin.months,
        checkin__submitted_at__isnull=False,
    ).order_by("checkin__months")
    for value in earlier.values("standard", "metric_id", "value", "checkin__months"):
        key = (
            ("standard", value["standard"]) if value["standard"] else ("metric", value["metric_id"])
        )
        if key in by_key:
            by_key[key].previous.append((value["checkin__months"], value["value"]))
    return rows


def _value_key(value: CheckInValue) -> MetricKey:
    return ("standard", value.standard) if value.standard else ("metric", value.metric_id)
