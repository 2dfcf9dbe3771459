"""The participants' part of a lab dashboard: a fixed number of queries, whatever the size."""

from labs.panels import Panel
from participants.models import InterestStatus, Participation, ParticipationStatus
from participants.services import lab_overlaps


def participants_panel(*, lab, user, manages: bool) -> Panel:
    participations = list(
        lab.participations.select_related("organization").prefetch_related(
            "organization__client_groups", "organization__memberships", "signatures"
        )
    )
    mine = [
        p
        for p in participations
        if any(m.user_id == user.pk for m in p.organization.memberships.all())
    ]
    context = {"lab": lab, "manages": manages, "mine": [_own_view(p, user, lab) for p in mine]}
    if manages:
        by_status = {s: [] for s in ParticipationStatus.values}
        for p in participations:
            by_status[p.status].append(p)
        context.update(
            participations=participations,
            by_status=[(ParticipationStatus(s).label, ps) for s, ps in by_status.items() if ps],
            overlaps=lab_overlaps(participations),
            new_interest=lab.expressions_of_interest.filter(status=InterestStatus.NEW).count(),
            unsigned=[
                p
                for p in participations
                if p.status in (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED)
            ],
        )
    return Panel(template="participants/_dashboard_panel.html", context=context, order=10)


def _own_view(participation: Participation, user, lab) -> dict:
    org = participation.organization
    signature = participation.signed_agreement
    return {
        "participation": participation,
        "organization": org,
        "is_lead": any(m.user_id == user.pk and m.is_lead for m in org.memberships.all()),
        "profile_gaps": org.profile_gaps(),
        "needs_signature": lab.agreement_version > 0
        and participation.status
        in (
            ParticipationStatus.ACCEPTED,
            ParticipationStatus.AGREEMENT_SIGNED,
            ParticipationStatus.ACTIVE,
        )
        and (signature is None or signature.agreement_version < lab.agreement_version),
        "signature": signature,
    }
