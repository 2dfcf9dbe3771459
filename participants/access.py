"""One access function per object type: missing and not-yours are the same 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from labs.access import get_lab_for_user
from participants.models import (
    AgreementSignature,
    ExpressionOfInterest,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
)


def get_organization_for_user(user, pk: int, *, write: bool = False) -> Organization:
    """An org's private profile: its members, the facilitators of its labs, admins.

    write=True: its members (and admins) only.
    """
    orgs = (
        Organization.objects.editable_by(user) if write else Organization.objects.visible_to(user)
    )
    return get_object_or_404(orgs, pk=pk)


def get_lead_organization_for_user(user, pk: int) -> Organization:
    """An org whose lead the user is (admins too): leads manage who belongs."""
    if user.is_authenticated and user.is_staff:
        return get_object_or_404(Organization, pk=pk)
    leads = Membership.objects.filter(user=user, role=MembershipRole.LEAD).values("organization")
    return get_object_or_404(Organization.objects.filter(pk__in=leads), pk=pk)


def get_participation_for_user(
    user, lab_slug: str, pk: int, *, manage: bool = False
) -> Participation:
    """A participation with its private records: the org's members and the lab's facilitators."""
    lab = get_lab_for_user(user, lab_slug, manage=manage)
    participations = Participation.objects.visible_to(user).filter(lab=lab)
    return get_object_or_404(participations.select_related("lab", "organization"), pk=pk)


def get_own_participation(user, lab_slug: str) -> Participation:
    """The participation of the org the user belongs to in this lab."""
    lab = get_lab_for_user(user, lab_slug)
    mine = Participation.objects.filter(lab=lab, organization__memberships__user=user)
    participation = mine.select_related("lab", "organization").order_by("pk").first()
    if participation is None:
        raise Http404
    return participation


def get_interest_for_user(user, lab_slug: str, pk: int) -> ExpressionOfInterest:
    lab = get_lab_for_user(user, lab_slug, manage=True)
    return get_object_or_404(lab.expressions_of_interest.select_related("lab"), pk=pk)


def get_signature_for_user(
    user, lab_slug: str, participation_pk: int, pk: int
) -> AgreementSignature:
    participation = get_participation_for_user(user, lab_slug, participation_pk)
    return get_object_or_404(participation.signatures, pk=pk)


def get_invitation_for_lead(user, organization_pk: int, pk: int) -> Invitation:
    organization = get_lead_organization_for_user(user, organization_pk)
    return get_object_or_404(organization.invitations, pk=pk)
