from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from labs.models import Lab, MeetingFormat
from mll.uploads import RandomName
from participants.models import Organization, ParticipationStatus


class MeetingKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly meeting"
    FOCUS_GROUP = "focus_group", "Focus group"
    SHARE_OUT = "share_out", "Share-out"
    SUPPORT = "support", "1:1 support session"
    PANEL = "panel", "Panel"
    JOB_FAIR = "job_fair", "Job fair"
    WORKSHOP = "workshop", "Workshop"

    @classmethod
    def with_guests(cls) -> set[str]:
        """Kinds that outside contacts (mentors, mentees, stakeholders) may be invited to."""
        return {cls.FOCUS_GROUP, cls.SHARE_OUT, cls.PANEL, cls.JOB_FAIR, cls.WORKSHOP}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        """Meetings a person may see: all in labs they run; in labs they take part in, all but
        other organizations' 1:1 support sessions."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        mine = Organization.objects.filter(memberships__user=user).values("pk")
        participating = Q(
            lab__participations__organization__memberships__user=user,
            lab__participations__status__in=[
                s for s in ParticipationStatus.values if s != ParticipationStatus.WITHDRAWN
            ],
        )
        cohort = participating & (Q(organization__isnull=True) | Q(organization__in=mine))
        ids = Meeting.objects.filter(Q(lab__facilitators=user) | cohort).values("pk")
        return self.filter(pk__in=ids)

    def scheduled(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.SCHEDULED)

    def upcoming(self, now=None) -> MeetingQuerySet:
        return self.scheduled().filter(ends_at__gte=now or timezone.now()).order_by("starts_at")


class Meeting(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind, default=MeetingKind.MONTHLY)
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=10, choices=MeetingFormat, default=MeetingFormat.HYBRID)
    location = models.CharField(max_length=300, blank=True)
    video_url = models.URLField("video link", max_length=500, blank=True)
    # 1:1 support sessions belong to one organization: private to it and the facilitators.
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="support_sessions",
        help_text="For 1:1 support sessions only.",
    )
    # The month a planned monthly meeting stands for; a series never plans a month twice.
    series_month = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    shared_notes = models.TextField("notes", blank=True, help_text="Shared with the cohort.")
    facilitator_notes = models.TextField(
        "private facilitator notes", blank=True, help_text="Only facilitators see these."
    )
    # iCalendar identity: a stable UID, and a SEQUENCE that rises with every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["lab", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_it_starts"
            ),
            models.UniqueConstraint(
                fields=["lab", "series_month"],
                condition=Q(series_month__isnull=False),
                name="meeting_one_planned_per_month",
            ),
            models.CheckConstraint(
                condition=Q(kind=MeetingKind.SUPPORT, organization__isnull=False)
                | (~Q(kind=MeetingKind.SUPPORT) & Q(organization__isnull=True)),
                name="meeting_support_has_an_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.lab.slug, self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_private(self) -> bool:
        return self.kind == MeetingKind.SUPPORT

    @property
    def takes_guests(self) -> bool:
        return self.kind in MeetingKind.with_guests()

    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    presenter = models.CharField(max_length=150, blank=True)
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=RandomName("meetings"))
    name = models.CharField(max_length=200, help_text="The file's original name.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class AttendanceStatus(models.TextChoices):
    IN_PERSON = "in_person", "Present in person"
    REMOTE = "remote", "Present remotely"
    EXCUSED = "excused", "Excused"
    ABSENT = "absent", "Absent"

    @classmethod
    def present(cls) -> set[str]:
        return {cls.IN_PERSON, cls.REMOTE}


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    # The organization the person attended for, kept even if they later leave it.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}: {self.get_status_display()}"


class GuestRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"
    STAKEHOLDER = "stakeholder", "Stakeholder"
    OTHER = "other", "Other"


class GuestResponse(models.TextChoices):
    PENDING = "pending", "No answer yet"
    YES = "yes", "Coming"
    NO = "no", "Not coming"


class Guest(models.Model):
    """An outside contact invited to one meeting: no account, a private link to answer."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=GuestRole, default=GuestRole.MENTOR)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The participant whose mentor, mentee or stakeholder this is.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    response = models.CharField(max_length=10, choices=GuestResponse, default=GuestResponse.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="guest_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class Post(models.Model):
    """A takeaway or piece of advice in a meeting's discussion: the cohort's peer learning."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_posts"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.meeting}"


class ReminderState(models.TextChoices):
    CLAIMED = "claimed", "Claimed"
    SENT = "sent", "Sent"


class Reminder(models.Model):
    """The day-before reminder for one person and one start time of a meeting.

    Its unique key is the claim: whoever inserts the row sends the e-mail, so repeated and
    concurrent dispatch never double-sends; a moved meeting has a new start time, so a new
    reminder.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    guest = models.ForeignKey(
        Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    starts_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=ReminderState, default=ReminderState.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "starts_at"],
                condition=Q(user__isnull=False),
                name="reminder_once_per_person_and_time",
            ),
            models.UniqueConstraint(
                fields=["meeting", "guest", "starts_at"],
                condition=Q(guest__isnull=False),
                name="reminder_once_per_guest_and_time",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, guest__isnull=True)
                | Q(user__isnull=True, guest__isnull=False),
                name="reminder_for_a_person_or_a_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.user or self.guest} of {self.meeting}"


class CalendarFeed(models.Model):
    """A person's private calendar subscription URL; revoking it issues a new token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
