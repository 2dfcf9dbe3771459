"""Funding: intervention areas with peer feedback, the lab's funding round and its rubric,
applications with versions, reviews and awards within the pool, disbursements, the funded
initiative's monthly progress and spending, and the final deliverable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from labs.models import Lab
from mll.uploads import RandomName
from participants.models import Organization

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = MinValueValidator(Decimal("0.01"))
NOT_NEGATIVE = MinValueValidator(Decimal("0"))


class Audited(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """One transition's audit row: who, when and the message. Each subclass adds its parent
    and `from_status`/`to_status` with its own choices."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class Uploaded(models.Model):
    """A file someone attached; the subclass adds its parent and the `file` field with its
    own folder (always a RandomName)."""

    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


# --- Intervention areas (Phase 1) --------------------------------------------------------------


class InterventionArea(Audited):
    """A weakness an organization wants to address and its idea for it, open to the cohort."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="intervention_areas")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="intervention_areas"
    )
    title = models.CharField(max_length=200)
    weakness = models.TextField("the weakness it addresses")
    idea = models.TextField("the idea")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organization__name", "created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:area", args=[self.lab.slug, self.pk])


class Feasibility(models.TextChoices):
    FEASIBLE = "feasible", "Feasible"
    UNSURE = "unsure", "Not sure yet"
    STRETCH = "stretch", "A stretch"


class AreaComment(models.Model):
    area = models.ForeignKey(InterventionArea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    feasibility = models.CharField(max_length=10, choices=Feasibility, blank=True)
    fits_funding = models.BooleanField(
        "fits the funding available", null=True, blank=True, default=None
    )
    on_revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.area}"


# --- The funding round --------------------------------------------------------------------------


class FundingRound(Audited):
    lab = models.OneToOneField(Lab, on_delete=models.CASCADE, related_name="funding_round")
    opens_on = models.DateField()
    deadline = models.DateTimeField(help_text="Applications must be submitted before this.")
    max_award = models.DecimalField(
        "maximum per award", **MONEY, null=True, blank=True, validators=[POSITIVE]
    )
    guidance = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Funding round of {self.lab}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_on <= timezone.localdate(now, self.lab.tz) and now < self.deadline


class RubricCriterion(models.Model):
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    max_score = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


DEFAULT_RUBRIC = (
    ("Feasibility", "Can the organization do this with its people and the time it has?"),
    ("Alignment with the lab's goals", "Does it strengthen mentorship for the clients served?"),
    ("Expected impact", "How much will mentors and mentees gain, and is it measurable?"),
    ("Budget realism", "Are the costs believable and necessary?"),
)


# --- Applications -------------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def awaiting_review(cls) -> set[str]:
        return {cls.SUBMITTED, cls.RESUBMITTED}

    @classmethod
    def editable(cls) -> set[str]:
        return {cls.DRAFT, cls.CHANGES_REQUESTED}


class ApplicationQuerySet(models.QuerySet):
    def initiatives(self) -> ApplicationQuerySet:
        """Approved applications: the funded initiatives, whose title, summary and status
        the whole cohort may read (never their budgets, reviews, updates or spending)."""
        return self.filter(status=ApplicationStatus.APPROVED)

    def visible_to(self, user) -> ApplicationQuerySet:
        """Private to the organization's members and the lab's facilitators (and admins)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            pk__in=Application.objects.filter(
                Q(round__lab__facilitators=user) | Q(organization__memberships__user=user)
            ).values("pk")
        )


class Application(Audited):
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="applications"
    )
    intervention_area = models.ForeignKey(
        InterventionArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus, default=ApplicationStatus.DRAFT
    )
    title = models.CharField(max_length=200, blank=True)
    problem = models.TextField("the problem", blank=True)
    initiative = models.TextField("the proposed initiative", blank=True)
    who_it_serves = models.TextField("who it serves", blank=True)
    expected_outcomes = models.TextField(blank=True)
    plan = models.TextField("month-by-month plan", blank=True)
    summary = models.TextField(
        "public summary", blank=True, help_text="What the cohort sees of the initiative."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="application_one_per_org_and_round"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.organization}'s application"

    def get_absolute_url(self) -> str:
        return reverse("funding:application", args=[self.round.lab.slug, self.pk])

    @property
    def lab(self) -> Lab:
        return self.round.lab

    @property
    def is_editable(self) -> bool:
        return self.status in ApplicationStatus.editable()

    @property
    def is_initiative(self) -> bool:
        return self.status == ApplicationStatus.APPROVED

    def budget_total(self) -> Decimal:
        return self.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")


