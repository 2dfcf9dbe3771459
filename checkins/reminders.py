"""Check-in reminders: planned as rows when the check-in is planned, dispatched by a beat task.

Planning: each check-in gets an opening notice, a due-day notice, overdue nudges a week and two
weeks after the due date, and an escalation to the lab's facilitators a week after the last
nudge. Send times are 09:00 in the lab's time zone. Moving a check-in moves its pending
reminders; submitting it cancels them.

Dispatch (exactly once): the beat task `dispatch_checkin_reminders` runs `dispatch_due` every
few minutes. It puts back claims whose worker died (older than `LEASE`), cancels what a
submission made pointless, and, for each check-in, picks the latest reminder to the
organization that is due (a run missed for days sends one e-mail, not four; the earlier ones
are marked skipped) plus the escalation if due. It queues only those reminders' ids — never a
months-long ETA — after the skip marks commit. Each `send_checkin_reminder` task calls
`reminder_send`, which claims the row with a conditional update (pending → sending) committed
on its own, sends one e-mail with the reminder's stable Message-ID, and stamps it sent. So:

- two dispatches at once, or a task delivered twice, still send once (one claim wins);
- a broker that is down changes nothing: dispatch fails before marking anything and the next
  run finds every reminder pending; it goes out late, once;
- a worker killed after claiming leaves the row in `sending`; after `LEASE` dispatch puts it
  back and it goes out once;
- a failed send puts the row back to pending (with the error) and re-raises, for the task's
  retry with backoff or the next dispatch, up to `MAX_ATTEMPTS`.

The one window for a repeat is a crash between the mail server accepting the message and the
stamp; the stable Message-ID lets mail apps fold that repeat into one message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, CheckInReminder, ReminderKind, ReminderState
from mll.emails import send_templated_email
from participants.models import ParticipationStatus

SEND_TIME = dt.time(9, 0)
DAYS_AFTER_DUE = {
    ReminderKind.DUE: 0,
    ReminderKind.OVERDUE_7: 7,
    ReminderKind.OVERDUE_14: 14,
    ReminderKind.ESCALATION: 21,
}


def reminder_schedule(checkin: CheckIn, tz: dt.tzinfo) -> dict[str, dt.datetime]:
    """When each kind of reminder for this check-in goes out."""

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, SEND_TIME, tzinfo=tz)

    schedule = {ReminderKind.OPENING: at(checkin.opens_on)}
    for kind, days in DAYS_AFTER_DUE.items():
        schedule[kind] = at(checkin.due_on + dt.timedelta(days=days))
    return schedule


def reminders_plan(*, checkins: list[CheckIn], tz: dt.tzinfo) -> None:
    """Create the reminders the check-ins lack and move the pending ones to the check-ins'
    current dates. Sent, skipped and cancelled reminders are history and never change; a
    submitted check-in gets nothing new. A fixed number of queries for any number of
    check-ins (they must be saved)."""
    open_checkins = [c for c in checkins if not c.is_submitted]
    if not open_checkins:
        return
    existing = {
        (r.checkin_id, r.kind): r for r in CheckInReminder.objects.filter(checkin__in=open_checkins)
    }
    to_create, to_move = [], []
    for checkin in open_checkins:
        for kind, send_at in reminder_schedule(checkin, tz).items():
            reminder = existing.get((checkin.pk, kind))
            if reminder is None:
                to_create.append(CheckInReminder(checkin=checkin, kind=kind, send_at=send_at))
            elif reminder.state == ReminderState.PENDING and reminder.send_at != send_at:
                reminder.send_at = send_at
                to_move.append(reminder)
    CheckInReminder.objects.bulk_create(to_create, ignore_conflicts=True)
    CheckInReminder.objects.bulk_update(to_move, ["send_at"])


def reminders_cancel(*, checkin: CheckIn) -> int:
    """The check-in was submitted: nothing more goes out about it."""
    return CheckInReminder.objects.filter(checkin=checkin, state=ReminderState.PENDING).update(
        state=ReminderState.CANCELLED, claimed_at=timezone.now()
    )


# --- Dispatch -------------------------------------------------------------------------------

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died between claiming and stamping: the
# next dispatch puts it back to pending. Far longer than one send takes (SMTP time-outs
# included), so a slow worker is never overtaken.
LEASE = dt.timedelta(minutes=10)
# A reminder that failed this many times stays pending with its last error, for ops to see;
# dispatch stops queueing it so a broken address can't be retried forever.
MAX_ATTEMPTS = 10


@dataclass
class DispatchResult:
    """What one dispatch did (or, dry, would do). `chosen` and `skipped` hold the reminders
    with their check-in, organization and lab loaded, for the management command's listing."""

    now: dt.datetime
    chosen: list[CheckInReminder] = field(default_factory=list)
    skipped: list[CheckInReminder] = field(default_factory=list)
    cancelled: int = 0
    recovered: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0


