"""Funding e-mails, sent from Celery after the change commits. Each task takes ids and calls
one function here; the records are read fresh, so a message never carries stale details."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from funding.models import Application, Deliverable
from mll.emails import send_templated_email


def _organization_emails(organization) -> list[str]:
    return list(
        organization.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    )


def _facilitator_emails(lab) -> list[str]:
    return list(lab.facilitators.filter(is_active=True).values_list("email", flat=True))


def _application(application_id: int) -> Application | None:
    return (
        Application.objects.select_related("round__lab", "organization")
        .filter(pk=application_id)
        .first()
    )


@shared_task
def notify_facilitators_of_submission(application_id: int, version_number: int) -> int:
    """Tell the lab's facilitators an application (or a revision of it) awaits review."""
    application = _application(application_id)
    if application is None:
        return 0
    recipients = _facilitator_emails(application.lab)
    if not recipients:
        return 0
    context = {
        "application": application,
        "lab": application.lab,
        "version_number": version_number,
        "url": settings.SITE_URL + application.get_absolute_url(),
    }
    send_templated_email("funding/email/submitted", context, recipients)
    return len(recipients)


@shared_task
def notify_organization_of_decision(application_id: int) -> int:
    """Tell the organization what was decided (changes requested, approved or declined),
    with the facilitators' message."""
    application = _application(application_id)
    if application is None:
        return 0
    recipients = _organization_emails(application.organization)
    if not recipients:
        return 0
    award = getattr(application, "award", None) if application.is_initiative else None
    context = {
        "application": application,
        "lab": application.lab,
        "award": award,
        "url": settings.SITE_URL + application.get_absolute_url(),
    }
    send_templated_email("funding/email/decision", context, recipients)
    return len(recipients)


def _deliverable(deliverable_id: int) -> Deliverable | None:
    return (
        Deliverable.objects.select_related("application__round__lab", "application__organization")
        .filter(pk=deliverable_id)
        .first()
    )


@shared_task
def notify_facilitators_of_deliverable(deliverable_id: int) -> int:
    return _deliverable_notice(deliverable_id, "deliverable_submitted", to_facilitators=True)


@shared_task
def notify_organization_of_deliverable(deliverable_id: int) -> int:
    """Accepted, or changes asked for, with the facilitators' feedback."""
    return _deliverable_notice(deliverable_id, "deliverable_decision", to_facilitators=False)


def _deliverable_notice(deliverable_id: int, template: str, *, to_facilitators: bool) -> int:
    deliverable = _deliverable(deliverable_id)
    if deliverable is None:
        return 0
    application = deliverable.application
    recipients = (
        _facilitator_emails(application.lab)
        if to_facilitators
        else _organization_emails(application.organization)
    )
    if not recipients:
        return 0
    context = {
        "deliverable": deliverable,
        "application": application,
        "lab": application.lab,
        "url": settings.SITE_URL + deliverable.get_absolute_url(),
    }
    send_templated_email(f"funding/email/{template}", context, recipients)
    return len(recipients)


@shared_task
def send_funding_reminders() -> int:
    # Imported here: reminders builds on the models and services that import this module.
    from funding.reminders import reminders_send_due

    return reminders_send_due()
