"""The initiatives' reminders: last month's progress update on the 1st, the final
deliverable 30 and 7 days ahead; each once, from the state in the database."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from funding import reminders
from funding.models import DeliverableStatus as D
from funding.models import FundingReminder
from funding.reminders import reminders_send_due
from participants.models import ParticipationStatus
from tests.factories import MembershipFactory, OrganizationFactory, ParticipationFactory
from tests.funding.initiatives_setup import (
    another_initiative,
    complete_deliverable,
    fund,
    post_update,
    run_phase2_in_2027,
)

CHICAGO = ZoneInfo("America/Chicago")  # the lab's time zone
JAN, FEB, MAR, NOV, DEC = (dt.date(2027, m, 1) for m in (1, 2, 3, 11, 12))


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """`hour` o'clock on `day` in the lab's time zone."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CHICAGO)


@pytest.fixture
def initiative(lab, org_a, member_a):
    return fund(run_phase2_in_2027(lab), org_a)


@pytest.fixture
def travel(time_machine):
    def _travel(moment: dt.datetime):
        time_machine.move_to(moment, tick=False)

    return _travel


def keys(application=None) -> list[str]:
    reminders_ = FundingReminder.objects.order_by("key")
    if application is not None:
        reminders_ = reminders_.filter(application=application)
    return list(reminders_.values_list("key", flat=True))


# --- Progress updates ---------------------------------------------------------------------------


def test_on_the_1st_the_org_is_reminded_of_last_months_update_once_even_when_run_twice(
    travel, initiative, member_a, mailoutbox
):
    travel(at(FEB))

    assert reminders_send_due() == 1
    assert reminders_send_due() == 0

    (message,) = mailoutbox
    assert message.to == [member_a.email]
    assert "progress update for January 2027" in message.subject
    form = reverse("funding:update_create", args=[initiative.lab.slug, initiative.pk])
    assert f"http://testserver{form}?month=2027-01" in message.body
    reminder = FundingReminder.objects.get()
    assert reminder.key == "progress:2027-01" and reminder.sent_at is not None


def test_every_member_of_the_organization_is_on_the_one_email(
    travel, initiative, member_a, mailoutbox
):
    colleague = MembershipFactory(organization=initiative.organization, user__email="zed@a.example")
    travel(at(FEB))

    reminders_send_due()

    (message,) = mailoutbox
    assert message.to == [member_a.email, colleague.user.email]


def test_no_reminder_when_the_update_is_already_posted(travel, initiative, mailoutbox):
    post_update(initiative, JAN)
    travel(at(FEB))

    assert reminders_send_due() == 0
    assert mailoutbox == [] and keys() == []


def test_no_progress_reminder_in_phase2s_first_month(travel, initiative, mailoutbox):
    travel(at(dt.date(2027, 1, 1)))

    assert reminders_send_due() == 0


def test_the_month_after_phase2_ends_asks_for_its_last_month_then_they_stop(
    travel, initiative, mailoutbox
):
    travel(at(dt.date(2028, 1, 1)))
    assert reminders_send_due() == 1
    assert keys() == ["progress:2027-12"]

    travel(at(dt.date(2028, 2, 1)))
    assert reminders_send_due() == 0


def test_a_missed_run_catches_up_only_the_latest_month(travel, initiative, mailoutbox):
    # Nothing ran in February or March; it's April 20th.
    travel(at(dt.date(2027, 4, 20)))

    assert reminders_send_due() == 1
    assert keys() == ["progress:2027-03"]
    assert "March 2027" in mailoutbox[0].subject


def test_the_1st_is_in_the_labs_time_zone(travel, initiative, mailoutbox):
    travel(at(dt.date(2027, 1, 31), hour=23))  # already February 1st in UTC
    assert reminders_send_due() == 0

    travel(at(FEB, hour=0) + dt.timedelta(minutes=5))
    assert reminders_send_due() == 1


