"""Funding workflows. Each application transition is a named function with a guard (the
wrong state raises FundingError with a message for people), a narrow conditional write and
an audit row; e-mails are queued after commit."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from funding import tasks
from funding.models import (
    DEFAULT_RUBRIC,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationVersion,
    AreaComment,
    Award,
    DeliverableStatus,
    Disbursement,
    DisbursementStatus,
    FundingRound,
    InterventionArea,
    Review,
    ReviewScore,
    RubricCriterion,
)
from labs.models import Lab

A = ApplicationStatus
D = DeliverableStatus


class FundingError(Exception):
    """A funding step that can't happen now; the message is for people."""


# --- Intervention areas -------------------------------------------------------------------------


def area_revise(*, area: InterventionArea) -> InterventionArea:
    """Save the author's revision; comments stay, marked with the revision they were on."""
    area.revision += 1
    area.save()
    return area


def area_comment(*, area: InterventionArea, author: User, comment: AreaComment) -> AreaComment:
    comment.area = area
    comment.author = author
    comment.on_revision = area.revision
    comment.save()
    return comment


# --- The round ----------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, funding_round: FundingRound) -> FundingRound:
    """Open the lab's round with the guide's rubric (feasibility, alignment, impact, budget).
    The lab's row is locked, so two facilitators setting it up at once get one round."""
    Lab.objects.select_for_update().filter(pk=funding_round.lab_id).exists()
    if FundingRound.objects.filter(lab_id=funding_round.lab_id).exists():
        raise FundingError("This lab's funding round was just set up by someone else.")
    funding_round.save()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(round=funding_round, name=name, description=description, position=i)
        for i, (name, description) in enumerate(DEFAULT_RUBRIC, start=1)
    )
    return funding_round


# --- Applications -------------------------------------------------------------------------------


def missing_for_submission(application: Application) -> list[str]:
    """What a complete application still lacks, in words for the applicant."""
    required = {
        "a title": application.title,
        "the problem": application.problem,
        "the proposed initiative": application.initiative,
        "who it serves": application.who_it_serves,
        "the expected outcomes": application.expected_outcomes,
        "a month-by-month plan": application.plan,
        "a public summary": application.summary,
    }
    missing = [label for label, value in required.items() if not str(value).strip()]
    if not application.metrics.exists():
        missing.append("at least one success metric")
    if not application.budget_lines.exists():
        missing.append("at least one budget line")
    return missing


def snapshot(application: Application) -> dict:
    """Everything a reviewer judges, as submitted."""
    # The total from the same lines the snapshot lists, with its cents on every database
    # (SQLite's SUM drops the scale: 20000 where PostgreSQL says 20000.00).
    lines = list(application.budget_lines.all())
    total = sum((b.amount for b in lines), Decimal("0")).quantize(Decimal("0.01"))
    return {
        "title": application.title,
        "intervention_area": str(application.intervention_area or ""),
        "problem": application.problem,
        "initiative": application.initiative,
        "who_it_serves": application.who_it_serves,
        "expected_outcomes": application.expected_outcomes,
        "plan": application.plan,
        "summary": application.summary,
        "metrics": [
            {"name": m.name, "unit": m.unit, "baseline": str(m.baseline), "target": str(m.target)}
            for m in application.metrics.all()
        ],
        "budget": [
            {
                "category": b.get_category_display(),
                "description": b.description,
                "amount": str(b.amount),
            }
            for b in lines
        ],
        "budget_total": str(total),
        "attachments": [a.name for a in application.attachments.all()],
    }


def _guard(application: Application, *, allowed: set[str], to: str) -> Application:
    """Lock the application's row and refuse unless it is (still) in an allowed state."""
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status not in allowed:
        raise FundingError(
            f"This application is {current.get_status_display().lower()}; "
            f"it can't become {ApplicationStatus(to).label.lower()}."
        )
    return current


