"""One access function per object type: anything missing or not yours is a 404."""

from django.shortcuts import get_object_or_404

from labs.models import Lab, Milestone


def get_lab_for_user(user, slug: str, *, manage: bool = False) -> Lab:
    """A lab the user may see; with manage=True, one they facilitate (or any, for admins)."""
    labs = Lab.objects.managed_by(user) if manage else Lab.objects.visible_to(user)
    return get_object_or_404(labs, slug=slug)


def get_milestone_for_user(user, lab_slug: str, pk: int) -> Milestone:
    lab = get_lab_for_user(user, lab_slug, manage=True)
    return get_object_or_404(lab.milestones, pk=pk)
