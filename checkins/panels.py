"""The check-ins' part of a lab dashboard: for members, what their organization owes next; for
facilitators, how many are open, overdue or waiting for them. One query."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from checkins.models import CheckIn, CheckInStatus
from labs.panels import Panel
from participants.models import Membership


def checkins_panel(*, lab, user, manages: bool) -> Panel | None:
    today = lab.today()
    checkins = (
        CheckIn.objects.filter(participation__lab=lab)
        .annotate(
            mine=Exists(
                Membership.objects.filter(
                    user=user, organization=OuterRef("participation__organization")
                )
            )
        )
        .select_related("participation__organization")
        .order_by("due_on", "pk")
    )
    if not manages:
        checkins = checkins.filter(mine=True)
    checkins = list(checkins)
    own = [c for c in checkins if c.mine]
    if not own and not (manages and (checkins or today >= lab.timeline.program_end)):
        return None
    context = {"lab": lab, "manages": manages, "today": today, "mine": _next_owed(own, today)}
    if manages:
        context["counts"] = _counts(checkins, today)
    return Panel(template="checkins/_dashboard_panel.html", context=context, order=30)


def _next_owed(own: list[CheckIn], today) -> list[dict]:
    """Per organization: the next check-in it owes (or its question to answer), and how many
    it has submitted."""
    mine: dict[int, dict] = {}
    for checkin in own:
        entry = mine.setdefault(
            checkin.participation_id,
            {"organization": checkin.participation.organization, "next": None, "done": 0},
        )
        owes = not checkin.is_submitted or checkin.status == CheckInStatus.QUESTION
        if owes and entry["next"] is None:
            entry["next"] = checkin.at(today)
        elif not owes:
            entry["done"] += 1
    return list(mine.values())


def _counts(checkins: list[CheckIn], today) -> dict[str, int]:
    keys = [c.state_key(today) for c in checkins]
    return {
        "total": len(keys),
        "open": keys.count("open") + keys.count("due"),
        "overdue": keys.count("overdue"),
        "question": keys.count(CheckInStatus.QUESTION),
        "to_acknowledge": keys.count(CheckInStatus.SUBMITTED),
        "acknowledged": keys.count(CheckInStatus.ACKNOWLEDGED),
    }
