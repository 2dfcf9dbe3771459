from django.core.management.base import BaseCommand

from meetings.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "E-mail everyone invited to a meeting in the next 24 hours its reminder "
        "(each once per person and start time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; claim and send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        count = reminders_send_due(dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {count} meeting reminder(s)")
