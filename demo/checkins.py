"""Demo check-ins: the ended lab's post-program check-ins, planned with their reminders; the
6-month ones answered (one submitted and acknowledged) or overdue (a draft started, never
sent), with values that make the impact report tell a story; and the reminders that went out
so far recorded as the dispatcher leaves them (sent, cancelled once submitted, or skipped when a
later one went instead).

Planning goes through checkins.services when it exists (`checkins_plan_for_lab`); otherwise the
check-ins are created here the way the guide sets them (due 6, 12 and 18 months after the
program ends, open 14 days before). The answers are written directly to the models, with their
CheckInEvent rows, because the demo needs them dated months ago.

Idempotent: a check-in is keyed by participation and months; its answer is written only while
it is empty; only pending reminders whose time has passed are settled.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from checkins.models import (
    DEFAULT_OPENS_DAYS_BEFORE,
    CheckIn,
    CheckInEvent,
    CheckInReminder,
    CheckInStatus,
    CheckInStory,
    CheckInValue,
    ReminderKind,
    ReminderState,
    StandardMetric,
)
from checkins.reminders import reminders_plan
from funding.models import ApplicationStatus, SuccessMetric
from labs.models import Lab
from participants.models import Membership, MembershipRole, Participation, ParticipationStatus

SM = StandardMetric


@dataclass(frozen=True)
class Answer:
    """One organization's answer to its first check-in."""

    submitted_days_after_due: int | None  # None: never submitted (overdue)
    progress: str
    funds_spent: str
    funds_spent_on: str = ""
    funds_remaining: str = ""
    impact: str = ""
    standard: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)  # success metric name → value
    stories: tuple[tuple[str, str, bool], ...] = ()  # title, body, consent to share
    acknowledgement: str = ""  # the facilitators' message, if they acknowledged it
    # Reminders the dispatcher skipped when it caught up after a pause (a later one went).
    skipped: tuple[str, ...] = ()


ANSWERS = {
    "North Star Black Technologists": Answer(
        submitted_days_after_due=2,
        progress=(
            "The structured track is now how every North Star match works. Cohort 3 started "
            "in the spring with 34 pairs; the coordinator role is funded by a local employer "
            "for another year."
        ),
        funds_spent="28000.00",
        funds_spent_on=(
            "All of the award, as budgeted: the coordinator (14,000), mentor circles (5,000), "
            "the match tracker (3,000), trainers' honoraria (4,000) and the retention study "
            "(2,000)."
        ),
        funds_remaining="Nothing remains; the coordinator is now paid by a sponsor.",
        impact=(
            "Mentors stay: 81% came back for a second cohort. Two other Minnesota programs "
            "use our playbook."
        ),
        standard={
            SM.ACTIVE_MENTORS: "44",
            SM.ACTIVE_MENTEES: "75",
            SM.MATCHES_MADE: "62",
            SM.MENTOR_RETENTION: "81",
            SM.MENTEES_HIRED: "14",
            SM.MENTEES_PROMOTED: "9",
        },
        metrics={
            "Mentors with engineering, product and UX backgrounds": "35",
            "Pairs still meeting after six months": "63",
            "Matches tracked from the first meeting": "81",
        },
        stories=(
            (
                "From help desk to cloud engineer",
                "Jalen joined cohort 1 working on a help desk. His mentor met him every two "
                "weeks through the playbook's 90 days and introduced him to her team; he "
                "started as a junior cloud engineer in March.",
                True,
            ),
            (
                "A mentor who came back",
                "A senior designer who nearly quit mentoring after a match faded came back for "
                "the structured track and now leads the mentor circles.",
                False,
            ),
        ),
        acknowledgement=(
            "Thank you, Marcus. 35 mentors with engineering, product and UX backgrounds, from "
            "25: a 40% growth. We'll use your story in the impact report."
        ),
    ),
    "New Neighbors Tech Mentoring": Answer(
        submitted_days_after_due=None,
        progress=(
            "The training recordings are part of every mentor's onboarding. We started a "
            "fifth alumni meetup, and two alumni now mentor."
        ),
        funds_spent="24500.00",
        standard={SM.ACTIVE_MENTORS: "33", SM.ACTIVE_MENTEES: "61"},
        metrics={"Mentors trained in credential recognition and work authorization": "31"},
        # The worker was down for a week (a server move) when the first nudge was due; the
        # catch-up sent only the latest reminder that applied.
        skipped=(ReminderKind.OVERDUE_7,),
    ),
}