def application_start(
    *, funding_round: FundingRound, organization, user: User
) -> tuple[Application, bool]:
    """The organization's one application in the round: a new draft, or the one it has."""
    existing = funding_round.applications.filter(organization=organization).first()
    if existing is not None:
        return existing, False
    if timezone.now() >= funding_round.deadline:
        raise FundingError("The funding round's deadline has passed; no new applications.")
    with transaction.atomic():
        # get_or_create settles two members starting at the same moment (one row, unique).
        application, created = Application.objects.get_or_create(
            round=funding_round, organization=organization, defaults={"created_by": user}
        )
        if created:
            ApplicationEvent.objects.create(
                application=application, to_status=A.DRAFT, actor=user, message="Draft started."
            )
    return application, created


def _transition(
    application: Application,
    *,
    allowed: set[str],
    to: str,
    actor: User,
    message: str = "",
    **fields,
) -> str:
    """Move the application to `to` if (still) in an allowed state; record who and when."""
    current = _guard(application, allowed=allowed, to=to)
    Application.objects.filter(pk=current.pk).update(status=to, updated_at=timezone.now(), **fields)
    ApplicationEvent.objects.create(
        application=current,
        from_status=current.status,
        to_status=to,
        actor=actor,
        message=message,
    )
    application.status = to
    for name, value in fields.items():
        setattr(application, name, value)
    return current.status


@transaction.atomic
def application_submit(*, application: Application, user: User) -> ApplicationVersion:
    """Submit (or resubmit after changes were requested): complete, before the deadline;
    freezes a version for the reviewers. The deadline binds the first submission only: a
    resubmission answers the facilitators, whose review comes after the deadline."""
    # The state is checked first (on the locked row), so a decided application is refused
    # for what it is, not for the deadline.
    current = _guard(application, allowed=A.editable(), to=A.SUBMITTED)
    funding_round = application.round
    lab = funding_round.lab
    now = timezone.now()
    if timezone.localdate(now, lab.tz) < funding_round.opens_on:
        raise FundingError(
            f"The funding round opens on {funding_round.opens_on:%B %-d, %Y}; "
            "applications can be submitted from then."
        )
    if current.status == A.DRAFT and now >= funding_round.deadline:
        due = timezone.localtime(funding_round.deadline, lab.tz)
        raise FundingError(
            f"The funding round is closed: applications were due {due:%B %-d, %Y %-I:%M %p}."
        )
    # Checked and frozen from the locked row: the caller's copy may predate another
    # member's last save, and the version must be exactly what is submitted.
    missing = missing_for_submission(current)
    if missing:
        raise FundingError("Before submitting, add " + ", ".join(missing) + ".")
    to = A.RESUBMITTED if current.status == A.CHANGES_REQUESTED else A.SUBMITTED
    _transition(
        application,
        allowed=ApplicationStatus.editable(),
        to=to,
        actor=user,
        submitted_at=timezone.now(),
    )
    number = application.versions.count() + 1
    version = ApplicationVersion.objects.create(
        application=application, number=number, content=snapshot(current), submitted_by=user
    )
    tasks.notify_facilitators_of_submission.delay_on_commit(application.pk, number)
    return version


@transaction.atomic
def application_request_changes(*, application: Application, user: User, message: str) -> None:
    _transition(
        application,
        allowed=ApplicationStatus.awaiting_review(),
        to=A.CHANGES_REQUESTED,
        actor=user,
        message=message,
        decision_message=message,
    )
    tasks.notify_organization_of_decision.delay_on_commit(application.pk)


@transaction.atomic
def application_decline(*, application: Application, user: User, message: str) -> None:
    _transition(
        application,
        allowed=ApplicationStatus.awaiting_review(),
        to=A.DECLINED,
        actor=user,
        message=message,
        decision_message=message,
        decided_at=timezone.now(),
    )
    tasks.notify_organization_of_decision.delay_on_commit(application.pk)


@transaction.atomic
def application_withdraw(*, application: Application, user: User, message: str = "") -> None:
    _transition(
        application,
        allowed={A.DRAFT, A.SUBMITTED, A.CHANGES_REQUESTED, A.RESUBMITTED},
        to=A.WITHDRAWN,
        actor=user,
        message=message,
    )


