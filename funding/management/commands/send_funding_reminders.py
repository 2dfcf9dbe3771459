from django.core.management.base import BaseCommand

from funding.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "E-mail funded organizations the progress-update reminder for last month and the "
        "final-deliverable reminders due now (each once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; claim and send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        count = reminders_send_due(dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {count} funding reminder(s)")