def _at(day: dt.date, hour: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def seed_checkins(lab: Lab, facilitator: User, created: Counter[str]) -> None:
    program_end = lab.timeline.program_end
    if lab.today() < program_end:
        return
    completed = list(
        lab.participations.filter(status=ParticipationStatus.COMPLETED).select_related(
            "organization"
        )
    )
    if not completed:
        return
    checkins = _plan(lab, completed)
    # Planned when the participation completed (at the program's end), not today.
    ended = _at(program_end, 12, lab.tz)
    new = [c.pk for c in checkins if c.created_at > ended]
    CheckIn.objects.filter(pk__in=new).update(created_at=ended)
    if new:
        created["check-ins"] += len(new)

    now = timezone.now()
    first = min(months for months, _ in lab.timeline.checkin_dates)
    for checkin in checkins:
        answer = None
        if checkin.months == first:  # the demo tells the first check-in's story
            answer = ANSWERS.get(checkin.participation.organization.name)
        if answer is not None and checkin.due_on < lab.today():
            _answer(checkin, answer, facilitator, lab, now)
        _settle_reminders(checkin, answer, facilitator, lab, now)


def _plan(lab: Lab, completed: list[Participation]) -> list[CheckIn]:
    try:
        from checkins import services
    except ModuleNotFoundError as error:
        if error.name != "checkins.services":
            raise
        services = None
    plan_for_lab = getattr(services, "checkins_plan_for_lab", None)
    if plan_for_lab is not None:
        plan_for_lab(lab=lab)
    else:
        for participation in completed:
            for months, due in lab.timeline.checkin_dates:
                CheckIn.objects.get_or_create(
                    participation=participation,
                    months=months,
                    defaults={
                        "due_on": due,
                        "opens_on": due - dt.timedelta(days=DEFAULT_OPENS_DAYS_BEFORE),
                    },
                )
    checkins = list(
        CheckIn.objects.filter(participation__in=completed)
        .select_related("participation__organization")
        .order_by("due_on", "pk")
    )
    # Whatever planned them, every check-in has its reminders (this adds only what's missing).
    reminders_plan(checkins=checkins, tz=lab.tz)
    return checkins


def _people(checkin: CheckIn) -> tuple[User, list[str]]:
    members = list(
        Membership.objects.filter(organization=checkin.participation.organization)
        .select_related("user")
        .order_by("pk")
    )
    lead = next(m.user for m in members if m.role == MembershipRole.LEAD)
    return lead, sorted(m.user.email for m in members if m.user.is_active)


def _answer(checkin: CheckIn, answer: Answer, facilitator: User, lab: Lab, now) -> None:
    if checkin.is_submitted or checkin.progress or checkin.values.exists():
        return  # already answered (by this seed or by a person)
    lead, _ = _people(checkin)
    checkin.progress = answer.progress
    checkin.funds_spent = Decimal(answer.funds_spent)
    checkin.funds_spent_on = answer.funds_spent_on
    checkin.funds_remaining = answer.funds_remaining
    checkin.impact = answer.impact
    checkin.save(
        update_fields=["progress", "funds_spent", "funds_spent_on", "funds_remaining", "impact"]
    )
    metrics = {m.name: m for m in _success_metrics(checkin)}
    CheckInValue.objects.bulk_create(
        [
            CheckInValue(checkin=checkin, standard=k, value=Decimal(v))
            for k, v in answer.standard.items()
        ]
        + [
            CheckInValue(checkin=checkin, metric=metrics[name], value=Decimal(v))
            for name, v in answer.metrics.items()
            if name in metrics
        ]
    )
    CheckInStory.objects.bulk_create(
        CheckInStory(checkin=checkin, title=title, body=body, consent_to_share=consent, position=i)
        for i, (title, body, consent) in enumerate(answer.stories, start=1)
    )
    started = _at(checkin.opens_on + dt.timedelta(days=3), 14, lab.tz)
    if answer.submitted_days_after_due is None:
        CheckIn.objects.filter(pk=checkin.pk).update(updated_at=started)
        return
    submitted = _at(checkin.due_on + dt.timedelta(days=answer.submitted_days_after_due), 11, lab.tz)
    fields = {"status": CheckInStatus.SUBMITTED, "submitted_at": submitted, "submitted_by": lead}
    CheckInEvent.objects.create(
        checkin=checkin,
        from_status=CheckInStatus.DRAFT,
        to_status=CheckInStatus.SUBMITTED,
        actor=lead,
        created_at=submitted,
    )
    acknowledged = submitted + dt.timedelta(days=5, hours=4)
    last = submitted
    if answer.acknowledgement and acknowledged <= now:
        fields |= {
            "status": CheckInStatus.ACKNOWLEDGED,
            "facilitator_message": answer.acknowledgement,
            "acknowledged_at": acknowledged,
        }
        CheckInEvent.objects.create(
            checkin=checkin,
            from_status=CheckInStatus.SUBMITTED,
            to_status=CheckInStatus.ACKNOWLEDGED,
            actor=facilitator,
            message=answer.acknowledgement,
            created_at=acknowledged,
        )
        last = acknowledged
    CheckIn.objects.filter(pk=checkin.pk).update(updated_at=last, **fields)
    checkin.refresh_from_db()


def _success_metrics(checkin: CheckIn):
    return SuccessMetric.objects.filter(
        application__organization=checkin.participation.organization,
        application__round__lab=checkin.participation.lab,
        application__status=ApplicationStatus.APPROVED,
    )


def _settle_reminders(
    checkin: CheckIn, answer: Answer | None, facilitator: User, lab: Lab, now
) -> None:
    """What the dispatcher would have done with the reminders whose time has passed: sent
    them, or cancelled them once the check-in was submitted (with the later ones too)."""
    pending = list(checkin.reminders.filter(state=ReminderState.PENDING).order_by("send_at"))
    if not pending:
        return
    _, members = _people(checkin)
    facilitators = sorted(lab.facilitators.values_list("email", flat=True)) or [facilitator.email]
    skipped = answer.skipped if answer else ()
    changed = []
    for reminder in pending:
        if checkin.submitted_at and reminder.send_at >= checkin.submitted_at:
            reminder.state = ReminderState.CANCELLED
            reminder.claimed_at = checkin.submitted_at
        elif reminder.send_at > now:
            continue
        elif reminder.kind in skipped:
            later = next(
                (r.send_at for r in pending if r.send_at > reminder.send_at and r.send_at <= now),
                reminder.send_at,
            )
            reminder.state = ReminderState.SKIPPED
            reminder.claimed_at = later + dt.timedelta(minutes=2)
        else:
            to = facilitators if reminder.kind == ReminderKind.ESCALATION else members
            reminder.state = ReminderState.SENT
            reminder.claimed_at = reminder.send_at + dt.timedelta(minutes=2)
            reminder.sent_at = reminder.claimed_at + dt.timedelta(seconds=3)
            reminder.attempts = 1
            reminder.recipients = ", ".join(to)
        changed.append(reminder)
    CheckInReminder.objects.bulk_update(
        changed, ["state", "claimed_at", "sent_at", "attempts", "recipients"]
    )
