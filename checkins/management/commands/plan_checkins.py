from django.core.management.base import BaseCommand

from checkins.services import checkins_plan_all


class Command(BaseCommand):
    help = (
        "Plan every lab's check-ins (and their reminders) from its dates and the organizations "
        "that completed it. Idempotent: run it any time, e.g. for labs from before check-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        verb = "would" if dry_run else "did"
        totals = [0, 0, 0]
        for lab, result in checkins_plan_all(dry_run=dry_run).items():
            if not result.changed:
                continue
            today = lab.today()
            late = sum(1 for c in result.created if c.due_on < today)
            counts = (len(result.created), len(result.moved), len(result.removed))
            totals = [t + n for t, n in zip(totals, counts, strict=True)]
            self.stdout.write(
                f"{lab.slug}: {verb} create {counts[0]} ({late} already overdue), "
                f"move {counts[1]}, remove {counts[2]} check-in(s)"
            )
        self.stdout.write(
            f"{'Would create' if dry_run else 'Created'} {totals[0]}, "
            f"{'move' if dry_run else 'moved'} {totals[1]}, "
            f"{'remove' if dry_run else 'removed'} {totals[2]} check-in(s) in total"
        )
