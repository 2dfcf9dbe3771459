from django import template

from meetings.models import MeetingKind

register = template.Library()

# Bootstrap colour pairs that keep AA contrast between badge text and background.
KIND_BADGES = {
    MeetingKind.MONTHLY: "bg-mll text-white",
    MeetingKind.FOCUS_GROUP: "text-bg-info",
    MeetingKind.SHARE_OUT: "text-bg-success",
    MeetingKind.SUPPORT: "text-bg-warning",
    MeetingKind.PANEL: "text-bg-secondary",
    MeetingKind.JOB_FAIR: "text-bg-dark",
    MeetingKind.WORKSHOP: "text-bg-light border",
}


@register.filter
def kind_badge(kind: str) -> str:
    """The badge classes for a meeting kind."""
    return KIND_BADGES.get(kind, "text-bg-secondary")
