"""The meetings' part of a lab dashboard: the next meeting and the two after it, for every
role, in one query."""

from labs.panels import Panel
from meetings.models import Meeting


def meetings_panel(*, lab, user, manages: bool) -> Panel:
    upcoming = list(
        Meeting.objects.visible_to(user)
        .filter(lab=lab)
        .upcoming()
        .select_related("lab", "organization")[:3]
    )
    context = {
        "lab": lab,
        "manages": manages,
        "next_meeting": upcoming[0] if upcoming else None,
        "after": upcoming[1:],
    }
    # First on the dashboard: the next meeting is what most people come for.
    return Panel(template="meetings/_dashboard_panel.html", context=context, order=5)
