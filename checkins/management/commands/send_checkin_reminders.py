import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from checkins.models import CheckInReminder
from checkins.reminders import dispatch_due


def _aware(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now {value!r} is not an ISO date and time") from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


class Command(BaseCommand):
    help = (
        "Send the check-in reminders now due (each exactly once; earlier ones a later one "
        "replaces are skipped). Sends here unless --queue hands them to the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go out; change nothing."
        )
        parser.add_argument(
            "--now", type=_aware, help="Act as if it were this time (ISO 8601; UTC if naive)."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue them for the workers instead of sending."
        )

    def handle(self, *args, dry_run=False, now=None, queue=False, **options):
        result = dispatch_due(now=now, dry_run=dry_run, send_inline=not queue)
        if dry_run:
            for verb, reminders in (("send", result.chosen), ("skip", result.skipped)):
                for reminder in reminders:
                    self.stdout.write(f"would {verb}: {self._describe(reminder)}")
        if dry_run:
            done = f"would send {len(result.chosen)}"
        elif queue:
            done = f"queued {result.queued}"
        else:
            done = f"sent {result.sent}"
        prefix = "would " if dry_run else ""
        self.stdout.write(
            f"{done} check-in reminder(s); {prefix}skip {len(result.skipped)} a later one "
            f"replaces, {prefix}cancel {result.cancelled} of submitted check-ins, "
            f"{prefix}put back {result.recovered} stale claim(s)"
        )
        if result.failed:
            raise CommandError(f"{result.failed} reminder(s) failed and stay pending")

    def _describe(self, reminder: CheckInReminder) -> str:
        checkin = reminder.checkin
        participation = checkin.participation
        return (
            f"#{reminder.pk} {reminder.get_kind_display().lower()} — {checkin.months}-month "
            f"check-in of {participation.organization} ({participation.lab}), "
            f"due {checkin.due_on:%Y-%m-%d}, planned {reminder.send_at:%Y-%m-%d %H:%M %Z}"
        )