def _due(now: dt.datetime) -> Q:
    """Reminders whose time has come and that no live worker holds: pending, or claimed by a
    worker whose lease ran out."""
    return Q(send_at__lte=now, attempts__lt=MAX_ATTEMPTS) & (
        Q(state=ReminderState.PENDING) | Q(state=ReminderState.SENDING, claimed_at__lt=now - LEASE)
    )


def _due_batch(now: dt.datetime, after: int, batch: int) -> list[CheckInReminder]:
    """The next `batch` unsubmitted check-ins (by id, after `after`) with something due, and
    every reminder of theirs that is already due whatever its state: a reminder sent earlier
    counts when choosing what goes now. Two queries."""
    checkin_ids = list(
        CheckInReminder.objects.filter(_due(now), checkin_id__gt=after)
        .filter(checkin__submitted_at__isnull=True)
        .order_by("checkin_id")
        .values_list("checkin_id", flat=True)
        .distinct()[:batch]
    )
    if not checkin_ids:
        return []
    return list(
        CheckInReminder.objects.filter(checkin_id__in=checkin_ids, send_at__lte=now)
        .select_related("checkin__participation__organization", "checkin__participation__lab")
        .order_by("checkin_id", "send_at", "pk")
    )


def _is_open(reminder: CheckInReminder, now: dt.datetime) -> bool:
    return reminder.attempts < MAX_ATTEMPTS and (
        reminder.state == ReminderState.PENDING
        or (reminder.state == ReminderState.SENDING and reminder.claimed_at < now - LEASE)
    )


def _choose(
    reminders: list[CheckInReminder], now: dt.datetime
) -> tuple[list[CheckInReminder], list[CheckInReminder]]:
    """Catch-up without flooding: of each check-in's due reminders to the organization only the
    latest may go; the earlier open ones are skipped. If the latest already went (or is being
    sent), nothing more goes. The escalation to the facilitators is decided on its own."""
    order = {kind: n for n, kind in enumerate(ReminderKind.to_organization())}
    latest: dict[int, CheckInReminder] = {}
    chosen, skipped = [], []
    for reminder in reminders:
        if reminder.kind == ReminderKind.ESCALATION:
            if _is_open(reminder, now):
                chosen.append(reminder)
            continue
        current = latest.get(reminder.checkin_id)
        if current is None or order[reminder.kind] > order[current.kind]:
            latest[reminder.checkin_id] = reminder
    for reminder in reminders:
        if reminder.kind == ReminderKind.ESCALATION or not _is_open(reminder, now):
            continue
        (chosen if latest[reminder.checkin_id] is reminder else skipped).append(reminder)
    chosen.sort(key=lambda r: (r.send_at, r.pk))
    return chosen, skipped


def _tidy(now: dt.datetime, *, dry_run: bool) -> tuple[int, int]:
    """Put stale claims back to pending and cancel due reminders of submitted check-ins.
    Returns how many of each (would be) changed."""
    stale = CheckInReminder.objects.filter(
        state=ReminderState.SENDING, claimed_at__lt=now - LEASE, attempts__lt=MAX_ATTEMPTS
    )
    submitted = CheckInReminder.objects.filter(
        state=ReminderState.PENDING, send_at__lte=now, checkin__submitted_at__isnull=False
    )
    if dry_run:
        return stale.count(), submitted.count()
    recovered = stale.update(state=ReminderState.PENDING)
    if recovered:
        logger.warning("Put %s stale check-in reminder claims back", recovered)
    return recovered, submitted.update(state=ReminderState.CANCELLED, claimed_at=now)


@contextmanager
def _publisher(queue: str | None) -> Iterator[Callable[[int], None]]:
    """Queue reminder ids over one broker connection for the whole dispatch. The connection is
    checked first, before anything is marked: a dispatch that can't reach the broker raises
    and changes nothing, and the next beat run finds every reminder as it was."""
    from checkins.tasks import send_checkin_reminder  # tasks import this module
    from mll.celery import app

    if app.conf.task_always_eager:
        yield lambda reminder_id: send_checkin_reminder.apply_async((reminder_id,), queue=queue)
        return
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1, interval_start=0.5)
        yield lambda reminder_id: send_checkin_reminder.apply_async(
            (reminder_id,), queue=queue, producer=producer
        )


