"""Recruiting and onboarding workflows: interest, invitations, participation status, agreements.

Services never see `request`; they take the acting user and return what they changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from labs import hooks
from labs.models import Lab
from mll.tokens import hash_token
from participants.models import (
    AgreementSignature,
    ExpressionOfInterest,
    InterestStatus,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
    ParticipationEvent,
    ParticipationStatus,
    SignatureKind,
)
from participants.tasks import notify_facilitators_of_interest, send_invitation_email

S = ParticipationStatus


class TransitionError(Exception):
    """A workflow step asked of a record in the wrong state; the message is for people."""


# --- Expressions of interest -------------------------------------------------------------


def interest_submit(*, interest: ExpressionOfInterest, client_groups) -> ExpressionOfInterest:
    if not interest.lab.call_is_open():
        raise TransitionError("This call for participants is closed.")
    interest.contact_email = interest.contact_email.lower()
    interest.save()
    interest.client_groups.set(client_groups)
    notify_facilitators_of_interest.delay_on_commit(interest.pk)
    return interest


def _interest_review(
    *, interest: ExpressionOfInterest, user: User, to: str, allowed: set[str]
) -> None:
    updated = ExpressionOfInterest.objects.filter(pk=interest.pk, status__in=allowed).update(
        status=to, reviewed_by=user, reviewed_at=timezone.now()
    )
    if not updated:
        raise TransitionError(
            f"This expression of interest is {interest.get_status_display().lower()}; "
            f"it can't be marked {InterestStatus(to).label.lower()}."
        )
    interest.refresh_from_db()


def interest_shortlist(*, interest: ExpressionOfInterest, user: User) -> None:
    _interest_review(
        interest=interest,
        user=user,
        to=InterestStatus.SHORTLISTED,
        allowed={InterestStatus.NEW, InterestStatus.DECLINED},
    )


def interest_decline(*, interest: ExpressionOfInterest, user: User) -> None:
    _interest_review(
        interest=interest,
        user=user,
        to=InterestStatus.DECLINED,
        allowed={InterestStatus.NEW, InterestStatus.SHORTLISTED},
    )


# --- Invitations ---------------------------------------------------------------------------


def _new_invitation(
    *,
    organization: Organization,
    lab: Lab | None,
    email: str,
    name: str,
    role: str,
    invited_by: User,
) -> tuple[Invitation, str]:
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        organization=organization,
        lab=lab,
        email=email.lower(),
        name=name,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + dt.timedelta(days=settings.MLL_INVITATION_DAYS),
    )
    # The token travels in the task only; the database keeps its hash.
    send_invitation_email.delay_on_commit(invitation.pk, token)
    return invitation, token


@transaction.atomic
def organization_invite(
    *,
    lab: Lab,
    invited_by: User,
    email: str,
    name: str = "",
    organization: Organization | None = None,
    organization_name: str = "",
    client_groups=(),
    client_groups_other: str = "",
    interest: ExpressionOfInterest | None = None,
) -> tuple[Invitation, str]:
    """Invite an organization's lead into a lab, creating the org and its participation.

    From an expression of interest the new organization starts with what it told us.
    """
    if interest is not None:
        # Claim the interest first: a double click or a second facilitator finds it taken.
        claimed = ExpressionOfInterest.objects.filter(
            pk=interest.pk, status__in=[InterestStatus.NEW, InterestStatus.SHORTLISTED]
        ).update(status=InterestStatus.INVITED, reviewed_by=invited_by, reviewed_at=timezone.now())
        if not claimed:
            interest.refresh_from_db()
            if interest.status == InterestStatus.DECLINED:
                raise TransitionError(
                    "This expression of interest was declined; shortlist it first."
                )
            raise TransitionError("This organization has already been invited.")
        organization = organization or Organization.objects.create(
            name=interest.organization_name,
            website=interest.website,
            city=interest.city,
            state=interest.state,
            mission=interest.mission,
            client_groups_other=interest.client_groups_other,
        )
        organization.client_groups.add(*interest.client_groups.all())
        ExpressionOfInterest.objects.filter(pk=interest.pk).update(organization=organization)
        interest.refresh_from_db()
    elif organization is None:
        organization = Organization.objects.create(
            name=organization_name, client_groups_other=client_groups_other
        )
        organization.client_groups.set(client_groups)

    participation, created = Participation.objects.get_or_create(lab=lab, organization=organization)
    if created:
        ParticipationEvent.objects.create(
            participation=participation, to_status=S.INVITED, actor=invited_by, note="Invited"
        )
    elif participation.status == S.WITHDRAWN:
        raise TransitionError(f"{organization} withdrew from this lab; it can't be invited again.")
    return _new_invitation(
        organization=organization,
        lab=lab,
        email=email,
        name=name,
        role=MembershipRole.LEAD,
        invited_by=invited_by,
    )


def member_invite(
    *, organization: Organization, invited_by: User, email: str, name: str = "", role: str
) -> tuple[Invitation, str]:
    """A lead brings a colleague into their organization."""
    with transaction.atomic():
        return _new_invitation(
            organization=organization,
            lab=None,
            email=email,
            name=name,
            role=role,
            invited_by=invited_by,
        )


def invitation_revoke(*, invitation: Invitation) -> None:
    if not Invitation.objects.filter(pk=invitation.pk).usable().update(revoked_at=timezone.now()):
        raise TransitionError("This invitation was already used, revoked or has expired.")


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Use an invitation once: the person joins the org and the org accepts the lab."""
    if user.email.lower() != invitation.email.lower():
        raise TransitionError(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    claimed = (
        Invitation.objects.filter(pk=invitation.pk)
        .usable()
        .update(accepted_at=timezone.now(), accepted_by=user)
    )
    if not claimed:
        raise TransitionError("This invitation was already used, revoked or has expired.")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MembershipRole.LEAD and not membership.is_lead:
        membership.role = MembershipRole.LEAD
        membership.save(update_fields=["role"])
    if not user.name and invitation.name:
        user.name = invitation.name
        user.save(update_fields=["name"])
    if invitation.lab_id:
        participation = Participation.objects.get(
            lab_id=invitation.lab_id, organization=invitation.organization
        )
        if participation.status == S.INVITED:
            _transition(participation, to=S.ACCEPTED, actor=user, note="Invitation accepted")
    return membership


# --- Participation status -------------------------------------------------------------------

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.INVITED: {S.ACCEPTED, S.WITHDRAWN},
    S.ACCEPTED: {S.AGREEMENT_SIGNED, S.WITHDRAWN},
    S.AGREEMENT_SIGNED: {S.ACTIVE, S.WITHDRAWN},
    S.ACTIVE: {S.COMPLETED, S.WITHDRAWN},
    S.COMPLETED: set(),
    S.WITHDRAWN: set(),
}


