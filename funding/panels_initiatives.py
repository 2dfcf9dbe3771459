"""The initiatives' part of a lab dashboard, in a fixed number of queries.

Members see their initiative's next progress update and the final deliverable's status and
due date; facilitators see whose update for last month is missing and which deliverables
await their review."""

from __future__ import annotations

from funding.models import Application, DeliverableStatus, ProgressUpdate
from funding.services_initiatives import (
    deliverable_due,
    months_to_report,
    phase2_months,
    previous_month,
)
from labs.models import PhaseKey
from labs.panels import Panel


def initiatives_panel(*, lab, user, manages: bool) -> Panel | None:
    funded = (
        Application.objects.initiatives()
        .filter(round__lab=lab)
        .select_related("organization", "deliverable")
        .order_by("organization__name", "pk")
    )
    if not manages:
        funded = funded.filter(organization__memberships__user=user)
    funded = list(funded)
    if not funded:
        return None
    today = lab.today()
    months = phase2_months(lab)
    context = {
        "lab": lab,
        "manages": manages,
        "due": deliverable_due(lab),
        "started": today >= lab.timeline.phase(PhaseKey.PHASE2).start,
        "first_month": months[0],
    }
    if manages:
        context.update(_facilitator_view(funded, months, today))
    else:
        context["mine"] = _member_view(funded, lab, months, today)
    return Panel(template="funding/_initiatives_panel.html", context=context, order=30)


def _facilitator_view(funded, months, today) -> dict:
    month = previous_month(today)
    in_phase2 = month in months
    reported = (
        set(
            ProgressUpdate.objects.filter(application__in=funded, month=month).values_list(
                "application_id", flat=True
            )
        )
        if in_phase2
        else set()
    )
    return {
        "report_month": month if in_phase2 else None,
        "missing": [a for a in funded if in_phase2 and a.pk not in reported],
        "awaiting_review": [
            a
            for a in funded
            if getattr(a, "deliverable", None)
            and a.deliverable.status == DeliverableStatus.SUBMITTED
        ],
        "count": len(funded),
    }


def _member_view(funded, lab, months, today) -> list[dict]:
    reported: dict[int, set] = {a.pk: set() for a in funded}
    for application_id, month in ProgressUpdate.objects.filter(application__in=funded).values_list(
        "application_id", "month"
    ):
        reported[application_id].add(month)
    views = []
    for application in funded:
        open_months = months_to_report(lab, reported[application.pk], today)
        # The month to post next: the latest one that has ended, else the one under way.
        ended = [m for m in open_months if m < today.replace(day=1)]
        later = [m for m in months if m > today.replace(day=1)]
        views.append(
            {
                "application": application,
                "deliverable": getattr(application, "deliverable", None),
                "next_month": ended[0] if ended else (open_months[0] if open_months else None),
                "overdue": bool(ended),
                "missing_count": len(ended),
                "following": later[0] if later else None,
            }
        )
    return views