def dispatch_due(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    batch: int = 500,
    send_inline: bool = False,
    queue: str | None = None,
) -> DispatchResult:
    """Hand every due check-in reminder to a worker (or, `send_inline`, send it here).

    In this order: stale claims go back to pending; due reminders of submitted check-ins are
    cancelled; then, `batch` check-ins at a time, the earlier reminders a later one replaces
    are marked skipped (committed), and each chosen reminder's id is queued — only ids of
    reminders already due, never a future ETA. Queueing a reminder doesn't change it: the
    worker's claim does, so a dispatch that can't reach the broker leaves it pending for the
    next run, and a reminder queued twice (two dispatches at once) is still sent once.

    `dry_run` changes nothing and queues nothing; the result says what would happen. A fixed
    number of queries per batch. Must not be called inside an open transaction.
    """
    now = now or timezone.now()
    result = DispatchResult(now=now)
    publisher = nullcontext() if dry_run or send_inline else _publisher(queue)
    with publisher as enqueue:
        result.recovered, result.cancelled = _tidy(now, dry_run=dry_run)
        after = 0
        while reminders := _due_batch(now, after, batch):
            after = reminders[-1].checkin_id
            chosen, skipped = _choose(reminders, now)
            result.chosen += chosen
            result.skipped += skipped
            if dry_run:
                continue
            if skipped:  # committed (durable) before anything is queued
                with transaction.atomic(durable=True):
                    CheckInReminder.objects.filter(
                        pk__in=[r.pk for r in skipped], state=ReminderState.PENDING
                    ).update(state=ReminderState.SKIPPED, claimed_at=now)
            for reminder in chosen:
                if send_inline:
                    try:
                        result.sent += reminder_send(reminder_id=reminder.pk, now=now)
                    except Exception:  # back to pending with its error; the others still go
                        logger.exception("Check-in reminder %s failed", reminder.pk)
                        result.failed += 1
                else:
                    enqueue(reminder.pk)
                    result.queued += 1
    return result


# --- Sending one ---------------------------------------------------------------------------


def reminder_recipients(reminder: CheckInReminder) -> list[str]:
    """The organization's active members for its reminders; the lab's active facilitators for
    the escalation."""
    participation = reminder.checkin.participation
    if reminder.kind == ReminderKind.ESCALATION:
        emails = participation.lab.facilitators.filter(is_active=True).values_list(
            "email", flat=True
        )
    else:
        emails = participation.organization.memberships.filter(user__is_active=True).values_list(
            "user__email", flat=True
        )
    return sorted(set(emails))


def reminder_link(reminder: CheckInReminder) -> str:
    """Straight to the form for the organization; to the check-in for the facilitators."""
    checkin = reminder.checkin
    name = "checkins:detail" if reminder.kind == ReminderKind.ESCALATION else "checkins:edit"
    return settings.SITE_URL + reverse(name, args=[checkin.participation.lab.slug, checkin.pk])


def _release(reminder_id: int, state: str, error: str = "") -> int:
    """Let go of a claim: back to pending (to be tried again) or to a final state."""
    return CheckInReminder.objects.filter(pk=reminder_id, state=ReminderState.SENDING).update(
        state=state, last_error=error[:300]
    )


def reminder_send(*, reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Claim one due reminder, e-mail it, stamp it sent. True if this call sent it.

    The claim (pending → sending, `attempts` + 1) is a conditional update committed on its own,
    so of any number of concurrent calls exactly one proceeds. The e-mail goes out after that
    commit; the stamp (sending → sent) follows it at once. A crash between the two is the only
    way to send a reminder twice, and its stable Message-ID lets mail apps fold the repeat. A
    crash before the e-mail leaves the claim to run out its lease; a failed send puts the
    reminder back to pending and re-raises, for the task's retry or the next dispatch.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        claimed = CheckInReminder.objects.filter(
            pk=reminder_id, state=ReminderState.PENDING, send_at__lte=now
        ).update(state=ReminderState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False  # already sent, skipped, cancelled, moved later, or another worker's
    reminder = CheckInReminder.objects.select_related(
        "checkin__participation__organization", "checkin__participation__lab"
    ).get(pk=reminder_id)
    checkin = reminder.checkin
    if checkin.is_submitted or checkin.participation.status == ParticipationStatus.WITHDRAWN:
        _release(reminder_id, ReminderState.CANCELLED)
        return False
    recipients = reminder_recipients(reminder)
    if not recipients:
        _release(reminder_id, ReminderState.SKIPPED, "Nobody to send it to.")
        return False
    try:
        _send(reminder, recipients)
    except Exception as exc:
        _release(reminder_id, ReminderState.PENDING, f"{type(exc).__name__}: {exc}")
        raise
    stamped = CheckInReminder.objects.filter(pk=reminder_id, state=ReminderState.SENDING).update(
        state=ReminderState.SENT,
        sent_at=timezone.now(),
        recipients=", ".join(recipients),
        last_error="",
    )
    if not stamped:  # our lease ran out mid-send and the claim was put back
        logger.warning("Check-in reminder %s was sent after its lease ran out", reminder_id)
    return True


def _send(reminder: CheckInReminder, recipients: list[str]) -> None:
    checkin = reminder.checkin
    lab = checkin.participation.lab
    audience = "escalation" if reminder.kind == ReminderKind.ESCALATION else "organization"
    context = {
        "reminder": reminder,
        "kind": reminder.kind,
        "checkin": checkin,
        "lab": lab,
        "organization": checkin.participation.organization,
        "url": reminder_link(reminder),
        "days_overdue": (lab.today() - checkin.due_on).days,
    }
    send_templated_email(
        f"checkins/email/reminder_{audience}",
        context,
        recipients,
        headers={"Message-ID": reminder.message_id},
    )
