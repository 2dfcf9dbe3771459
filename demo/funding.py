"""Demo funding: each lab's intervention areas with peer and facilitator feedback, its funding
round with the default rubric, the applications and their reviews, awards and tranches, the
initiatives' monthly progress and spending, and the final deliverables of the ended lab.

The workflow runs through funding.services, so versions, events and awards are the real ones;
the rows are then backdated to the days the lab's timeline implies (intervention areas and
applications in Phase 1, awards just before Phase 2, one progress update a month after it).

The story itself (who proposed what, what the facilitators said, what happened each month) is
in demo/funding_plans.py.

Idempotent: the round is one per lab, an area is keyed by lab, organization and title, an
application by round and organization (its whole history is written once), a progress update by
application and month (a later run adds the months that have passed since), a deliverable by
application.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.funding_plans import (
    GENERIC_MONTHS,
    PLANS,
    ROUNDS,
    Area,
    Comment,
    Line,
    Metric,
    Outcome,
    Proposal,
)
from funding.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    AreaComment,
    Award,
    BudgetLine,
    Deliverable,
    DeliverableEvent,
    Disbursement,
    FinalMetric,
    FundingRound,
    InterventionArea,
    MetricValue,
    ProgressUpdate,
    Review,
    ReviewScore,
    Spending,
    SuccessMetric,
    UpdateReply,
)
from funding.services import (
    application_approve,
    application_request_changes,
    application_submit,
    area_comment,
    area_revise,
    disbursement_mark_paid,
    disbursement_plan,
    round_create,
)
from funding.services_initiatives import deliverable_accept, deliverable_submit
from labs.models import Lab, PhaseKey
from participants.models import Membership, MembershipRole, Organization

# --- Seeding --------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


@contextmanager
def _unannounced() -> Iterator[None]:
    """Drop the e-mails the services queue: the demo replays history, and nobody should be told
    today about a decision made months ago. (They are queued on commit; the seed runs in one
    transaction, so they are still waiting here.)"""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("The demo seeds inside a transaction.")
    before = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[before:]


@contextmanager
def _open_as_it_was(funding_round: FundingRound) -> Iterator[None]:
    """application_submit checks the round is open now; the submissions replayed here happened
    before the deadline, so they are checked against the round as it stood then. Nothing is
    saved: the round keeps its real deadline."""
    deadline = funding_round.deadline
    funding_round.deadline = timezone.now() + dt.timedelta(hours=1)
    try:
        yield
    finally:
        funding_round.deadline = deadline


class FundingSeeder:
    def __init__(self, lab: Lab, facilitator: User, created: Counter[str]) -> None:
        self.lab = lab
        self.tz = lab.tz
        self.facilitator = facilitator
        self.created = created
        self.now = timezone.now()
        timeline = lab.timeline
        self.phase1 = timeline.phase(PhaseKey.PHASE1).start
        self.phase2 = timeline.phase(PhaseKey.PHASE2).start
        self.program_end = timeline.program_end
        participations = lab.participations.select_related("organization").order_by("pk")
        self.orgs = [p.organization for p in participations if p.organization.name in PLANS]

    def people(self, org: Organization) -> tuple[User, User]:
        """The organization's lead and its other member."""
        members = {
            m.role: m.user
            for m in Membership.objects.filter(organization=org).select_related("user")
        }
        lead = members[MembershipRole.LEAD]
        return lead, members.get(MembershipRole.MEMBER, lead)

    def run(self) -> None:
        if self.lab.today() < self.phase1 + relativedelta(months=3) or not self.orgs:
            return  # intervention areas come in month 4 of Phase 1
        funding_round = self.funding_round()
        for order, org in enumerate(self.orgs):
            peer = self.people(self.orgs[(order + 1) % len(self.orgs)])[0]
            areas = [
                self.area(org, spec, peer, order, n) for n, spec in enumerate(PLANS[org.name].areas)
            ]
            application = self.application(funding_round, org, areas[0], order)
            if application.status == ApplicationStatus.APPROVED:
                self.progress(application, order)
                self.deliverable(application, order)

    # Phase 1 ------------------------------------------------------------------------------

    def area(
        self, org: Organization, spec: Area, peer: User, order: int, n: int
    ) -> InterventionArea:
        found = InterventionArea.objects.filter(lab=self.lab, organization=org, title=spec.title)
        if found.exists():
            return found.get()
        lead, member = self.people(org)
        written = _at(
            self.phase1 + relativedelta(months=3) + dt.timedelta(days=4 + 2 * order + n),
            10 + n,
            self.tz,
        )
        area = InterventionArea.objects.create(
            lab=self.lab,
            organization=org,
            title=spec.title,
            weakness=spec.weakness,
            idea=spec.idea,
            author=member if n else lead,
        )
        self.comments(area, spec.comments, peer, written)
        revised = written
        if spec.revised_idea:
            revised = written + dt.timedelta(days=12)
            area.idea = spec.revised_idea
            area_revise(area=area)
            self.comments(area, spec.comments_on_revision, peer, revised)
        InterventionArea.objects.filter(pk=area.pk).update(created_at=written, updated_at=revised)
        self.created["intervention areas"] += 1
        return area

    def comments(
        self, area: InterventionArea, specs: tuple[Comment, ...], peer: User, after: dt.datetime
    ) -> None:
        for i, spec in enumerate(specs):
            author = self.facilitator if spec.by == "facilitator" else peer
            area_comment(
                area=area,
                author=author,
                comment=AreaComment(
                    body=spec.body,
                    feasibility=spec.feasibility,
                    fits_funding=spec.fits_funding,
                    created_at=after + dt.timedelta(days=spec.days, hours=2 + i),
                ),
            )

    def funding_round(self) -> FundingRound:
        existing = FundingRound.objects.filter(lab=self.lab).first()
        if existing is not None:
            return existing
        max_award, guidance = ROUNDS.get(self.lab.slug, (None, ""))
        # "Funding applications due" is the guide's milestone a month before Phase 2.
        due = self.phase2 - relativedelta(months=1)
        funding_round = round_create(
            funding_round=FundingRound(
                lab=self.lab,
                opens_on=self.phase1 + relativedelta(months=4),
                deadline=_at(due, 17, self.tz),
                max_award=max_award,
                guidance=guidance,
            )
        )
        opened = _at(funding_round.opens_on - dt.timedelta(days=3), 9, self.tz)
        FundingRound.objects.filter(pk=funding_round.pk).update(
            created_at=opened, updated_at=opened
        )
        self.created["funding rounds"] += 1
        return funding_round

    def application(
        self, funding_round: FundingRound, org: Organization, area: InterventionArea, order: int
    ) -> Application:
        found = Application.objects.filter(round=funding_round, organization=org).first()
        if found is not None:
            return found
        spec = PLANS[org.name].proposal
        lead, member = self.people(org)
        started = _at(funding_round.opens_on + dt.timedelta(days=2 + order), 11, self.tz)
        application = Application.objects.create(
            round=funding_round,
            organization=org,
            intervention_area=area,
            title=spec.title,
            problem=spec.problem,
            initiative=spec.initiative,
            who_it_serves=spec.who_it_serves,
            expected_outcomes=spec.expected_outcomes,
            plan=spec.plan,
            summary=spec.summary,
            created_by=lead,
        )
        first_metrics = spec.metrics[: spec.first_metric_count or len(spec.metrics)]
        self.metrics(application, first_metrics)
        self.budget(application, spec.first_budget or spec.budget)

        deadline = funding_round.deadline  # the real one: the dates below are relative to it
        with _unannounced(), _open_as_it_was(funding_round):
            submitted = deadline - dt.timedelta(days=spec.submit_days_before_deadline, hours=3)
            version = self.submit(application, member if order % 2 else lead, submitted)
            decided = _at(self.phase2 - dt.timedelta(days=7 - order), 16, self.tz)
            last = submitted
            if spec.changes:
                reviewed = submitted + dt.timedelta(days=spec.changes_days_after_submission - 1)
                self.review(application, version, spec.first_scores, spec.first_review, reviewed)
                asked = reviewed + dt.timedelta(days=1)
                application_request_changes(
                    application=application, user=self.facilitator, message=spec.changes
                )
                self.stamp(application, asked)
                last = self.revise(application, spec, lead, asked)
            if spec.outcome == Outcome.REVISED_THEN_APPROVED:
                resubmitted = deadline - dt.timedelta(
                    days=spec.resubmit_days_before_deadline, hours=5
                )
                version = self.submit(application, lead, resubmitted)
                last = resubmitted
            if spec.outcome != Outcome.CHANGES_REQUESTED:
                self.review(
                    application, version, spec.scores, spec.review, decided - dt.timedelta(days=3)
                )
                amount = Decimal(spec.award) if spec.award else application.budget_total()
                award = application_approve(
                    application=application,
                    user=self.facilitator,
                    amount=amount,
                    message=spec.decision,
                )
                self.stamp(application, decided, decided_at=decided)
                Award.objects.filter(pk=award.pk).update(approved_at=decided)
                self.disburse(award)
                last = decided
        Application.objects.filter(pk=application.pk).update(created_at=started, updated_at=last)
        self.created["applications"] += 1
        application.refresh_from_db()
        return application

    def metrics(self, application: Application, specs: tuple[Metric, ...]) -> None:
        start = application.metrics.count()
        SuccessMetric.objects.bulk_create(
            SuccessMetric(
                application=application,
                name=m.name,
                unit=m.unit,
                baseline=Decimal(m.baseline),
                target=Decimal(m.target),
                position=start + i,
            )
            for i, m in enumerate(specs, start=1)
        )

    def budget(self, application: Application, lines: tuple[Line, ...]) -> None:
        BudgetLine.objects.bulk_create(
            BudgetLine(
                application=application,
                category=line.category,
                description=line.description,
                amount=Decimal(line.amount),
                position=i,
            )
            for i, line in enumerate(lines, start=1)
        )

    def submit(self, application: Application, user: User, when: dt.datetime) -> ApplicationVersion:
        version = application_submit(application=application, user=user)
        ApplicationVersion.objects.filter(pk=version.pk).update(submitted_at=when)
        self.stamp(application, when, submitted_at=when)
        return version

    def stamp(self, application: Application, when: dt.datetime, **fields) -> None:
        """Date the transition just made (its event) and the application's own timestamps."""
        application.events.filter(pk=application.events.latest("pk").pk).update(created_at=when)
        if fields:
            Application.objects.filter(pk=application.pk).update(**fields)

    def revise(
        self, application: Application, spec: Proposal, user: User, asked: dt.datetime
    ) -> dt.datetime:
        """The organization works the requested changes into its draft."""
        current = {line.description: line for line in spec.budget}
        for line in application.budget_lines.all():
            new = current.get(line.description)
            if new is None:
                line.delete()
            elif Decimal(new.amount) != line.amount:
                line.amount = Decimal(new.amount)
                line.save(update_fields=["amount"])
        kept = set(application.budget_lines.values_list("description", flat=True))
        self.budget(
            application, tuple(line for line in spec.budget if line.description not in kept)
        )
        self.metrics(application, spec.metrics[application.metrics.count() :])
        if spec.cleared_while_revising:
            Application.objects.filter(pk=application.pk).update(
                **dict.fromkeys(spec.cleared_while_revising, "")
            )
            for name in spec.cleared_while_revising:
                setattr(application, name, "")
        edited = min(asked + dt.timedelta(days=4), self.now - dt.timedelta(hours=1))
        return edited

    def review(
        self,
        application: Application,
        version: ApplicationVersion,
        scores: tuple[int, ...],
        comment: str,
        when: dt.datetime,
    ) -> None:
        review = Review.objects.create(
            application=application, version=version, reviewer=self.facilitator, comment=comment
        )
        criteria = list(application.round.criteria.all())
        ReviewScore.objects.bulk_create(
            ReviewScore(review=review, criterion=criterion, score=score)
            for criterion, score in zip(criteria, scores, strict=False)
        )
        Review.objects.filter(pk=review.pk).update(created_at=when, updated_at=when)

    def disburse(self, award: Award) -> None:
        """Three tranches: 40% as the initiative starts, 30% after four and after eight months;
        those whose day has come are paid."""
        first = (award.amount * Decimal("0.4")).quantize(Decimal("0.01"))
        second = (award.amount * Decimal("0.3")).quantize(Decimal("0.01"))
        amounts = (first, second, award.amount - first - second)
        for months, amount in zip((0, 4, 8), amounts, strict=True):
            planned_on = self.phase2 + relativedelta(months=months) + dt.timedelta(days=4)
            tranche = disbursement_plan(
                award=award, disbursement=Disbursement(planned_on=planned_on, amount=amount)
            )
            if planned_on < self.lab.today():
                disbursement_mark_paid(
                    disbursement=tranche, user=self.facilitator, paid_on=planned_on
                )

    # Phase 2 ------------------------------------------------------------------------------

    def progress(self, application: Application, order: int) -> None:
        """One update a month, written early in the next month, until today."""
        spec = PLANS[application.organization.name].proposal
        lead, member = self.people(application.organization)
        metrics = list(application.metrics.all())
        lines = list(application.budget_lines.all())
        done = set(application.progress_updates.values_list("month", flat=True))
        for k in range(self.lab.phase2_months):
            month = self.phase2 + relativedelta(months=k)
            written = _at(
                month + relativedelta(months=1) + dt.timedelta(days=2 + order), 10, self.tz
            )
            if written > self.now:
                break
            if month in done:
                continue
            months = spec.months or GENERIC_MONTHS
            what = months[k] if k < len(months) else GENERIC_MONTHS[k % len(GENERIC_MONTHS)]
            update = ProgressUpdate.objects.create(
                application=application,
                month=month,
                what_happened=what,
                blockers=spec.blockers.get(k, ""),
                author=member if k % 2 else lead,
            )
            share = Decimal(k + 1) / Decimal(self.lab.phase2_months)
            MetricValue.objects.bulk_create(
                MetricValue(
                    update=update,
                    metric=m,
                    value=(m.baseline + (Decimal(_final(spec, m)) - m.baseline) * share).quantize(
                        Decimal("1")
                    ),
                )
                for m in metrics
            )
            Spending.objects.bulk_create(
                Spending(update=update, budget_line=line, amount=_spent(line.amount, i, k))
                for i, line in enumerate(lines)
            )
            ProgressUpdate.objects.filter(pk=update.pk).update(
                created_at=written, updated_at=written
            )
            reply = spec.replies.get(k)
            replied = written + dt.timedelta(days=1, hours=5)
            if reply and replied <= self.now:
                UpdateReply.objects.create(
                    update=update, author=self.facilitator, body=reply, created_at=replied
                )
            self.created["progress updates"] += 1

    def deliverable(self, application: Application, order: int) -> None:
        spec = PLANS[application.organization.name].proposal.final
        accepted = _at(self.program_end + dt.timedelta(days=8 + order), 15, self.tz)
        if spec is None or accepted > self.now or hasattr(application, "deliverable"):
            return
        lead, member = self.people(application.organization)
        deliverable = Deliverable.objects.create(
            application=application,
            summary=spec.summary,
            outcomes=spec.outcomes,
            lessons=spec.lessons,
        )
        proposal = PLANS[application.organization.name].proposal
        FinalMetric.objects.bulk_create(
            FinalMetric(deliverable=deliverable, metric=m, final_value=Decimal(_final(proposal, m)))
            for m in application.metrics.all()
        )
        submitted = _at(self.program_end - dt.timedelta(days=4 - order), 16, self.tz)
        with _unannounced():
            deliverable_submit(deliverable=deliverable, user=lead)
            deliverable_accept(
                deliverable=deliverable, user=self.facilitator, message=spec.accepted_message
            )
        events = list(deliverable.events.order_by("pk"))
        for event, when in zip(events, (submitted, accepted), strict=True):
            DeliverableEvent.objects.filter(pk=event.pk).update(created_at=when)
        Deliverable.objects.filter(pk=deliverable.pk).update(
            created_at=submitted - dt.timedelta(days=12),
            updated_at=accepted,
            submitted_at=submitted,
            accepted_at=accepted,
            on_public_page=spec.on_public_page,
        )
        self.created["final deliverables"] += 1


# Month by month, each budget line spends a share (in percent) of its amount: 97% over a year.
SHARES = (10, 7, 8, 9, 8, 9, 8, 8, 7, 8, 8, 7)


def _spent(amount: Decimal, line: int, month: int) -> Decimal:
    share = SHARES[(month + 3 * line) % len(SHARES)]
    return (amount * share / 100).quantize(Decimal("1"))


def _final(spec: Proposal, metric: SuccessMetric) -> str:
    return next(m.final for m in spec.metrics if m.name == metric.name)


def seed_funding(lab: Lab, facilitator: User, created: Counter[str]) -> None:
    FundingSeeder(lab, facilitator, created).run()
