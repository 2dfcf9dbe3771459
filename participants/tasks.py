"""E-mails of the recruiting workflow, sent by the worker after the change is committed."""

from celery import shared_task
from django.urls import reverse

from mll.emails import send_templated_email
from participants.models import ExpressionOfInterest, Invitation


@shared_task
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organization", "lab", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_usable():
        return
    send_templated_email(
        "participants/email/invitation",
        {"invitation": invitation, "accept_path": reverse("participants:invitation", args=[token])},
        [invitation.email],
    )


@shared_task
def notify_facilitators_of_interest(interest_id: int) -> None:
    interest = ExpressionOfInterest.objects.select_related("lab").get(pk=interest_id)
    recipients = list(
        interest.lab.facilitators.filter(is_active=True).values_list("email", flat=True)
    )
    if recipients:
        send_templated_email(
            "participants/email/interest_received",
            {"interest": interest, "lab": interest.lab},
            recipients,
        )
