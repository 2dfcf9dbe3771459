"""One access function per object type: missing and not-yours are the same 404.

Intervention areas and initiative summaries are the cohort's; applications, budgets,
reviews, updates, spending, deliverables and files are the organization's and the
facilitators' alone."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from funding.models import Application, ApplicationAttachment, InterventionArea
from labs.access import get_lab_for_user
from labs.models import PARTICIPATING_STATUSES
from participants.models import Membership, Organization


def get_area_for_user(user, lab_slug: str, pk: int, *, write: bool = False) -> InterventionArea:
    """Any intervention area of a lab the user belongs to; write=True: its org's members."""
    lab = get_lab_for_user(user, lab_slug)
    areas = lab.intervention_areas.select_related("lab", "organization", "author")
    if write:
        areas = areas.filter(organization__memberships__user=user)
    return get_object_or_404(areas, pk=pk)


def get_application_for_user(
    user, lab_slug: str, pk: int, *, manage: bool = False, member: bool = False
) -> Application:
    """An application with its private records.

    manage=True: the lab's facilitators (and admins) only; member=True: the organization's
    members only (those who may edit and submit it)."""
    lab = get_lab_for_user(user, lab_slug, manage=manage)
    applications = Application.objects.visible_to(user).filter(round__lab=lab)
    if member:
        applications = applications.filter(organization__memberships__user=user)
    return get_object_or_404(
        applications.select_related("round", "round__lab", "organization", "intervention_area"),
        pk=pk,
    )


def require_member(user, organization) -> None:
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise Http404


def organizations_for_user(user, lab):
    """The organizations through which the user takes part in the lab (withdrawn ones not)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user,
        participations__lab=lab,
        participations__status__in=PARTICIPATING_STATUSES,
    ).order_by("name")


def get_application_attachment_for_user(
    user, lab_slug: str, pk: int, attachment_pk: int
) -> ApplicationAttachment:
    """A file of an application the user may read (its organization, the facilitators)."""
    application = get_application_for_user(user, lab_slug, pk)
    return get_object_or_404(application.attachments, pk=attachment_pk)
