"""Lab workflows: creating a lab, moving its dates, ordering milestones, reminders."""

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command

from labs import services
from labs.models import Lab, Milestone, MilestoneAnchor, PhaseKey
from labs.services import GUIDE_MILESTONES
from tests.factories import LabFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date
# Mid-April 2026 in Chicago: the lab below (Phase 1 from June 1) is in its pre-program months.
APRIL_15 = dt.datetime(2026, 4, 15, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def april_15():
    with time_machine.travel(APRIL_15, tick=False):
        yield


def new_lab(**fields) -> Lab:
    return Lab(**{"name": "Chicago MLL", "city": "Chicago", "start_date": D(2026, 1, 1), **fields})


def titled(lab: Lab, title: str) -> Milestone:
    return lab.milestones.get(title=title)


def ordered_titles(lab: Lab) -> list[str]:
    return list(lab.milestones.order_by("position").values_list("title", flat=True))


# lab_create


def test_lab_create_makes_the_creator_a_facilitator(facilitator):
    lab = services.lab_create(lab=new_lab(), created_by=facilitator)

    assert list(lab.facilitators.all()) == [facilitator]
    assert lab.created_by == facilitator
    assert lab.slug == "chicago-mll"


def test_lab_create_does_not_make_staff_a_facilitator(admin_user):
    lab = services.lab_create(lab=new_lab(), created_by=admin_user)

    assert lab.created_by == admin_user
    assert not lab.facilitators.exists()


def test_lab_create_lays_out_the_guide_milestones_and_a_check_in_per_offset(facilitator):
    lab = services.lab_create(lab=new_lab(), created_by=facilitator)

    titles = set(lab.milestones.values_list("title", flat=True))
    assert {t.title for t in GUIDE_MILESTONES} <= titles
    assert lab.milestones.count() == len(GUIDE_MILESTONES) + 3
    checkins = lab.milestones.filter(phase=PhaseKey.PHASE3).order_by("due_date")
    assert [(m.title, m.due_date, m.anchor) for m in checkins] == [
        ("6-month impact check-in", D(2028, 1, 1), MilestoneAnchor.PROGRAM_END),
        ("12-month impact check-in", D(2028, 7, 1), MilestoneAnchor.PROGRAM_END),
        ("18-month impact check-in", D(2029, 1, 1), MilestoneAnchor.PROGRAM_END),
    ]


def test_lab_create_uses_the_labs_own_check_in_offsets(facilitator):
    lab = services.lab_create(lab=new_lab(checkin_offsets=[3, 24]), created_by=facilitator)

    checkins = lab.milestones.filter(phase=PhaseKey.PHASE3).order_by("due_date")
    assert [(m.title, m.due_date) for m in checkins] == [
        ("3-month impact check-in", D(2027, 10, 1)),
        ("24-month impact check-in", D(2029, 7, 1)),
    ]


def test_lab_create_dates_guide_milestones_from_their_anchor(facilitator):
    lab = services.lab_create(lab=new_lab(), created_by=facilitator)

    assert titled(lab, "Conduct a literature review").due_date == D(2025, 10, 1)
    assert titled(lab, "Kick-off meeting").due_date == D(2026, 1, 1)
    funding = titled(lab, "Funding applications due")
    assert (funding.due_date, funding.phase, funding.anchor) == (
        D(2026, 6, 1),
        PhaseKey.PHASE1,
        MilestoneAnchor.PHASE2_START,
    )
    assert titled(lab, "Focus groups with clients").due_date == D(2026, 10, 1)
    assert titled(lab, "Final deliverables due").due_date == D(2027, 7, 1)


def test_lab_create_orders_milestones_by_date(facilitator):
    lab = services.lab_create(lab=new_lab(), created_by=facilitator)

    milestones = list(lab.milestones.order_by("position"))
    dates = [m.due_date for m in milestones]
    positions = [m.position for m in milestones]
    assert dates == sorted(dates)
    assert len(set(positions)) == len(positions)
    assert positions[0] == 10


def test_lab_create_is_all_or_nothing(facilitator, monkeypatch):
    def broken(lab):
        raise RuntimeError("guide unavailable")

    monkeypatch.setattr(services, "_guide_milestones", broken)

    with pytest.raises(RuntimeError):
        services.lab_create(lab=new_lab(), created_by=facilitator)

    assert not Lab.objects.exists()


# lab_update


@pytest.fixture
def june_lab(facilitator, april_15):
    """Phase 1 from June 1, 2026; today is April 15, in the pre-program months."""
    lab = LabFactory(start_date=D(2026, 6, 1), facilitators=[facilitator])
    services.lab_create(lab=lab, created_by=facilitator)
    return lab


def edit(lab: Lab, **changes) -> int:
    previous = Lab.objects.get(pk=lab.pk)
    for name, value in changes.items():
        setattr(lab, name, value)
    return services.lab_update(lab=lab, previous=previous)


def dates(lab: Lab) -> dict[str, dt.date]:
    return dict(lab.milestones.values_list("title", "due_date"))


def test_it_moves_pending_milestones_when_the_start_date_changes(june_lab):
    before = dates(june_lab)

    edit(june_lab, start_date=D(2026, 7, 1))

    after = dates(june_lab)
    # Each moves by its anchor's shift in calendar months: every anchor moves one month.
    for title in [
        "Construct the timeline and schedule meetings",
        "Kick-off meeting",
        "Topic meeting: mentor recruitment",
        "Funding applications due",
        "Focus groups with clients",
        "Final deliverables due",
        "18-month impact check-in",
    ]:
        assert after[title] == before[title] + relativedelta(months=1), title
    assert after["Kick-off meeting"] == D(2026, 7, 1)
    assert after["Final deliverables due"] == D(2028, 1, 1)


def test_it_counts_the_milestones_it_moved(june_lab):
    # Four pre-program milestones are already past on April 15 (two on March 1, two on April 1).
    past = june_lab.milestones.filter(due_date__lt=D(2026, 4, 15)).count()

    moved = edit(june_lab, start_date=D(2026, 7, 1))

    assert past == 4
    assert moved == june_lab.milestones.count() - past


def test_it_leaves_past_milestones_where_they_were(june_lab):
    before = dates(june_lab)

    edit(june_lab, start_date=D(2026, 9, 1))

    after = dates(june_lab)
    assert after["Conduct a literature review"] == before["Conduct a literature review"]
    assert after["Select participants"] == D(2026, 4, 1) == before["Select participants"]


def test_it_leaves_completed_milestones_where_they_were(june_lab, facilitator):
    kickoff = titled(june_lab, "Kick-off meeting")
    services.milestone_set_done(milestone=kickoff, user=facilitator, done=True)

    edit(june_lab, start_date=D(2026, 9, 1))

    kickoff.refresh_from_db()
    assert kickoff.due_date == D(2026, 6, 1)
    assert titled(june_lab, "Strengths and weaknesses").due_date == D(2026, 10, 1)


def test_it_moves_a_milestone_due_today(june_lab):
    today_milestone = Milestone.objects.create(
        lab=june_lab, title="Today", phase=PhaseKey.PRE_PROGRAM, due_date=D(2026, 4, 15)
    )

    edit(june_lab, start_date=D(2026, 6, 11))

    today_milestone.refresh_from_db()
    assert today_milestone.due_date == D(2026, 4, 25)


def test_changing_phase1_length_moves_phase2_anchored_milestones_only(june_lab):
    before = dates(june_lab)

    moved = edit(june_lab, phase1_months=7)  # Phase 2 from Jan 1, 2027 instead of Dec 1

    after = dates(june_lab)
    for title in ("Kick-off meeting", "Identify intervention areas", "Strengths and weaknesses"):
        assert after[title] == before[title], title
    # A Phase-1 milestone anchored on Phase 2's start moves with it.
    for title in (
        "Funding applications due",
        "Awards decided, initiatives begin",
        "Final deliverables due",
        "6-month impact check-in",
    ):
        assert after[title] == before[title] + relativedelta(months=1), title
    assert after["Awards decided, initiatives begin"] == D(2027, 1, 1)
    assert moved == june_lab.milestones.exclude(anchor=MilestoneAnchor.LAB_START).count()


def test_changing_phase2_length_moves_program_end_anchored_milestones_only(june_lab):
    before = dates(june_lab)

    edit(june_lab, phase2_months=13)

    after = dates(june_lab)
    assert after["Awards decided, initiatives begin"] == before["Awards decided, initiatives begin"]
    assert after["Final deliverables due"] == D(2028, 1, 1)
    assert after["12-month impact check-in"] == D(2029, 1, 1)


def test_it_moves_nothing_when_the_dates_are_unchanged(june_lab):
    before = dates(june_lab)

    moved = edit(june_lab, name="Chicago MLL, renamed", checkin_offsets=[6, 12, 18])

    assert moved == 0
    assert dates(june_lab) == before
    assert Lab.objects.get(pk=june_lab.pk).name == "Chicago MLL, renamed"


# milestone_add


def test_milestone_add_appends_to_the_end_of_the_list(lab):
    first = services.milestone_add(
        milestone=Milestone(lab=lab, title="First", due_date=lab.start_date)
    )
    second = services.milestone_add(
        milestone=Milestone(lab=lab, title="Second", due_date=lab.start_date)
    )

    assert (first.position, second.position) == (10, 20)
    assert ordered_titles(lab) == ["First", "Second"]


@pytest.mark.parametrize(
    ("due", "phase", "anchor"),
    [
        (D(2025, 11, 15), PhaseKey.PRE_PROGRAM, MilestoneAnchor.LAB_START),
        (D(2026, 3, 1), PhaseKey.PHASE1, MilestoneAnchor.LAB_START),
        (D(2026, 7, 1), PhaseKey.PHASE2, MilestoneAnchor.PHASE2_START),
        (D(2027, 7, 1), PhaseKey.PHASE3, MilestoneAnchor.PROGRAM_END),
        (D(2030, 1, 1), PhaseKey.PHASE3, MilestoneAnchor.PROGRAM_END),
        # Before pre-program work begins is still preparation, not post-program impact.
        (D(2025, 6, 1), PhaseKey.PRE_PROGRAM, MilestoneAnchor.LAB_START),
    ],
)
def test_milestone_add_places_the_milestone_in_the_phase_of_its_due_date(due, phase, anchor):
    lab = LabFactory(start_date=D(2026, 1, 1))

    milestone = services.milestone_add(milestone=Milestone(lab=lab, title="Extra", due_date=due))

    milestone.refresh_from_db()
    assert (milestone.phase, milestone.anchor) == (phase, anchor)


# milestone_move


@pytest.fixture
def three(lab):
    for title in ("One", "Two", "Three"):
        services.milestone_add(milestone=Milestone(lab=lab, title=title, due_date=lab.start_date))
    return lab


def test_moving_a_milestone_up_swaps_it_with_the_one_above(three):
    services.milestone_move(milestone=titled(three, "Two"), direction=-1)

    assert ordered_titles(three) == ["Two", "One", "Three"]


def test_moving_a_milestone_down_swaps_it_with_the_one_below(three):
    services.milestone_move(milestone=titled(three, "Two"), direction=1)

    assert ordered_titles(three) == ["One", "Three", "Two"]


def test_moving_the_first_milestone_up_changes_nothing(three):
    before = list(three.milestones.values_list("title", "position"))

    services.milestone_move(milestone=titled(three, "One"), direction=-1)

    assert list(three.milestones.values_list("title", "position")) == before


def test_moving_the_last_milestone_down_changes_nothing(three):
    before = list(three.milestones.values_list("title", "position"))

    services.milestone_move(milestone=titled(three, "Three"), direction=1)

    assert list(three.milestones.values_list("title", "position")) == before


def test_moving_a_milestone_leaves_other_labs_alone(three, lab2):
    other = services.milestone_add(
        milestone=Milestone(lab=lab2, title="Elsewhere", due_date=lab2.start_date)
    )

    services.milestone_move(milestone=titled(three, "Three"), direction=-1)

    other.refresh_from_db()
    assert other.position == 10


def test_moving_fixes_up_duplicate_positions(lab):
    for title in ("A", "B", "C"):
        Milestone.objects.create(
            lab=lab, title=title, phase=PhaseKey.PHASE1, due_date=lab.start_date, position=0
        )

    services.milestone_move(milestone=titled(lab, "C"), direction=-1)

    assert ordered_titles(lab) == ["A", "C", "B"]
    assert list(lab.milestones.values_list("position", flat=True)) == [10, 20, 30]


# milestone_set_done


def test_marking_a_milestone_done_records_who_and_when(lab, facilitator):
    milestone = services.milestone_add(
        milestone=Milestone(lab=lab, title="Kick-off", due_date=lab.start_date)
    )
    now = dt.datetime(2026, 2, 3, 15, 0, tzinfo=dt.UTC)

    with time_machine.travel(now, tick=False):
        services.milestone_set_done(milestone=milestone, user=facilitator, done=True)

    milestone.refresh_from_db()
    assert (milestone.completed_at, milestone.completed_by) == (now, facilitator)
    assert milestone.is_done


def test_reopening_a_milestone_clears_who_and_when(lab, facilitator):
    milestone = services.milestone_add(
        milestone=Milestone(lab=lab, title="Kick-off", due_date=lab.start_date)
    )
    services.milestone_set_done(milestone=milestone, user=facilitator, done=True)

    services.milestone_set_done(milestone=milestone, user=facilitator, done=False)

    milestone.refresh_from_db()
    assert (milestone.completed_at, milestone.completed_by) == (None, None)


# lab_agreement_update


def test_changing_the_agreement_makes_a_new_version(lab):
    lab.agreement_text = "We meet monthly and share what we learn."

    services.lab_agreement_update(lab=lab, text_changed=True, file_changed=False)

    lab.refresh_from_db()
    assert lab.agreement_version == 2
    assert lab.agreement_updated_at is not None


def test_saving_an_unchanged_agreement_keeps_its_version(lab):
    services.lab_agreement_update(lab=lab, text_changed=False, file_changed=False)

    lab.refresh_from_db()
    assert lab.agreement_version == 1
    assert lab.agreement_updated_at is None


# milestones_send_reminders

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture
def due_soon(lab):
    return Milestone.objects.create(
        lab=lab, title="Kick-off meeting", phase=PhaseKey.PHASE1, due_date=D(2026, 3, 13)
    )


def send(**kwargs) -> int:
    return services.milestones_send_reminders(now=NOW, **kwargs)


def test_it_reminds_the_labs_facilitators_of_a_milestone_due_within_a_week(
    lab, due_soon, facilitator, member_a, lab2
):
    co_facilitator = UserFactory(email="cora@example.org")
    retired = UserFactory(email="retired@example.org", is_active=False)
    lab.facilitators.add(co_facilitator, retired)

    assert send() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["cora@example.org", "fran@example.org"]
    assert message.subject == "[MLL] Chicago MLL: “Kick-off meeting” is due Mar 13"
    assert f"/labs/{lab.slug}/timeline/" in message.body


def test_it_sends_each_reminder_once(due_soon):
    assert send() == 1
    assert send() == 0

    assert len(mail.outbox) == 1
    due_soon.refresh_from_db()
    assert due_soon.reminder_sent_for == D(2026, 3, 13)


def test_a_reminder_that_failed_to_send_is_tried_again(due_soon, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(services, "send_templated_email", broken)
    assert send() == 0
    monkeypatch.undo()

    assert send() == 1
    assert len(mail.outbox) == 1


def test_moving_the_due_date_rearms_the_reminder(due_soon):
    send()
    due_soon.due_date = D(2026, 3, 16)
    due_soon.save()

    assert send() == 1

    assert len(mail.outbox) == 2
    assert "Mar 16" in mail.outbox[1].subject


def test_completed_milestones_get_no_reminder(due_soon, facilitator):
    services.milestone_set_done(milestone=due_soon, user=facilitator, done=True)

    assert send() == 0
    assert mail.outbox == []


def test_a_dry_run_sends_nothing_and_claims_nothing(due_soon):
    assert send(dry_run=True) == 1

    assert mail.outbox == []
    due_soon.refresh_from_db()
    assert due_soon.reminder_sent_for is None
    assert send() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("due", "reminded"),
    [
        (TODAY - dt.timedelta(days=2), False),
        (TODAY - dt.timedelta(days=1), True),  # a missed run catches up
        (TODAY, True),
        (TODAY + dt.timedelta(days=7), True),
        (TODAY + dt.timedelta(days=8), False),
    ],
)
def test_it_reminds_only_within_the_week_ahead(lab, due, reminded):
    Milestone.objects.create(lab=lab, title="Due", phase=PhaseKey.PHASE1, due_date=due)

    assert send() == int(reminded)
    assert len(mail.outbox) == int(reminded)


def test_each_lab_reminds_its_own_facilitators(lab, lab2, due_soon, facilitator2):
    Milestone.objects.create(
        lab=lab2, title="Detroit kick-off", phase=PhaseKey.PHASE1, due_date=TODAY
    )

    assert send() == 2

    to = {m.subject: m.to for m in mail.outbox}
    assert to == {
        "[MLL] Chicago MLL: “Kick-off meeting” is due Mar 13": ["fran@example.org"],
        f"[MLL] Detroit MLL: “Detroit kick-off” is due {TODAY:%b} {TODAY.day}": [
            "felix@example.org"
        ],
    }


def test_the_command_has_a_dry_run(due_soon, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("send_milestone_reminders", "--dry-run")
        assert capsys.readouterr().out.strip() == "would send 1 milestone reminder(s)"
        assert mail.outbox == []

        call_command("send_milestone_reminders")
        assert capsys.readouterr().out.strip() == "sent 1 milestone reminder(s)"
        assert len(mail.outbox) == 1


def test_moved_checkins_stay_on_the_timelines_checkin_dates(june_lab):
    edit(june_lab, phase1_months=7)

    checkins = dict(june_lab.timeline.checkin_dates)
    for milestone in june_lab.milestones.filter(checkin_months__isnull=False):
        assert milestone.due_date == checkins[milestone.checkin_months]


def test_changing_checkin_offsets_adds_and_removes_checkin_milestones(june_lab):
    edit(june_lab, checkin_offsets=[6, 24])

    months = set(june_lab.milestones.values_list("checkin_months", flat=True)) - {None}
    assert months == {6, 24}
    assert (
        titled(june_lab, "24-month impact check-in").due_date
        == dict(june_lab.timeline.checkin_dates)[24]
    )
