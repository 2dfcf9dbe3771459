"""Lab workflows: creating a lab with its guide timeline, moving dates, milestone reminders."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from labs import hooks
from labs.models import Lab, Milestone, MilestoneAnchor, PhaseKey
from mll.emails import send_templated_email

logger = logging.getLogger(__name__)

REMINDER_LEAD_DAYS = 7


@dataclass(frozen=True)
class MilestoneTemplate:
    phase: str
    anchor: str
    months: int
    title: str
    description: str


# The guide's steps, month by month. Offsets are months from the anchor date.
GUIDE_MILESTONES: tuple[MilestoneTemplate, ...] = (
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        -3,
        "Conduct a literature review",
        "Background on mentorship programs in the ecosystem and the gaps they leave.",
    ),
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        -3,
        "Set objectives and goals",
        "Define what the lab sets out to do and how success is measured.",
    ),
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        -2,
        "Create participation criteria and publish the call",
        "Decide who is a good fit and open the public call for expressions of interest.",
    ),
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        -2,
        "Select participants",
        "Invite organizations that serve different client groups, so none compete.",
    ),
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        -1,
        "Construct the timeline and schedule meetings",
        "Agree the month-by-month plan and the meetings' frequency, time and format.",
    ),
    MilestoneTemplate(
        PhaseKey.PRE_PROGRAM,
        MilestoneAnchor.LAB_START,
        0,
        "Finalize contracts and goals",
        "Every participant signs the agreement and records its goals for the lab.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1,
        MilestoneAnchor.LAB_START,
        0,
        "Kick-off meeting",
        "Participants present their programs; build relationships.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1,
        MilestoneAnchor.LAB_START,
        1,
        "Strengths and weaknesses",
        "Each organization shares what works in its program and what doesn't.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1, MilestoneAnchor.LAB_START, 2, "Topic meeting: mentor recruitment", ""
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1, MilestoneAnchor.LAB_START, 3, "Topic meeting: mentee experience", ""
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1,
        MilestoneAnchor.LAB_START,
        4,
        "Identify intervention areas",
        "Participants propose interventions; peers and facilitators check feasibility "
        "and fit with the funding.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE1,
        MilestoneAnchor.PHASE2_START,
        -1,
        "Funding applications due",
        "Each participant applies for funding for its initiative.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE2, MilestoneAnchor.PHASE2_START, 0, "Awards decided, initiatives begin", ""
    ),
    MilestoneTemplate(
        PhaseKey.PHASE2,
        MilestoneAnchor.PHASE2_START,
        3,
        "Focus groups with clients",
        "Mentors and mentees of each participant give feedback on the initiatives.",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE2,
        MilestoneAnchor.PHASE2_START,
        6,
        "Mid-point share-out with stakeholders",
        "",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE2,
        MilestoneAnchor.PHASE2_START,
        9,
        "Additional programming: panel or job fair",
        "",
    ),
    MilestoneTemplate(
        PhaseKey.PHASE2,
        MilestoneAnchor.PROGRAM_END,
        0,
        "Final deliverables due",
        "Each participant summarizes its initiative and its outcomes.",
    ),
)


def _checkin_milestone(lab: Lab, months: int, day: dt.date) -> Milestone:
    return Milestone(
        lab=lab,
        phase=PhaseKey.PHASE3,
        anchor=MilestoneAnchor.PROGRAM_END,
        checkin_months=months,
        title=f"{months}-month impact check-in",
        description="Progress, how the funds were used, and long-term impact.",
        due_date=day,
    )


def _guide_milestones(lab: Lab) -> list[Milestone]:
    timeline = lab.timeline
    milestones = [
        Milestone(
            lab=lab,
            phase=t.phase,
            anchor=t.anchor,
            title=t.title,
            description=t.description,
            due_date=timeline.anchor_date(t.anchor) + relativedelta(months=t.months),
        )
        for t in GUIDE_MILESTONES
    ]
    milestones += [_checkin_milestone(lab, months, day) for months, day in timeline.checkin_dates]
    milestones.sort(key=lambda m: m.due_date)
    for position, milestone in enumerate(milestones, start=1):
        milestone.position = position * 10
    return milestones


@transaction.atomic
def lab_create(*, lab: Lab, created_by: User) -> Lab:
    """Save a new lab, make its creator a facilitator and lay out the guide's milestones."""
    lab.created_by = created_by
    lab.save()
    if not created_by.is_staff:
        lab.facilitators.add(created_by)
    Milestone.objects.bulk_create(_guide_milestones(lab))
    return lab


class PoolTooSmall(Exception):
    """The lab's pool would be less than what it has already awarded."""


