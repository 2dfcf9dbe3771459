"""One access function per object type: missing and not-yours are the same 404."""

from django.shortcuts import get_object_or_404

from labs.access import get_lab_for_user
from meetings.models import Attachment, Guest, Meeting, MeetingKind
from mll.tokens import hash_token


def get_meeting_for_user(user, lab_slug: str, pk: int, *, manage: bool = False) -> Meeting:
    """A meeting the user may see (manage=True: one in a lab they facilitate)."""
    lab = get_lab_for_user(user, lab_slug, manage=manage)
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(lab=lab)
        .select_related("lab", "organization", "cancelled_by")
    )
    return get_object_or_404(meetings, pk=pk)


def get_attachment_for_user(user, lab_slug: str, meeting_pk: int, pk: int) -> Attachment:
    meeting = get_meeting_for_user(user, lab_slug, meeting_pk)
    return get_object_or_404(meeting.attachments, pk=pk)


def get_guest_for_facilitator(user, lab_slug: str, meeting_pk: int, pk: int) -> Guest:
    meeting = get_meeting_for_user(user, lab_slug, meeting_pk, manage=True)
    return get_object_or_404(meeting.guests, pk=pk)


def get_guest_by_token(token: str) -> Guest:
    """A guest's private link: the token is the only key (no account)."""
    guests = Guest.objects.select_related("meeting", "meeting__lab").filter(
        meeting__kind__in=MeetingKind.with_guests()
    )
    return get_object_or_404(guests, token_hash=hash_token(token))
