"""Post-program check-ins (Phase 3): at 6, 12 and 18 months after the program ends, each
organization that completed the lab reports progress, how its funds were used, long-term
impact with stories, and metrics beside their baselines and targets.

Every e-mail about a check-in is a `CheckInReminder` row, planned with the check-in: the
database, not the broker, holds what is due, and a beat task dispatches it exactly once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from funding.models import StatusChange, SuccessMetric
from participants.models import Participation

DEFAULT_OPENS_DAYS_BEFORE = 14


class CheckInStatus(models.TextChoices):
    DRAFT = "draft", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    QUESTION = "question", "Question asked"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"

    @classmethod
    def editable(cls) -> set[str]:
        return {cls.DRAFT, cls.QUESTION}

    @classmethod
    def submitted(cls) -> set[str]:
        return {cls.SUBMITTED, cls.QUESTION, cls.ACKNOWLEDGED}


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user) -> CheckInQuerySet:
        """The organization's members, the lab's facilitators and admins; nobody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            pk__in=CheckIn.objects.filter(
                Q(participation__lab__facilitators=user)
                | Q(participation__organization__memberships__user=user)
            ).values("pk")
        )

    def unsubmitted(self) -> CheckInQuerySet:
        return self.filter(submitted_at__isnull=True)

    def overdue(self, today: dt.date) -> CheckInQuerySet:
        return self.unsubmitted().filter(due_on__lt=today)

    def owed(self, today: dt.date) -> CheckInQuerySet:
        """What the organization owes now: open or late and not submitted, or a
        facilitator's question waiting for its answer."""
        return self.filter(
            Q(submitted_at__isnull=True, opens_on__lte=today) | Q(status=CheckInStatus.QUESTION)
        )


class CheckIn(models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="checkins"
    )
    months = models.PositiveSmallIntegerField(help_text="Months after the program ended.")
    due_on = models.DateField()
    opens_on = models.DateField()
    status = models.CharField(max_length=20, choices=CheckInStatus, default=CheckInStatus.DRAFT)

    progress = models.TextField("progress since the program", blank=True)
    funds_spent = models.DecimalField(
        "award spent so far",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funds_spent_on = models.TextField("what the funds were spent on", blank=True)
    funds_remaining = models.TextField("what remains, and the plan for it", blank=True)
    impact = models.TextField("long-term impact", blank=True)

    # First submission: reminders stop here and it never moves again.
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facilitator_message = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "months"], name="checkin_once"),
            models.CheckConstraint(condition=Q(opens_on__lte=F("due_on")), name="checkin_opens"),
        ]
        indexes = [models.Index(fields=["due_on", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.months}-month check-in of {self.participation.organization}"

    def get_absolute_url(self) -> str:
        return reverse("checkins:detail", args=[self.participation.lab.slug, self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_editable(self) -> bool:
        return self.status in CheckInStatus.editable()

    def state(self, today: dt.date) -> str:
        """For people: upcoming, open, due today, overdue, or the status once submitted."""
        if self.is_submitted:
            return self.get_status_display()
        if today < self.opens_on:
            return "Upcoming"
        if today < self.due_on:
            return "Open"
        if today == self.due_on:
            return "Due today"
        return "Overdue"

    def state_key(self, today: dt.date) -> str:
        """`state` as a key for styling and filtering: upcoming, open, due, overdue, or the
        status once submitted (submitted, question, acknowledged)."""
        if self.is_submitted:
            return self.status
        if today < self.opens_on:
            return "upcoming"
        if today < self.due_on:
            return "open"
        return "due" if today == self.due_on else "overdue"

    def at(self, today: dt.date) -> CheckIn:
        """Stamp the state on `today` for templates (which can't pass arguments)."""
        self.state_label = self.state(today)
        self.state_css = self.state_key(today)
        self.days_late = self.days_overdue(today)
        self.days_left = (self.due_on - today).days
        return self

    def days_overdue(self, today: dt.date) -> int:
        """Whole days past the due date while not submitted; 0 otherwise."""
        if self.is_submitted or today <= self.due_on:
            return 0
        return (today - self.due_on).days


class StandardMetric(models.TextChoices):
    """The mentorship measures every check-in offers beside the initiative's own."""

    ACTIVE_MENTORS = "active_mentors", "Active mentors"
    ACTIVE_MENTEES = "active_mentees", "Active mentees"
    MATCHES_MADE = "matches_made", "Matches made"
    MENTOR_RETENTION = "mentor_retention", "Mentor retention (%)"
    MENTEES_HIRED = "mentees_hired", "Mentees who found a job"
    MENTEES_PROMOTED = "mentees_promoted", "Mentees promoted"


class CheckInValue(models.Model):
    """One metric's value at a check-in: a standard mentorship measure or one of the
    initiative's success metrics (which carry their own baseline and target)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="values")
    standard = models.CharField(max_length=20, choices=StandardMetric, blank=True)
    metric = models.ForeignKey(
        SuccessMetric, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(standard="") & Q(metric__isnull=False))
                | (~Q(standard="") & Q(metric__isnull=True)),
                name="checkin_value_one_kind",
            ),
            models.UniqueConstraint(
                fields=["checkin", "standard"],
                condition=~Q(standard=""),
                name="checkin_standard_value_once",
            ),
            models.UniqueConstraint(
                fields=["checkin", "metric"],
                condition=Q(metric__isnull=False),
                name="checkin_metric_value_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_standard_display() or self.metric}: {self.value}"


class CheckInStory(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=200)
    body = models.TextField()
    consent_to_share = models.BooleanField(
        "the person in the story agreed to share it",
        default=False,
        help_text="Only stories with consent appear outside your organization and the lab.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "check-in stories"

    def __str__(self) -> str:
        return self.title


class CheckInEvent(StatusChange):
    """Who did what and when: submitted, question asked, answered, acknowledged."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=CheckInStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=CheckInStatus)

    def __str__(self) -> str:
        return f"{self.checkin}: {self.from_status or '—'} → {self.to_status}"


class ReminderKind(models.TextChoices):
    OPENING = "opening", "The check-in opens"
    DUE = "due", "Due today"
    OVERDUE_7 = "overdue_7", "A week overdue"
    OVERDUE_14 = "overdue_14", "Two weeks overdue"
    ESCALATION = "escalation", "Escalated to the facilitators"

    @classmethod
    def to_organization(cls) -> list[str]:
        """In the order they fall due; the escalation goes to the facilitators instead."""
        return [cls.OPENING, cls.DUE, cls.OVERDUE_7, cls.OVERDUE_14]


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (a later reminder went instead)"
    CANCELLED = "cancelled", "Not needed (submitted)"


class CheckInReminder(models.Model):
    """One planned e-mail about a check-in. `send_at` lives here, never as a broker ETA; the
    state moves pending → sending (claimed) → sent, each step a conditional update."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind)
    send_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=ReminderState, default=ReminderState.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    recipients = models.TextField(blank=True, help_text="Who it went to, for the record.")

    class Meta:
        ordering = ["send_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "kind"], name="checkin_reminder_once"),
        ]
        indexes = [models.Index(fields=["state", "send_at"], name="checkin_reminder_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.checkin}"

    @property
    def message_id(self) -> str:
        """Stable per reminder: a repeat after a crash folds into one message in mail apps."""
        return f"<checkin-reminder-{self.pk}@{settings.MLL_MESSAGE_ID_DOMAIN}>"
