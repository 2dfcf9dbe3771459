"""One access function for check-ins: missing and not-yours are the same 404."""

from django.shortcuts import get_object_or_404

from checkins.models import CheckIn
from labs.access import get_lab_for_user


def get_checkin_for_user(
    user, lab_slug: str, pk: int, *, write: bool = False, manage: bool = False
) -> CheckIn:
    """A check-in the user may read: their organization's, or any in a lab they facilitate.

    write=True: only the organization's own members (they write the report; facilitators
    ask and acknowledge instead). manage=True: only the lab's facilitators and admins.
    """
    lab = get_lab_for_user(user, lab_slug, manage=manage)
    checkins = CheckIn.objects.visible_to(user).filter(participation__lab=lab)
    if write:
        checkins = checkins.filter(participation__organization__memberships__user=user)
    checkins = checkins.select_related(
        "participation__lab", "participation__organization", "submitted_by"
    )
    return get_object_or_404(checkins, pk=pk)
