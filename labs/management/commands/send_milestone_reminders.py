from django.core.management.base import BaseCommand

from labs.services import milestones_send_reminders


class Command(BaseCommand):
    help = "E-mail facilitators about milestones due within a week (each once per due date)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, send nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        count = milestones_send_reminders(dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {count} milestone reminder(s)")
