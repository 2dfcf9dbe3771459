"""Check-in e-mails from Celery. The beat task only dispatches what the database says is due;
each reminder is its own task, which takes an id and calls one function (see reminders.py for
why each reminder still goes out exactly once)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.urls import reverse

from accounts.models import User
from checkins import reminders
from checkins.models import CheckIn, CheckInStatus
from mll.emails import send_templated_email

# Worth trying again soon: the mail server or the network hiccuped. Anything else (a broken
# template, say) goes back to pending for the next dispatch, which stops at MAX_ATTEMPTS.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


@shared_task
def dispatch_checkin_reminders(queue: str | None = None) -> int:
    """Queue every check-in reminder now due; returns how many were queued."""
    return reminders.dispatch_due(queue=queue).queued


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_checkin_reminder(reminder_id: int) -> bool:
    """Send one reminder unless it is no longer due or someone else has it."""
    return reminders.reminder_send(reminder_id=reminder_id)


# --- The facilitators' question or acknowledgment, to the organization ----------------------

NOTICE_KINDS = ("question", "acknowledged")


@shared_task
def send_checkin_notice(checkin_id: int, kind: str) -> int:
    return checkin_notice_send(checkin_id=checkin_id, kind=kind)


def checkin_notice_send(*, checkin_id: int, kind: str) -> int:
    """E-mail the organization's members the facilitators' question or acknowledgment.
    Returns how many were sent; nothing if the check-in moved on meanwhile."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"Unknown check-in notice {kind!r}")
    checkin = (
        CheckIn.objects.select_related("participation__lab", "participation__organization")
        .filter(
            pk=checkin_id,
            status=CheckInStatus.QUESTION if kind == "question" else CheckInStatus.ACKNOWLEDGED,
        )
        .first()
    )
    if checkin is None:
        return 0
    participation = checkin.participation
    recipients = list(
        User.objects.filter(
            memberships__organization_id=participation.organization_id, is_active=True
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    path = (
        reverse("checkins:edit", args=[participation.lab.slug, checkin.pk])
        if kind == "question"
        else checkin.get_absolute_url()
    )
    context = {
        "checkin": checkin,
        "lab": participation.lab,
        "organization": participation.organization,
        "message": checkin.facilitator_message,
        "path": path,
    }
    send_templated_email(f"checkins/email/{kind}", context, recipients)
    return len(recipients)
