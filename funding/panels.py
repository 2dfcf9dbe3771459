"""The funding part of a lab dashboard. Members: their organization's application, its status
and next step, and the round's deadline. Facilitators: the pool and what awaits review.
A fixed number of queries, whatever the number of applications."""

from __future__ import annotations

from django.db.models import Sum

from funding.access import organizations_for_user
from funding.models import ApplicationStatus, FundingRound
from funding.services import pool_summary
from labs.panels import Panel

A = ApplicationStatus

NEXT_STEP = {
    A.DRAFT: "Complete the draft and submit it before the deadline.",
    A.SUBMITTED: "Submitted: the facilitators are reviewing it.",
    A.CHANGES_REQUESTED: "The facilitators asked for changes: revise and resubmit.",
    A.RESUBMITTED: "Resubmitted: the facilitators are reviewing the new version.",
    A.APPROVED: "Approved: see the award and the disbursement schedule.",
    A.DECLINED: "Declined: the facilitators' message explains why.",
    A.WITHDRAWN: "Withdrawn.",
}


def funding_panel(*, lab, user, manages: bool) -> Panel | None:
    funding_round = FundingRound.objects.select_related("lab").filter(lab=lab).first()
    organizations = list(organizations_for_user(user, lab))
    if not manages and not organizations:
        return None
    context = {"lab": lab, "manages": manages, "round": funding_round}
    if funding_round is not None:
        context["round_open"] = funding_round.is_open()
        applications = funding_round.applications.select_related("organization", "award")
        if organizations:
            mine = {
                a.organization_id: a for a in applications.filter(organization__in=organizations)
            }
            context["own"] = [
                {
                    "organization": org,
                    "application": mine.get(org.pk),
                    "next_step": NEXT_STEP[mine[org.pk].status] if org.pk in mine else "",
                }
                for org in organizations
            ]
        if manages:
            context["awaiting"] = list(
                applications.filter(status__in=A.awaiting_review())
                .annotate(requested=Sum("budget_lines__amount"))
                .order_by("submitted_at", "pk")
            )
    if manages:
        context["pool"] = pool_summary(lab)
    return Panel(template="funding/_dashboard_panel.html", context=context, order=20)