@transaction.atomic
def review_save(
    *,
    application: Application,
    reviewer: User,
    comment: str,
    scores: dict[int, tuple[int, str]],
) -> Review:
    """A facilitator's review of the latest submitted version, one per reviewer and version,
    editable until the decision. `scores` maps a rubric criterion id to (score, note)."""
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status not in ApplicationStatus.awaiting_review():
        raise FundingError(
            f"This application is {current.get_status_display().lower()}; "
            "reviews are open only while it awaits a decision."
        )
    version = current.versions.order_by("-number").first()
    if version is None:
        raise FundingError("There is no submitted version to review.")
    review, _ = Review.objects.update_or_create(
        version=version,
        reviewer=reviewer,
        defaults={"application": current, "comment": comment},
    )
    criteria = {c.pk: c for c in current.round.criteria.all()}
    for criterion_id, (score, note) in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise FundingError("The rubric changed while you were reviewing; reload the page.")
        if not 0 <= score <= criterion.max_score:
            raise FundingError(f"“{criterion.name}” is scored 0 to {criterion.max_score}.")
        ReviewScore.objects.update_or_create(
            review=review, criterion=criterion, defaults={"score": score, "note": note}
        )
    return review


def awarded_total(*, lab: Lab) -> Decimal:
    return lab.awards.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def pool_summary(lab: Lab) -> dict[str, Decimal]:
    awarded = awarded_total(lab=lab)
    disbursed = Disbursement.objects.filter(
        award__lab=lab, status=DisbursementStatus.PAID
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return {
        "pool": lab.funding_pool,
        "awarded": awarded,
        "disbursed": disbursed,
        "remaining": lab.funding_pool - awarded,
    }


@transaction.atomic
def application_approve(
    *, application: Application, user: User, amount: Decimal, message: str
) -> Award:
    """Approve with an award (full or partial). The sum of a lab's awards never exceeds its
    pool, also when two facilitators approve at once: the lab's row is locked while the sum
    is checked and the award written."""
    lab = Lab.objects.select_for_update().get(pk=application.round.lab_id)
    # The state first: a second approval of the same application is refused for being
    # approved already, not for the pool its own award just used up.
    _guard(application, allowed=A.awaiting_review(), to=A.APPROVED)
    if amount <= 0:
        raise FundingError("The award must be more than zero.")
    max_award = application.round.max_award
    if max_award is not None and amount > max_award:
        raise FundingError(f"The most one award may be is {max_award:,.2f} {lab.currency}.")
    awarded = awarded_total(lab=lab)
    remaining = lab.funding_pool - awarded
    if amount > remaining:
        raise FundingError(
            f"Only {remaining:,.2f} {lab.currency} of the pool is left; "
            f"{amount:,.2f} would exceed it."
        )
    _transition(
        application,
        allowed=ApplicationStatus.awaiting_review(),
        to=A.APPROVED,
        actor=user,
        message=message,
        decision_message=message,
        decided_at=timezone.now(),
    )
    award = Award.objects.create(application=application, lab=lab, amount=amount, approved_by=user)
    tasks.notify_organization_of_decision.delay_on_commit(application.pk)
    return award


# --- Disbursements ------------------------------------------------------------------------------


@transaction.atomic
def disbursement_plan(*, award: Award, disbursement: Disbursement) -> Disbursement:
    """Add a tranche; the tranches of an award never add up to more than the award."""
    award = Award.objects.select_related("lab").select_for_update(of=("self",)).get(pk=award.pk)
    currency = award.lab.currency
    if disbursement.amount <= 0:
        raise FundingError("A tranche must be more than zero.")
    planned = award.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if planned + disbursement.amount > award.amount:
        left = award.amount - planned
        raise FundingError(
            f"Only {left:,.2f} {currency} of this award is left to schedule; "
            f"{disbursement.amount:,.2f} {currency} would exceed it."
        )
    disbursement.award = award
    disbursement.save()
    return disbursement


def disbursement_mark_paid(*, disbursement: Disbursement, user: User, paid_on) -> None:
    updated = Disbursement.objects.filter(
        pk=disbursement.pk, status=DisbursementStatus.PLANNED
    ).update(status=DisbursementStatus.PAID, paid_on=paid_on, recorded_by=user)
    if not updated:
        raise FundingError("This tranche is already marked paid.")
    disbursement.refresh_from_db()