def test_each_organization_gets_its_own_reminder(travel, initiative, lab, org_b, member_b):
    other = fund(lab, org_b)
    post_update(other, JAN)
    third = another_initiative(lab, 1)
    travel(at(FEB))

    assert reminders_send_due() == 2
    assert keys(initiative) == ["progress:2027-01"] and keys(third) == ["progress:2027-01"]
    assert keys(other) == []


# --- The final deliverable ---------------------------------------------------------------------


def test_the_deliverable_reminder_goes_30_days_before_it_is_due(travel, initiative, mailoutbox):
    post_update(initiative, dt.date(2027, 10, 1))
    post_update(initiative, NOV)
    travel(at(dt.date(2027, 11, 30)))  # 31 days ahead
    assert reminders_send_due() == 0

    travel(at(dt.date(2027, 12, 1)))
    assert reminders_send_due() == 1
    assert keys() == ["deliverable:30"]
    (message,) = mailoutbox
    assert "due in 30 days (December 31)" in message.subject
    form = reverse("funding:deliverable_edit", args=[initiative.lab.slug, initiative.pk])
    assert f"http://testserver{form}" in message.body


def test_then_7_days_before(travel, initiative, mailoutbox):
    post_update(initiative, NOV)
    travel(at(dt.date(2027, 12, 1)))
    reminders_send_due()
    travel(at(dt.date(2027, 12, 20)))
    assert reminders_send_due() == 0

    travel(at(dt.date(2027, 12, 24)))
    assert reminders_send_due() == 1
    assert reminders_send_due() == 0
    assert keys() == ["deliverable:30", "deliverable:7"]


def test_a_missed_30_day_reminder_isnt_sent_late_once_the_7_day_one_is_due(
    travel, initiative, mailoutbox
):
    post_update(initiative, NOV)
    travel(at(dt.date(2027, 12, 26)))

    assert reminders_send_due() == 1
    assert keys() == ["deliverable:7"]


@pytest.mark.parametrize("status", [D.SUBMITTED, D.ACCEPTED])
def test_no_deliverable_reminder_once_it_is_submitted(travel, initiative, status, mailoutbox):
    post_update(initiative, NOV)
    complete_deliverable(initiative, status=status)
    travel(at(dt.date(2027, 12, 24)))

    assert reminders_send_due() == 0


@pytest.mark.parametrize("status", [D.DRAFT, D.CHANGES_REQUESTED])
def test_a_draft_or_one_sent_back_still_gets_the_reminder(travel, initiative, status, mailoutbox):
    post_update(initiative, NOV)
    complete_deliverable(initiative, status=status)
    travel(at(dt.date(2027, 12, 24)))

    assert reminders_send_due() == 1


def test_no_deliverable_reminder_after_the_due_date(travel, initiative, mailoutbox):
    travel(at(dt.date(2028, 1, 3)))

    reminders_send_due()

    assert keys() == ["progress:2027-12"]


# --- Who is reminded --------------------------------------------------------------------------


def test_applications_not_approved_get_nothing(travel, lab, org_a, member_a, mailoutbox):
    fund(run_phase2_in_2027(lab), org_a, approved=False, submitted=True)
    travel(at(FEB))

    assert reminders_send_due() == 0


def test_an_organization_that_withdrew_gets_nothing(travel, initiative, mailoutbox):
    initiative.organization.participations.update(status=ParticipationStatus.WITHDRAWN)
    travel(at(FEB))

    assert reminders_send_due() == 0


def test_an_organization_without_members_claims_nothing(travel, lab):
    org = OrganizationFactory()
    ParticipationFactory(lab=lab, organization=org)
    fund(run_phase2_in_2027(lab), org)
    travel(at(FEB))

    assert reminders_send_due() == 0
    assert keys() == []


# --- Exactly once ------------------------------------------------------------------------------