@transaction.atomic
def lab_update(*, lab: Lab, previous: Lab) -> int:
    """Save the edited lab; milestones that haven't happened yet move with their anchor date.

    The lab's row is locked first, as approving an award does, so the pool can never drop
    below what is awarded, even when both happen at once. Returns how many milestones moved.
    """
    Lab.objects.select_for_update().filter(pk=lab.pk).exists()
    committed = hooks.pool_committed(lab=lab)
    if lab.funding_pool < committed:
        raise PoolTooSmall(
            f"Awards already total {committed:,.2f} {lab.currency}; "
            "the pool can't be less than that."
        )
    lab.save()
    old, new = previous.timeline, lab.timeline
    pending = Milestone.objects.filter(lab=lab, due_date__gte=lab.today()).pending()
    moved = []
    for anchor in MilestoneAnchor:
        # In calendar months and days, so "two months after Phase 2 starts" stays exactly that.
        shift = relativedelta(new.anchor_date(anchor), old.anchor_date(anchor))
        if shift:
            for milestone in pending.filter(anchor=anchor):
                milestone.due_date += shift
                moved.append(milestone)
    Milestone.objects.bulk_update(moved, ["due_date"])
    _sync_checkin_milestones(lab, pending)
    hooks.timeline_changed(lab=lab)
    return len(moved)


def _sync_checkin_milestones(lab: Lab, pending) -> None:
    """Check-ins added to or dropped from the lab's offsets appear on or leave the timeline."""
    wanted = dict(lab.timeline.checkin_dates)
    pending.filter(checkin_months__isnull=False).exclude(checkin_months__in=wanted).delete()
    have = set(
        lab.milestones.filter(checkin_months__isnull=False).values_list("checkin_months", flat=True)
    )
    missing = [_checkin_milestone(lab, m, day) for m, day in wanted.items() if m not in have]
    if missing:
        last = lab.milestones.order_by("-position").values_list("position", flat=True).first() or 0
        for offset, milestone in enumerate(missing, start=1):
            milestone.position = last + offset * 10
        Milestone.objects.bulk_create(missing)


def milestone_set_done(*, milestone: Milestone, user: User, done: bool) -> None:
    milestone.completed_at = timezone.now() if done else None
    milestone.completed_by = user if done else None
    milestone.save(update_fields=["completed_at", "completed_by"])


@transaction.atomic
def milestone_move(*, milestone: Milestone, direction: int) -> None:
    """Swap a milestone with its neighbour: direction -1 moves it up, +1 down."""
    siblings = list(
        Milestone.objects.select_for_update()
        .filter(lab_id=milestone.lab_id)
        .order_by("position", "due_date", "pk")
    )
    index = next(i for i, m in enumerate(siblings) if m.pk == milestone.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, m in enumerate(siblings, start=1):
        m.position = position * 10
    Milestone.objects.bulk_update(siblings, ["position"])


def milestone_add(*, milestone: Milestone) -> Milestone:
    """Append a facilitator's own milestone to the end of the lab's list."""
    last = milestone.lab.milestones.order_by("-position").values_list("position", flat=True).first()
    milestone.position = (last or 0) + 10
    timeline = milestone.lab.timeline
    phase = timeline.current_phase(milestone.due_date)
    if phase:
        milestone.phase = phase.key
    elif milestone.due_date < timeline.phases[0].start:
        # Before pre-program work begins is still preparation, not post-program impact.
        milestone.phase = PhaseKey.PRE_PROGRAM
    else:
        milestone.phase = PhaseKey.PHASE3
    if milestone.due_date >= timeline.program_end:
        milestone.anchor = MilestoneAnchor.PROGRAM_END
    elif milestone.due_date >= timeline.phase(PhaseKey.PHASE2).start:
        milestone.anchor = MilestoneAnchor.PHASE2_START
    else:
        milestone.anchor = MilestoneAnchor.LAB_START
    milestone.save()
    return milestone


def lab_agreement_update(*, lab: Lab, text_changed: bool, file_changed: bool) -> None:
    """Save the agreement; any change to its text or file is a new version to accept."""
    if text_changed or file_changed:
        lab.agreement_version += 1
        lab.agreement_updated_at = timezone.now()
    lab.save()


def milestones_send_reminders(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """E-mail facilitators about milestones due within a week, once per milestone and due date.

    Idempotent: each reminder is claimed with a conditional update, so a missed run catches
    up and two workers never send the same one. Returns how many were (or would be) sent.
    """
    now = now or timezone.now()
    horizon = now.date() + dt.timedelta(days=REMINDER_LEAD_DAYS)
    due = (
        Milestone.objects.pending()
        .filter(due_date__lte=horizon, due_date__gte=now.date() - dt.timedelta(days=1))
        .exclude(reminder_sent_for=F("due_date"))
        .select_related("lab")
    )
    sent = 0
    for milestone in due:
        if dry_run:
            sent += 1
            continue
        claimed = (
            Milestone.objects.filter(pk=milestone.pk, due_date=milestone.due_date)
            .exclude(reminder_sent_for=F("due_date"))
            .update(reminder_sent_for=F("due_date"))
        )
        if not claimed:
            continue
        recipients = list(
            milestone.lab.facilitators.filter(is_active=True).values_list("email", flat=True)
        )
        if recipients:
            try:
                send_templated_email(
                    "labs/email/milestone_due",
                    {"milestone": milestone, "lab": milestone.lab},
                    recipients,
                )
            except Exception:
                # Give the claim back so the next run tries again.
                Milestone.objects.filter(
                    pk=milestone.pk, reminder_sent_for=milestone.due_date
                ).update(reminder_sent_for=None)
                logger.exception("Reminder for milestone %s failed; will retry", milestone.pk)
                continue
        sent += 1
    return sent