def _transition(participation: Participation, *, to: str, actor: User, note: str = "") -> None:
    """Move a participation to `to`, guarded, locked against a concurrent change, recorded."""
    current = Participation.objects.select_for_update().get(pk=participation.pk)
    if to not in ALLOWED_TRANSITIONS[current.status]:
        raise TransitionError(
            f"{current.organization} is {current.get_status_display().lower()}; "
            f"it can't become {S(to).label.lower()}."
        )
    Participation.objects.filter(pk=current.pk).update(status=to, updated_at=timezone.now())
    ParticipationEvent.objects.create(
        participation=current, from_status=current.status, to_status=to, actor=actor, note=note
    )
    participation.status = to
    hooks.participation_changed(participation=participation)


def _record_baseline(participation: Participation) -> None:
    org = participation.organization
    participation.baseline_active_mentors = org.active_mentors
    participation.baseline_active_mentees = org.active_mentees
    participation.baseline_recorded_at = timezone.now()
    participation.save(
        update_fields=["baseline_active_mentors", "baseline_active_mentees", "baseline_recorded_at"]
    )


def _sign(participation: Participation, *, signature: AgreementSignature, actor: User) -> None:
    lab = participation.lab
    if lab.agreement_version == 0:
        raise TransitionError("The facilitators haven't published this lab's agreement yet.")
    if participation.status in (S.WITHDRAWN, S.COMPLETED, S.INVITED):
        raise TransitionError(
            f"{participation.organization} is {participation.get_status_display().lower()}; "
            "it can't sign the agreement now."
        )
    signature.participation = participation
    signature.agreement_version = lab.agreement_version
    signature.signed_by = actor
    signature.save()
    if participation.status == S.ACCEPTED:
        _transition(
            participation,
            to=S.AGREEMENT_SIGNED,
            actor=actor,
            note=f"{signature.get_kind_display()} (version {lab.agreement_version})",
        )
        _record_baseline(participation)


