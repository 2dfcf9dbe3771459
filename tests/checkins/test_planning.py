"""Planning check-ins from the lab's dates: who gets them, when they are due and open, how
they follow the lab's dates and offsets, and that planning again changes nothing."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from checkins.models import CheckIn, CheckInReminder, ReminderKind, ReminderState
from checkins.services import checkins_plan_for_lab
from labs.models import Lab
from labs.services import lab_update
from participants.models import Participation, ParticipationStatus
from participants.services import participation_complete, participation_withdraw
from tests.checkins import NOW, make_checkin, participation_of
from tests.factories import LabFactory, OrganizationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def complete(lab, *orgs) -> None:
    Participation.objects.filter(lab=lab, organization__in=orgs).update(
        status=ParticipationStatus.COMPLETED
    )


def dates(lab, org) -> dict[int, tuple[dt.date, dt.date]]:
    return {
        c.months: (c.opens_on, c.due_on)
        for c in CheckIn.objects.filter(participation=participation_of(lab, org))
    }


def move_lab(lab, **changes) -> Lab:
    previous = Lab.objects.get(pk=lab.pk)
    edited = Lab.objects.get(pk=lab.pk)
    for name, value in changes.items():
        setattr(edited, name, value)
    lab_update(lab=edited, previous=previous)
    return edited


def test_a_completed_participant_gets_one_checkin_per_default_offset(lab, org_a):
    complete(lab, org_a)

    result = checkins_plan_for_lab(lab=lab)

    end = lab.timeline.program_end
    assert end == dt.date(2031, 7, 30)
    assert len(result.created) == 3
    assert dates(lab, org_a) == {
        months: (
            end + relativedelta(months=months) - dt.timedelta(days=14),
            end + relativedelta(months=months),
        )
        for months in (6, 12, 18)
    }


def test_only_completed_participants_get_checkins(lab, org_a, org_b, org_c, lab2):
    complete(lab, org_a)
    withdrawn = ParticipationFactory(lab=lab, status=ParticipationStatus.WITHDRAWN)

    checkins_plan_for_lab(lab=lab)

    assert set(CheckIn.objects.values_list("participation__organization", flat=True)) == {org_a.pk}
    assert not CheckIn.objects.filter(participation=withdrawn).exists()


def test_each_checkin_gets_its_reminders_at_nine_in_the_labs_time_zone(lab, org_a):
    complete(lab, org_a)

    checkins_plan_for_lab(lab=lab)

    six = CheckIn.objects.get(months=6)
    reminders = {r.kind: r for r in six.reminders.all()}
    assert set(reminders) == set(ReminderKind.values)
    opening = reminders[ReminderKind.OPENING].send_at.astimezone(lab.tz)
    assert (opening.date(), opening.hour) == (six.opens_on, 9)
    assert reminders[ReminderKind.DUE].send_at.astimezone(lab.tz).date() == six.due_on
    assert CheckInReminder.objects.count() == 3 * len(ReminderKind.values)


def test_completing_the_lab_plans_the_organizations_checkins(lab, org_a, facilitator):
    participation_complete(participation=participation_of(lab, org_a), user=facilitator)

    assert sorted(dates(lab, org_a)) == [6, 12, 18]


def test_withdrawing_removes_unsubmitted_checkins_and_keeps_submitted_ones(lab, org_a, facilitator):
    # Planned by hand: a withdrawn-after-planning organization (data from before the rules).
    draft = make_checkin(lab, org_a, months=6)
    submitted = make_checkin(lab, org_a, months=12, submitted_at=timezone.now())

    participation_withdraw(participation=participation_of(lab, org_a), user=facilitator)

    assert not CheckIn.objects.filter(pk=draft.pk).exists()
    assert not CheckInReminder.objects.filter(checkin_id=draft.pk).exists()
    assert CheckIn.objects.filter(pk=submitted.pk).exists()


def test_custom_offsets_give_custom_checkins(facilitator):
    lab = LabFactory(facilitators=[facilitator], checkin_offsets=[3, 9])
    org = OrganizationFactory()
    ParticipationFactory(lab=lab, organization=org, status=ParticipationStatus.COMPLETED)

    checkins_plan_for_lab(lab=lab)

    end = lab.timeline.program_end
    assert {m: due for m, (_, due) in dates(lab, org).items()} == {
        3: end + relativedelta(months=3),
        9: end + relativedelta(months=9),
    }


def test_moving_the_labs_start_moves_unsubmitted_checkins_and_their_pending_reminders(
    lab, org_a, org_b
):
    complete(lab, org_a, org_b)
    checkins_plan_for_lab(lab=lab)
    kept = CheckIn.objects.get(participation__organization=org_a, months=6)
    CheckIn.objects.filter(pk=kept.pk).update(submitted_at=timezone.now(), status="submitted")
    moving = CheckIn.objects.get(participation__organization=org_b, months=6)
    sent = moving.reminders.get(kind=ReminderKind.OPENING)
    CheckInReminder.objects.filter(pk=sent.pk).update(
        state=ReminderState.SENT, sent_at=timezone.now()
    )
    due_before = moving.reminders.get(kind=ReminderKind.DUE).send_at

    moved = move_lab(lab, start_date=lab.start_date + relativedelta(months=1))

    new_end = moved.timeline.program_end
    moving.refresh_from_db()
    assert moving.due_on == new_end + relativedelta(months=6)
    assert moving.opens_on == moving.due_on - dt.timedelta(days=14)
    due_after = moving.reminders.get(kind=ReminderKind.DUE).send_at
    assert due_after.astimezone(lab.tz).date() == moving.due_on
    assert due_after > due_before
    # History never moves: the sent reminder and the submitted check-in stay as they were.
    assert moving.reminders.get(kind=ReminderKind.OPENING).send_at == sent.send_at
    assert CheckIn.objects.get(pk=kept.pk).due_on == kept.due_on


def test_removing_an_offset_drops_its_unsubmitted_checkins_but_keeps_submitted_ones(
    lab, org_a, org_b
):
    complete(lab, org_a, org_b)
    checkins_plan_for_lab(lab=lab)
    submitted = CheckIn.objects.get(participation__organization=org_a, months=18)
    CheckIn.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now())
    dropped = CheckIn.objects.get(participation__organization=org_b, months=18)

    move_lab(lab, checkin_offsets=[6, 12])

    assert not CheckIn.objects.filter(pk=dropped.pk).exists()
    assert not CheckInReminder.objects.filter(checkin_id=dropped.pk).exists()
    assert CheckIn.objects.filter(pk=submitted.pk).exists()
    assert sorted(dates(lab, org_b)) == [6, 12]


def test_adding_an_offset_plans_the_new_checkins(lab, org_a):
    complete(lab, org_a)
    checkins_plan_for_lab(lab=lab)

    move_lab(lab, checkin_offsets=[6, 12, 18, 24])

    assert sorted(dates(lab, org_a)) == [6, 12, 18, 24]


def test_planning_twice_changes_nothing(lab, org_a, org_b):
    complete(lab, org_a, org_b)
    checkins_plan_for_lab(lab=lab)
    before = list(CheckIn.objects.values_list("pk", "due_on", "opens_on"))
    reminders = list(CheckInReminder.objects.values_list("pk", "send_at"))

    again = checkins_plan_for_lab(lab=lab)

    assert not again.changed
    assert list(CheckIn.objects.values_list("pk", "due_on", "opens_on")) == before
    assert list(CheckInReminder.objects.values_list("pk", "send_at")) == reminders


@pytest.mark.parametrize("size", [2, 6])
def test_planning_takes_a_fixed_number_of_queries(size, lab, django_assert_num_queries):
    for _ in range(size):
        ParticipationFactory(lab=lab, status=ParticipationStatus.COMPLETED)

    # Lock, participations, check-ins, insert, reminders read and inserted, savepoints. (SQLite
    # splits an insert past 999 parameters in batches: the sizes stay under that.)
    with django_assert_num_queries(8):
        checkins_plan_for_lab(lab=lab)

    assert CheckIn.objects.count() == 3 * size


def test_the_command_plans_every_lab_and_its_dry_run_changes_nothing(lab, lab2, org_a, org_c):
    complete(lab, org_a)
    complete(lab2, org_c)
    out = StringIO()

    call_command("plan_checkins", "--dry-run", stdout=out)

    assert not CheckIn.objects.exists()
    assert "Would create 6, move 0, remove 0" in out.getvalue()

    call_command("plan_checkins", stdout=(out := StringIO()))
    assert CheckIn.objects.count() == 6
    assert "Created 6" in out.getvalue()

    call_command("plan_checkins", stdout=(out := StringIO()))
    assert CheckIn.objects.count() == 6
    assert "Created 0, moved 0, removed 0" in out.getvalue()