def test_a_failed_send_keeps_the_claim_and_is_retried_after_the_stale_period(
    travel, initiative, monkeypatch, mailoutbox
):
    send = reminders.send_templated_email
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise ConnectionError("SMTP down")
        return send(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_templated_email", fail_once)
    travel(at(FEB))
    assert reminders_send_due() == 0
    reminder = FundingReminder.objects.get()
    assert reminder.sent_at is None

    travel(at(FEB) + dt.timedelta(minutes=5))
    assert reminders_send_due() == 0
    assert len(calls) == 1  # the claim is fresh: not tried again yet

    travel(at(FEB) + dt.timedelta(minutes=20))
    assert reminders_send_due() == 1
    assert len(mailoutbox) == 1 and FundingReminder.objects.get().sent_at is not None


def test_a_dead_workers_stale_claim_is_taken_over_once(travel, initiative, mailoutbox):
    travel(at(FEB))
    FundingReminder.objects.create(
        application=initiative,
        key="progress:2027-01",
        claimed_at=at(FEB) - dt.timedelta(minutes=20),
    )

    assert reminders_send_due() == 1
    assert reminders_send_due() == 0
    assert len(mailoutbox) == 1 and FundingReminder.objects.count() == 1


def test_a_fresh_claim_of_another_run_is_left_alone(travel, initiative, mailoutbox):
    travel(at(FEB))
    FundingReminder.objects.create(
        application=initiative, key="progress:2027-01", claimed_at=at(FEB) - dt.timedelta(minutes=1)
    )

    assert reminders_send_due() == 0
    assert mailoutbox == []


def test_a_stale_claim_for_a_reminder_no_longer_due_is_dropped(travel, initiative, mailoutbox):
    FundingReminder.objects.create(
        application=initiative, key="progress:2027-01", claimed_at=at(FEB)
    )
    travel(at(MAR))

    assert reminders_send_due() == 1  # February's, not January's again
    assert FundingReminder.objects.get(key="progress:2027-01").sent_at is None


# --- Dry run, command, queries ---------------------------------------------------------------


def test_a_dry_run_counts_without_claiming_or_sending(travel, initiative, mailoutbox):
    travel(at(FEB))

    assert reminders_send_due(dry_run=True) == 1
    assert mailoutbox == [] and keys() == []


def test_the_command_sends_and_has_a_dry_run(travel, initiative, mailoutbox):
    travel(at(FEB))
    out = StringIO()

    call_command("send_funding_reminders", "--dry-run", stdout=out)
    call_command("send_funding_reminders", stdout=out)
    call_command("send_funding_reminders", stdout=out)

    assert out.getvalue().splitlines() == [
        "would send 1 funding reminder(s)",
        "sent 1 funding reminder(s)",
        "sent 0 funding reminder(s)",
    ]
    assert len(mailoutbox) == 1


def test_the_beat_task_runs_the_dispatch(travel, initiative, mailoutbox):
    from funding.tasks import send_funding_reminders

    travel(at(FEB))

    assert send_funding_reminders.delay().get() == 1


@pytest.mark.parametrize("size", [2, 10])
def test_a_run_takes_the_same_queries_however_many_initiatives(
    travel, lab, size, django_assert_num_queries, mailoutbox
):
    run_phase2_in_2027(lab)
    for n in range(size):
        another_initiative(lab, n)
    travel(at(FEB))
    reminders_send_due()  # every one is sent: now nothing is due
    assert len(mailoutbox) == size

    # The initiatives (with lab, org, deliverable), their updates and their reminders.
    with django_assert_num_queries(3):
        assert reminders_send_due() == 0


def test_sending_costs_a_fixed_number_of_queries_per_reminder(
    travel, lab, django_assert_max_num_queries
):
    run_phase2_in_2027(lab)
    for n in range(6):
        another_initiative(lab, n)
    travel(at(FEB))

    # 4 to find what is due and who to tell, then a claim (in a savepoint here) and a stamp.
    with django_assert_max_num_queries(4 + 6 * 4):
        assert reminders_send_due() == 6