@transaction.atomic
def participation_sign_agreement(
    *, participation: Participation, user: User, signed_name: str, goals: str
) -> AgreementSignature:
    """An org lead accepts the current agreement by typing their name, and records goals."""
    if not Membership.objects.filter(
        user=user, organization=participation.organization, role=MembershipRole.LEAD
    ).exists():
        raise TransitionError("Only the organization's lead can sign the agreement.")
    participation.goals = goals
    participation.save(update_fields=["goals", "updated_at"])
    signature = AgreementSignature(kind=SignatureKind.TYPED, signed_name=signed_name.strip())
    _sign(participation, signature=signature, actor=user)
    return signature


@transaction.atomic
def participation_upload_contract(
    *, participation: Participation, user: User, contract_file, signed_name: str = ""
) -> AgreementSignature:
    """A facilitator files the contract the organization signed on paper."""
    signature = AgreementSignature(
        kind=SignatureKind.UPLOADED, contract_file=contract_file, signed_name=signed_name.strip()
    )
    _sign(participation, signature=signature, actor=user)
    return signature


@transaction.atomic
def participation_activate(*, participation: Participation, user: User) -> None:
    _transition(participation, to=S.ACTIVE, actor=user, note="Activated")


@transaction.atomic
def participation_complete(*, participation: Participation, user: User) -> None:
    _transition(participation, to=S.COMPLETED, actor=user, note="Completed the lab")


@transaction.atomic
def participation_withdraw(*, participation: Participation, user: User, reason: str = "") -> None:
    _transition(participation, to=S.WITHDRAWN, actor=user, note=reason[:300] or "Withdrawn")
    Invitation.objects.filter(
        lab=participation.lab, organization=participation.organization
    ).usable().update(revoked_at=timezone.now())


# --- No competing participants ------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    client_group: str
    organizations: tuple[str, ...]

    def __str__(self) -> str:
        return f"{' and '.join(self.organizations)} both serve {self.client_group}"


def split_other_groups(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


def lab_overlaps(participations) -> list[Overlap]:
    """Client groups served by more than one current participant of a lab.

    `participations` should prefetch organization__client_groups.
    """
    by_group: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for p in participations:
        if p.status == S.WITHDRAWN:
            continue
        # dict(): an org naming a group twice (ticked and typed, or typed twice) isn't a rival.
        for key, label in dict(
            _groups(p.organization.client_groups.all(), p.organization.other_client_groups())
        ).items():
            by_group[key].append(p.organization.name)
            labels.setdefault(key, label)
    return [
        Overlap(labels[key], tuple(sorted(names)))
        for key, names in sorted(by_group.items())
        if len(names) > 1
    ]


def candidate_overlaps(
    *, name: str, client_groups, other_groups: list[str], participations, exclude_org_id=None
) -> list[Overlap]:
    """Which current participants serve a client group that a candidate organization serves."""
    wanted = dict(_groups(client_groups, other_groups))
    found: dict[str, list[str]] = defaultdict(list)
    for p in participations:
        if p.status == S.WITHDRAWN or p.organization_id == exclude_org_id:
            continue
        for key in dict(
            _groups(p.organization.client_groups.all(), p.organization.other_client_groups())
        ):
            if key in wanted:
                found[key].append(p.organization.name)
    return [Overlap(wanted[k], (name, *sorted(v))) for k, v in sorted(found.items())]


def _groups(client_groups, other_groups: list[str]):
    """(key, label) pairs, case-folded, so a typed "Veterans" matches the ticked one."""
    for group in client_groups:
        yield group.name.casefold(), group.name
    for other in other_groups:
        yield other.casefold(), other
