"""The initiatives' scheduled reminders to each funded organization.

- Progress: from the 1st of each month (in the lab's time zone), from Phase 2's second month to
  the month after it ends, the update for the month before — unless it's already posted. A run
  that was missed catches up only that latest month, never a backlog (key `progress:YYYY-MM`).
- Final deliverable: 30 and 7 days before it is due (Phase 2's last day), unless it's already
  submitted or accepted; after a missed run only the nearer one (keys `deliverable:30`,
  `deliverable:7`).

Each reminder is a `FundingReminder` row whose unique (application, key) is the claim: it is
committed before the e-mail goes out and stamped `sent_at` after, so two workers or a repeated
run never double-send. A claim left unsent (the send failed, or the worker died) is taken over,
once, after `STALE_CLAIM`, for as long as that reminder still applies.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from funding.models import (
    Application,
    DeliverableStatus,
    FundingReminder,
    ProgressUpdate,
)
from funding.services_initiatives import deliverable_due, phase2_months, previous_month
from labs.models import Lab
from mll.emails import send_templated_email
from participants.models import Membership, Participation, ParticipationStatus

logger = logging.getLogger(__name__)

# Longer than any single send takes: a claim this old and still unsent belongs to a dead worker.
STALE_CLAIM = dt.timedelta(minutes=15)
DELIVERABLE_LEADS = (7, 30)  # days before the due date, nearest first
# Phase 2 can't start later than this after Phase 1, nor last longer (the lab's own limits):
# labs further in the past or future can't have a reminder due.
LONGEST_PROGRAM = dt.timedelta(days=(36 + 36 + 2) * 31)


@dataclass(frozen=True)
class Due:
    application: Application
    key: str
    kind: str  # "progress" or "deliverable"
    month: dt.date | None = None  # the month to report, for progress
    due_on: dt.date | None = None  # the deliverable's due date
    days: int | None = None  # the lead of a deliverable reminder


def candidate_initiatives(today: dt.date):
    """Funded initiatives of labs whose Phase 2 may be running, organizations not withdrawn."""
    withdrawn = Participation.objects.filter(
        lab=OuterRef("round__lab"),
        organization=OuterRef("organization"),
        status=ParticipationStatus.WITHDRAWN,
    )
    return (
        Application.objects.initiatives()
        .filter(
            round__lab__start_date__lte=today,
            round__lab__start_date__gt=today - LONGEST_PROGRAM,
        )
        .exclude(Exists(withdrawn))
        .select_related("round__lab", "organization", "deliverable")
        .order_by("pk")
    )


def due_for(application: Application, lab: Lab, today: dt.date) -> list[Due]:
    """What may be due for one initiative on `today` (in the lab's time zone), before looking
    at what was posted or sent."""
    due = []
    month = previous_month(today)
    if month in phase2_months(lab):
        due.append(Due(application, f"progress:{month:%Y-%m}", "progress", month=month))
    deliverable = getattr(application, "deliverable", None)
    done = deliverable is not None and deliverable.status in (
        DeliverableStatus.SUBMITTED,
        DeliverableStatus.ACCEPTED,
    )
    due_on = deliverable_due(lab)
    days_left = (due_on - today).days
    if not done and days_left >= 0:
        lead = next((d for d in DELIVERABLE_LEADS if days_left <= d), None)
        if lead is not None:
            due.append(
                Due(application, f"deliverable:{lead}", "deliverable", due_on=due_on, days=lead)
            )
    return due


def _is_claimable(existing: FundingReminder | None, now: dt.datetime) -> bool:
    """Nobody has it yet, or a run claimed it and never sent it."""
    return existing is None or (
        existing.sent_at is None and existing.claimed_at < now - STALE_CLAIM
    )


def reminders_due(now: dt.datetime) -> list[tuple[Due, FundingReminder | None]]:
    """The reminders to send now, each with any stale claim on it; a fixed number of
    queries however many initiatives."""
    candidates = list(candidate_initiatives(timezone.localdate(now)))
    due: list[Due] = []
    for application in candidates:
        lab = application.round.lab
        due.extend(due_for(application, lab, timezone.localdate(now, lab.tz)))
    if not due:
        return []
    ids = {d.application.pk for d in due}
    months = {d.month for d in due if d.month}
    posted = set(
        ProgressUpdate.objects.filter(application_id__in=ids, month__in=months).values_list(
            "application_id", "month"
        )
        if months
        else ()
    )
    claims = {
        (r.application_id, r.key): r
        for r in FundingReminder.objects.filter(
            application_id__in=ids, key__in={d.key for d in due}
        )
    }
    pending = []
    for d in due:
        existing = claims.get((d.application.pk, d.key))
        if (d.application.pk, d.month) not in posted and _is_claimable(existing, now):
            pending.append((d, existing))
    return pending


def _claim(due: Due, existing: FundingReminder | None, now: dt.datetime) -> FundingReminder | None:
    """Take a claimable reminder for this run, or return None when another run has it."""
    if existing is None:
        reminder = FundingReminder(application=due.application, key=due.key, claimed_at=now)
        try:
            # Durable: the claim is committed before the e-mail goes out. (Tests relax this
            # inside their own transaction, where it acts as a savepoint.)
            with transaction.atomic(durable=True):
                reminder.save(force_insert=True)
        except IntegrityError:  # another run inserted it first
            return None
        return reminder
    # A stale claim: the conditional update lets exactly one run take it over.
    taken = FundingReminder.objects.filter(
        pk=existing.pk, sent_at__isnull=True, claimed_at__lt=now - STALE_CLAIM
    ).update(claimed_at=now)
    return existing if taken else None


def _recipients(applications: list[Application]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    memberships = Membership.objects.filter(
        organization__in={a.organization_id for a in applications}, user__is_active=True
    ).values_list("organization_id", "user__email")
    for organization_id, email in memberships.order_by("user__email"):
        emails.setdefault(organization_id, []).append(email)
    return emails


def _url(due: Due) -> str:
    application = due.application
    args = [application.round.lab.slug, application.pk]
    if due.kind == "progress":
        path = reverse("funding:update_create", args=args) + f"?month={due.month:%Y-%m}"
    else:
        path = reverse("funding:deliverable_edit", args=args)
    return settings.SITE_URL + path


def _send(due: Due, recipients: list[str]) -> None:
    application = due.application
    context = {
        "application": application,
        "organization": application.organization,
        "lab": application.round.lab,
        "month": due.month,
        "due_on": due.due_on,
        "days": due.days,
        "url": _url(due),
    }
    send_templated_email(f"funding/email/{due.kind}_reminder", context, recipients)


def reminders_send_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Send the progress-update and final-deliverable reminders now due; return how many
    were (or, with dry_run, would be) sent. One e-mail per reminder to the organization's
    members.

    Safe to run as often and in as many workers as you like: each reminder is claimed in its
    own committed transaction before its e-mail goes out, and sent only by the run that
    claimed it. Must not be called inside an open transaction.
    """
    now = now or timezone.now()
    pending = reminders_due(now)
    recipients = _recipients([d.application for d, _ in pending]) if pending else {}
    pending = [(d, e) for d, e in pending if recipients.get(d.application.organization_id)]
    if dry_run:
        return len(pending)
    sent = 0
    for due, existing in pending:
        reminder = _claim(due, existing, now)
        if reminder is None:
            continue
        try:
            _send(due, recipients[due.application.organization_id])
        except Exception:
            # The claim stays unsent, so a run after STALE_CLAIM tries again.
            logger.exception("Funding reminder %s (%s) failed", reminder.pk, due.key)
            continue
        FundingReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
        sent += 1
    return sent
