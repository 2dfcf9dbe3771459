from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from labs.models import PARTICIPATING_STATUSES, Lab
from mll.tokens import hash_token
from mll.uploads import RandomName


class ClientGroup(models.Model):
    """The shared vocabulary of groups an organization serves; overlaps mean competition."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganizationQuerySet:
        """Whose full profile a person may read: their own orgs, and every org in labs they run."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        ids = Organization.objects.filter(
            Q(memberships__user=user) | Q(participations__lab__facilitators=user)
        ).values("pk")
        return self.filter(pk__in=ids)

    def editable_by(self, user) -> OrganizationQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(pk__in=Membership.objects.filter(user=user).values("organization"))


class Organization(models.Model):
    name = models.CharField(max_length=200)
    website = models.URLField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField("state or region", max_length=120, blank=True)
    mission = models.TextField(blank=True)
    client_groups = models.ManyToManyField(
        ClientGroup, blank=True, related_name="organizations", verbose_name="client groups served"
    )
    client_groups_other = models.CharField(
        "other client groups",
        max_length=300,
        blank=True,
        help_text="Anyone you serve that the list doesn't name, comma-separated.",
    )
    # The current mentorship program: the baseline later impact is measured against.
    active_mentors = models.PositiveIntegerField(null=True, blank=True)
    active_mentees = models.PositiveIntegerField(null=True, blank=True)
    matching_method = models.TextField("how matching is done", blank=True)
    program_length = models.CharField(
        max_length=120, blank=True, help_text="e.g. 6 months, one school year, ongoing"
    )
    strengths = models.TextField(blank=True)
    challenges = models.TextField(blank=True)
    needs = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participants:organization", args=[self.pk])

    def other_client_groups(self) -> list[str]:
        return [g.strip() for g in self.client_groups_other.split(",") if g.strip()]

    def profile_gaps(self) -> list[str]:
        """Profile fields still empty that facilitators rely on."""
        required = {
            "mission": self.mission,
            "website": self.website,
            "city": self.city,
            "active mentors": self.active_mentors is not None,
            "active mentees": self.active_mentees is not None,
            "how matching is done": self.matching_method,
            "strengths": self.strengths,
            "challenges": self.challenges,
        }
        return [label for label, value in required.items() if not value]


class MembershipRole(models.TextChoices):
    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=MembershipRole, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"

    @property
    def is_lead(self) -> bool:
        return self.role == MembershipRole.LEAD


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


assert set(PARTICIPATING_STATUSES) == set(ParticipationStatus.values) - {"withdrawn"}


class ParticipationQuerySet(models.QuerySet):
    def current(self) -> ParticipationQuerySet:
        return self.exclude(status=ParticipationStatus.WITHDRAWN)

    def visible_to(self, user) -> ParticipationQuerySet:
        """Participations (with their private records) a person may read."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Q(lab__facilitators=user) | Q(organization__memberships__user=user)
        ).distinct()


class Participation(models.Model):
    """An organization's place in one lab, with its agreement, goals and baseline."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="participations"
    )
    status = models.CharField(
        max_length=20, choices=ParticipationStatus, default=ParticipationStatus.INVITED
    )
    goals = models.TextField(
        "goals for the lab", blank=True, help_text="What your organization wants from the lab."
    )
    baseline_active_mentors = models.PositiveIntegerField(null=True, blank=True, editable=False)
    baseline_active_mentees = models.PositiveIntegerField(null=True, blank=True, editable=False)
    baseline_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "organization"], name="participation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.lab}"

    def get_absolute_url(self) -> str:
        return reverse("participants:participation", args=[self.lab.slug, self.pk])

    @property
    def signed_agreement(self) -> AgreementSignature | None:
        """The newest signature, if any (prefetch `signatures` to avoid a query per row)."""
        signatures = list(self.signatures.all())
        return max(signatures, key=lambda s: s.signed_at) if signatures else None


class ParticipationEvent(models.Model):
    """One status change of a participation: who, when, from, to."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=20, choices=ParticipationStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=ParticipationStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.participation}: {self.from_status or '—'} → {self.to_status}"


class SignatureKind(models.TextChoices):
    TYPED = "typed", "Accepted online"
    UPLOADED = "uploaded", "Signed contract uploaded"


class AgreementSignature(models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="signatures"
    )
    kind = models.CharField(max_length=10, choices=SignatureKind)
    agreement_version = models.PositiveIntegerField()
    signed_name = models.CharField(max_length=150, blank=True)
    contract_file = models.FileField(upload_to=RandomName("contracts"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.participation} v{self.agreement_version} ({self.get_kind_display()})"


class InterestStatus(models.TextChoices):
    NEW = "new", "New"
    SHORTLISTED = "shortlisted", "Shortlisted"
    DECLINED = "declined", "Declined"
    INVITED = "invited", "Invited"


class ExpressionOfInterest(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="expressions_of_interest")
    organization_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    website = models.URLField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField("state or region", max_length=120, blank=True)
    client_groups = models.ManyToManyField(
        ClientGroup, blank=True, related_name="+", verbose_name="client groups served"
    )
    client_groups_other = models.CharField("other client groups", max_length=300, blank=True)
    mission = models.TextField()
    program_summary = models.TextField(
        "your mentorship program", help_text="Who you match, how many, and how."
    )
    why_join = models.TextField("why join the lab", blank=True)
    status = models.CharField(max_length=12, choices=InterestStatus, default=InterestStatus.NEW)
    facilitator_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "expression of interest"
        verbose_name_plural = "expressions of interest"

    def __str__(self) -> str:
        return f"{self.organization_name} → {self.lab}"

    def other_client_groups(self) -> list[str]:
        return [g.strip() for g in self.client_groups_other.split(",") if g.strip()]


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def by_token(self, token: str) -> InvitationQuerySet:
        return self.filter(token_hash=hash_token(token))


class Invitation(models.Model):
    """A single-use, expiring link that brings one person into one organization.

    Only the token's hash is stored; the token itself exists in the e-mail alone.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    lab = models.ForeignKey(
        Lab, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=MembershipRole, default=MembershipRole.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def is_usable(self) -> bool:
        return self.status == "pending"
