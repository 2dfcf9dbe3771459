from celery import shared_task

from labs.services import milestones_send_reminders


@shared_task
def send_milestone_reminders() -> int:
    return milestones_send_reminders()