class BudgetCategory(models.TextChoices):
    STAFF = "staff", "Staff time"
    STIPENDS = "stipends", "Stipends and honoraria"
    EVENTS = "events", "Events and venues"
    TECHNOLOGY = "technology", "Technology and software"
    MARKETING = "marketing", "Outreach and marketing"
    EVALUATION = "evaluation", "Evaluation and data"
    OTHER = "other", "Other"


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(max_length=12, choices=BudgetCategory)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, validators=[NOT_NEGATIVE])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"


class SuccessMetric(models.Model):
    """A measure of success with its baseline and target (e.g. mentors with engineering
    backgrounds: 25 → 35)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. mentors, %, sessions")
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.baseline} → {self.target}"


class ApplicationAttachment(Uploaded):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=RandomName("applications"))


class ApplicationVersion(models.Model):
    """What was submitted, frozen: reviewers see exactly that and what changed since."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="application_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ApplicationEvent(StatusChange):
    """One transition: who, when, from, to, and the message that went with it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus)

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status or '—'} → {self.to_status}"


class Review(Audited):
    """A facilitator's scores and comments on one submitted version (private to facilitators)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ApplicationVersion, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewer"], name="review_once_per_version_and_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.application} by {self.reviewer}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="score_once_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


# --- Awards and money ---------------------------------------------------------------------------


class Award(models.Model):
    """The amount approved for an application. The lab's awards never exceed its pool: the
    approving transaction locks the lab row and checks the sum (see funding.services)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="award")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="awards")
    amount = models.DecimalField(**MONEY, validators=[POSITIVE])
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.lab.currency} to {self.application.organization}"


class DisbursementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PAID = "paid", "Paid"


class Disbursement(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="disbursements")
    planned_on = models.DateField()
    amount = models.DecimalField(**MONEY, validators=[POSITIVE])
    status = models.CharField(
        max_length=10, choices=DisbursementStatus, default=DisbursementStatus.PLANNED
    )
    paid_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
            models.CheckConstraint(
                condition=Q(status="planned", paid_on__isnull=True)
                | Q(status="paid", paid_on__isnull=False),
                name="disbursement_paid_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.planned_on} ({self.get_status_display()})"


# --- The initiative (Phase 2) ------------------------------------------------------------------


class ProgressUpdate(Audited):
    """The organization's monthly report on its funded initiative."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="progress_updates"
    )
    month = models.DateField(help_text="The first day of the month reported on.")
    what_happened = models.TextField()
    blockers = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "month"], name="progress_once_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} — {self.month:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "funding:update", args=[self.application.lab.slug, self.application_id, self.pk]
        )


class MetricValue(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="values")
    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "metric"], name="metric_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name}: {self.value}"


class Spending(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="spending")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="spending")
    amount = models.DecimalField(**MONEY, validators=[NOT_NEGATIVE])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "budget_line"], name="spending_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.amount}"


class UpdateReply(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.update}"


# --- The final deliverable --------------------------------------------------------------------


class DeliverableStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class Deliverable(Audited):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="deliverable"
    )
    summary = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    lessons = models.TextField("lessons learned", blank=True)
    status = models.CharField(
        max_length=20, choices=DeliverableStatus, default=DeliverableStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    on_public_page = models.BooleanField(
        "show on the lab's public page", default=False, help_text="Chosen by the facilitators."
    )

    def __str__(self) -> str:
        return f"Final deliverable of {self.application}"

    def get_absolute_url(self) -> str:
        return reverse("funding:deliverable", args=[self.application.lab.slug, self.application_id])

    @property
    def is_editable(self) -> bool:
        return self.status in (DeliverableStatus.DRAFT, DeliverableStatus.CHANGES_REQUESTED)


class DeliverableEvent(StatusChange):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=DeliverableStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=DeliverableStatus)

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.from_status or '—'} → {self.to_status}"


class FinalMetric(models.Model):
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="final_metrics"
    )
    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="+")
    final_value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "metric"], name="final_metric_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name}: {self.final_value}"


class DeliverableAttachment(Uploaded):
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=RandomName("deliverables"))


# --- Scheduled reminders ----------------------------------------------------------------------


class FundingReminder(models.Model):
    """One scheduled e-mail to an organization (a month's progress update, the deliverable
    due soon). Its unique key is the claim: inserted once, sent once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=40, help_text="e.g. progress:2027-03, deliverable:30")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="funding_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} for {self.application}"
