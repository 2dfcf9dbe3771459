from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import time_zone_choices
from mll.uploads import RandomName

DEFAULT_CHECKIN_OFFSETS = (6, 12, 18)


def default_checkin_offsets() -> list[int]:
    return list(DEFAULT_CHECKIN_OFFSETS)


class Currency(models.TextChoices):
    USD = "USD", "US dollar (USD)"
    CAD = "CAD", "Canadian dollar (CAD)"
    MXN = "MXN", "Mexican peso (MXN)"
    EUR = "EUR", "Euro (EUR)"
    GBP = "GBP", "Pound sterling (GBP)"


class MeetingFormat(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Hybrid"


class MeetingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIWEEKLY = "biweekly", "Every two weeks"
    WEEKLY = "weekly", "Weekly"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    LAST = 5, "Last"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PhaseKey(models.TextChoices):
    PRE_PROGRAM = "pre_program", "Pre-program"
    PHASE1 = "phase1", "Phase 1 · Collective learning"
    PHASE2 = "phase2", "Phase 2 · Initiatives and funding"
    PHASE3 = "phase3", "Phase 3 · Post-program impact"


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def progress(self, day: dt.date) -> float:
        """How far into the phase `day` is, from 0.0 to 1.0."""
        total = (self.end - self.start).days
        if total <= 0 or day < self.start:
            return 0.0
        return min(1.0, (day - self.start).days / total)


@dataclass(frozen=True)
class Timeline:
    phases: tuple[Phase, ...]
    checkin_dates: tuple[tuple[int, dt.date], ...]

    @property
    def program_end(self) -> dt.date:
        return self.phase(PhaseKey.PHASE3).start

    def phase(self, key: str) -> Phase:
        return next(p for p in self.phases if p.key == key)

    def current_phase(self, day: dt.date) -> Phase | None:
        """The phase running on `day`; None before pre-program or after the last check-in."""
        return next((p for p in self.phases if p.contains(day)), None)

    def anchor_date(self, anchor: str) -> dt.date:
        return {
            MilestoneAnchor.LAB_START: self.phase(PhaseKey.PHASE1).start,
            MilestoneAnchor.PHASE2_START: self.phase(PhaseKey.PHASE2).start,
            MilestoneAnchor.PROGRAM_END: self.program_end,
        }[anchor]


class LabQuerySet(models.QuerySet):
    def visible_to(self, user) -> LabQuerySet:
        """Labs a person may open: all for admins, run for facilitators, joined for members."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        joined = Q(
            participations__organization__memberships__user=user,
            participations__status__in=PARTICIPATING_STATUSES,
        )
        ids = Lab.objects.filter(Q(facilitators=user) | joined).values("pk")
        return self.filter(pk__in=ids)

    def managed_by(self, user) -> LabQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(pk__in=Lab.objects.filter(facilitators=user).values("pk"))

    def publicly_listed(self) -> LabQuerySet:
        return self.filter(call_is_published=True)


# Participation statuses (defined by the participants app) that give a member access to a lab.
PARTICIPATING_STATUSES = ("invited", "accepted", "agreement_signed", "active", "completed")


class Lab(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    city = models.CharField(
        "city or ecosystem", max_length=120, help_text="Where the cohort's organizations work."
    )
    description = models.TextField(blank=True)
    objectives = models.TextField(blank=True, help_text="What the lab sets out to do.")
    goals = models.TextField(blank=True, help_text="How you will know the lab succeeded.")
    participation_criteria = models.TextField(
        blank=True, help_text="Who may join: one criterion per line."
    )
    how_to_apply = models.TextField(
        blank=True, help_text="Shown on the public call, above the expression-of-interest form."
    )
    literature_notes = models.TextField(
        "literature review notes",
        blank=True,
        help_text="Existing mentorship programs in the ecosystem and the gaps they leave.",
    )
    funding_pool = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, choices=Currency, default=Currency.USD)
    start_date = models.DateField(
        "Phase 1 start date", help_text="The first day of collective learning."
    )
    time_zone = models.CharField(
        max_length=64, choices=time_zone_choices, default="America/Chicago"
    )
    pre_program_months = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Preparation before Phase 1.",
    )
    phase1_months = models.PositiveSmallIntegerField(
        "Phase 1 length (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    phase2_months = models.PositiveSmallIntegerField(
        "Phase 2 length (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    checkin_offsets = models.JSONField(
        "check-ins (months after the program ends)", default=default_checkin_offsets
    )
    meeting_frequency = models.CharField(
        max_length=10, choices=MeetingFrequency, default=MeetingFrequency.MONTHLY
    )
    meeting_week_of_month = models.PositiveSmallIntegerField(
        choices=WeekOfMonth, default=WeekOfMonth.SECOND, help_text="For monthly meetings."
    )
    meeting_weekday = models.PositiveSmallIntegerField(choices=Weekday, default=Weekday.TUESDAY)
    meeting_time = models.TimeField(default=dt.time(10, 0), help_text="In the lab's time zone.")
    meeting_duration_minutes = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(15)]
    )
    meeting_format = models.CharField(
        max_length=10, choices=MeetingFormat, default=MeetingFormat.HYBRID
    )
    meeting_location = models.CharField(
        max_length=200, blank=True, help_text="Venue for in-person and hybrid meetings."
    )
    call_is_published = models.BooleanField(
        "publish the call for participants",
        default=False,
        help_text="Shows the public call page and accepts expressions of interest.",
    )
    call_deadline = models.DateField("expressions of interest due", null=True, blank=True)
    agreement_text = models.TextField(
        "participation agreement",
        blank=True,
        help_text="What each organization agrees to. Org leads accept it by typing their name.",
    )
    agreement_file = models.FileField(
        "agreement (PDF)", upload_to=RandomName("agreements"), blank=True
    )
    agreement_version = models.PositiveIntegerField(default=0)
    agreement_updated_at = models.DateTimeField(null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_labs", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LabQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_pool__gte=0), name="lab_funding_pool_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(phase1_months__gte=1, phase2_months__gte=1, pre_program_months__gte=1),
                name="lab_phases_at_least_a_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("labs:detail", args=[self.slug])

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:70] or "lab"
        slug, n = base, 2
        while Lab.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> dt.date:
        return timezone.localdate(timezone=self.tz)

    @property
    def timeline(self) -> Timeline:
        return compute_timeline(
            start=self.start_date,
            pre_program_months=self.pre_program_months,
            phase1_months=self.phase1_months,
            phase2_months=self.phase2_months,
            checkin_offsets=self.checkin_offsets,
        )

    def current_phase(self) -> Phase | None:
        return self.timeline.current_phase(self.today())

    def is_facilitated_by(self, user) -> bool:
        return user.is_authenticated and (
            user.is_staff or self.facilitators.filter(pk=user.pk).exists()
        )

    def meeting_plan_display(self) -> str:
        when = self.get_meeting_weekday_display()
        if self.meeting_frequency == MeetingFrequency.MONTHLY:
            when = f"{self.get_meeting_week_of_month_display().lower()} {when} of each month"
        else:
            when = f"{self.get_meeting_frequency_display().lower()} on {when}"
        time = self.meeting_time.strftime("%-I:%M %p")
        meeting_format = self.get_meeting_format_display().lower()
        return f"{when[0].upper()}{when[1:]}, {time} {self.time_zone}, {meeting_format}"

    def criteria_list(self) -> list[str]:
        return [
            line.strip(" -•*") for line in self.participation_criteria.splitlines() if line.strip()
        ]

    def call_is_open(self) -> bool:
        if not self.call_is_published:
            return False
        return self.call_deadline is None or self.today() <= self.call_deadline


def compute_timeline(
    *,
    start: dt.date,
    pre_program_months: int,
    phase1_months: int,
    phase2_months: int,
    checkin_offsets: list[int],
) -> Timeline:
    pre_start = start - relativedelta(months=pre_program_months)
    phase2_start = start + relativedelta(months=phase1_months)
    program_end = phase2_start + relativedelta(months=phase2_months)
    offsets = sorted(checkin_offsets) or list(DEFAULT_CHECKIN_OFFSETS)
    checkins = tuple((m, program_end + relativedelta(months=m)) for m in offsets)
    impact_end = checkins[-1][1] + dt.timedelta(days=1)
    phases = (
        Phase(PhaseKey.PRE_PROGRAM, PhaseKey.PRE_PROGRAM.label, pre_start, start),
        Phase(PhaseKey.PHASE1, PhaseKey.PHASE1.label, start, phase2_start),
        Phase(PhaseKey.PHASE2, PhaseKey.PHASE2.label, phase2_start, program_end),
        Phase(PhaseKey.PHASE3, PhaseKey.PHASE3.label, program_end, impact_end),
    )
    return Timeline(phases=phases, checkin_dates=checkins)


class LiteratureSource(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    url = models.URLField("link", max_length=500, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class MilestoneAnchor(models.TextChoices):
    LAB_START = "lab_start", "Phase 1 start"
    PHASE2_START = "phase2_start", "Phase 2 start"
    PROGRAM_END = "program_end", "Program end"


class MilestoneQuerySet(models.QuerySet):
    def pending(self) -> MilestoneQuerySet:
        return self.filter(completed_at__isnull=True)

    def overdue(self, today: dt.date) -> MilestoneQuerySet:
        return self.pending().filter(due_date__lt=today)

    def upcoming(self, today: dt.date) -> MilestoneQuerySet:
        return self.pending().filter(due_date__gte=today).order_by("due_date", "position")


class Milestone(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    phase = models.CharField(max_length=20, choices=PhaseKey)
    # Which date of the timeline this milestone moves with when the lab's dates change.
    anchor = models.CharField(
        max_length=20, choices=MilestoneAnchor, default=MilestoneAnchor.LAB_START
    )
    due_date = models.DateField()
    position = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set on the milestone that stands for the check-in this many months after the program.
    checkin_months = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The due date the facilitators were last reminded of: one reminder per due date.
    reminder_sent_for = models.DateField(null=True, blank=True, editable=False)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["position", "due_date", "pk"]
        indexes = [models.Index(fields=["lab", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    def status(self, today: dt.date) -> str:
        if self.is_done:
            return "done"
        if self.due_date < today:
            return "overdue"
        if (self.due_date - today).days <= 14:
            return "due soon"
        return "upcoming"
