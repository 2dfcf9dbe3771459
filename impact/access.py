"""Who may read an impact report: missing and not-yours are the same 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from labs.access import get_lab_for_user
from labs.models import Lab
from participants.models import Participation


def reportable_labs(user) -> list[Lab]:
    """The labs a person reports on: every lab for admins, their own for facilitators.

    Anyone else (participants, outsiders) has no report: 404."""
    labs = list(Lab.objects.managed_by(user).order_by("-start_date", "name"))
    if not labs and not user.is_staff:
        raise Http404
    return labs


def get_participation_for_user(user, lab_slug: str, pk: int) -> Participation:
    """An organization's place in a lab: its members, the lab's facilitators and admins."""
    lab = get_lab_for_user(user, lab_slug)
    participations = Participation.objects.visible_to(user).filter(lab=lab)
    participation = get_object_or_404(participations.select_related("organization"), pk=pk)
    participation.lab = lab
    return participation
