"""A lab's timeline: pre-program, two phases, post-program check-ins, and where "today" is."""

import datetime as dt

import pytest
import time_machine

from labs.models import Lab, MilestoneAnchor, PhaseKey, compute_timeline

D = dt.date
NEW_YEARS_DAY = D(2026, 1, 1)


def default_timeline(start: dt.date = NEW_YEARS_DAY, **overrides):
    options = {
        "start": start,
        "pre_program_months": 3,
        "phase1_months": 6,
        "phase2_months": 12,
        "checkin_offsets": [6, 12, 18],
        **overrides,
    }
    return compute_timeline(**options)


def spans(timeline):
    return {p.key: (p.start, p.end) for p in timeline.phases}


def test_it_lays_out_the_guide_phases_for_a_lab_starting_on_new_years_day():
    timeline = default_timeline()

    assert [p.key for p in timeline.phases] == [
        PhaseKey.PRE_PROGRAM,
        PhaseKey.PHASE1,
        PhaseKey.PHASE2,
        PhaseKey.PHASE3,
    ]
    assert spans(timeline) == {
        PhaseKey.PRE_PROGRAM: (D(2025, 10, 1), D(2026, 1, 1)),
        PhaseKey.PHASE1: (D(2026, 1, 1), D(2026, 7, 1)),
        PhaseKey.PHASE2: (D(2026, 7, 1), D(2027, 7, 1)),
        # Phase 3 runs through the last check-in day; `end` is exclusive.
        PhaseKey.PHASE3: (D(2027, 7, 1), D(2029, 1, 2)),
    }


def test_it_puts_check_ins_six_twelve_and_eighteen_months_after_the_program_ends():
    timeline = default_timeline()

    assert timeline.program_end == D(2027, 7, 1)
    assert timeline.checkin_dates == (
        (6, D(2028, 1, 1)),
        (12, D(2028, 7, 1)),
        (18, D(2029, 1, 1)),
    )


def test_phases_follow_each_other_without_gaps():
    timeline = default_timeline(start=D(2026, 3, 17), phase1_months=5, phase2_months=7)

    for before, after in zip(timeline.phases, timeline.phases[1:], strict=False):
        assert before.end == after.start


def test_a_phase_knows_its_last_day():
    phase1 = default_timeline().phase(PhaseKey.PHASE1)

    assert phase1.last_day == D(2026, 6, 30)


def test_it_uses_custom_phase_lengths():
    timeline = default_timeline(pre_program_months=2, phase1_months=4, phase2_months=9)

    assert spans(timeline)[PhaseKey.PRE_PROGRAM] == (D(2025, 11, 1), D(2026, 1, 1))
    assert spans(timeline)[PhaseKey.PHASE1] == (D(2026, 1, 1), D(2026, 5, 1))
    assert spans(timeline)[PhaseKey.PHASE2] == (D(2026, 5, 1), D(2027, 2, 1))
    assert timeline.program_end == D(2027, 2, 1)


def test_it_uses_custom_check_in_offsets_in_order():
    timeline = default_timeline(checkin_offsets=[24, 3])

    assert timeline.checkin_dates == ((3, D(2027, 10, 1)), (24, D(2029, 7, 1)))
    assert timeline.phase(PhaseKey.PHASE3).last_day == D(2029, 7, 1)


def test_it_falls_back_to_the_guide_check_ins_when_none_are_set():
    timeline = default_timeline(checkin_offsets=[])

    assert [months for months, _ in timeline.checkin_dates] == [6, 12, 18]


def test_it_clamps_month_ends_instead_of_overflowing():
    timeline = default_timeline(start=D(2026, 8, 31), phase1_months=6)

    assert timeline.phase(PhaseKey.PHASE2).start == D(2027, 2, 28)
    assert timeline.phase(PhaseKey.PRE_PROGRAM).start == D(2026, 5, 31)


def test_anchor_dates_are_phase_one_start_phase_two_start_and_program_end():
    timeline = default_timeline()

    assert timeline.anchor_date(MilestoneAnchor.LAB_START) == D(2026, 1, 1)
    assert timeline.anchor_date(MilestoneAnchor.PHASE2_START) == D(2026, 7, 1)
    assert timeline.anchor_date(MilestoneAnchor.PROGRAM_END) == D(2027, 7, 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 10, 1), PhaseKey.PRE_PROGRAM),
        (D(2025, 12, 31), PhaseKey.PRE_PROGRAM),
        (D(2026, 1, 1), PhaseKey.PHASE1),
        (D(2026, 6, 30), PhaseKey.PHASE1),
        (D(2026, 7, 1), PhaseKey.PHASE2),
        (D(2027, 6, 30), PhaseKey.PHASE2),
        (D(2027, 7, 1), PhaseKey.PHASE3),
        (D(2029, 1, 1), PhaseKey.PHASE3),
    ],
)
def test_current_phase_on_the_boundaries(day, expected):
    assert default_timeline().current_phase(day).key == expected


def test_there_is_no_current_phase_before_pre_program_starts():
    assert default_timeline().current_phase(D(2025, 9, 30)) is None


def test_there_is_no_current_phase_after_the_last_check_in():
    assert default_timeline().current_phase(D(2029, 1, 2)) is None


def test_progress_is_the_fraction_of_days_gone_by():
    phase1 = default_timeline().phase(PhaseKey.PHASE1)  # 181 days

    assert phase1.progress(D(2026, 1, 1)) == 0.0
    assert phase1.progress(D(2026, 4, 1)) == pytest.approx(90 / 181)
    assert phase1.progress(D(2026, 6, 30)) == pytest.approx(180 / 181)


def test_progress_is_zero_before_and_full_after_the_phase():
    phase1 = default_timeline().phase(PhaseKey.PHASE1)

    assert phase1.progress(D(2025, 12, 31)) == 0.0
    assert phase1.progress(D(2026, 7, 1)) == 1.0
    assert phase1.progress(D(2030, 1, 1)) == 1.0


def make_lab(**fields) -> Lab:
    return Lab(name="Chicago MLL", start_date=D(2026, 1, 1), **fields)


def test_a_lab_computes_its_timeline_from_its_own_settings():
    lab = make_lab(pre_program_months=1, phase1_months=2, phase2_months=3, checkin_offsets=[1])

    timeline = lab.timeline

    assert spans(timeline)[PhaseKey.PRE_PROGRAM] == (D(2025, 12, 1), D(2026, 1, 1))
    assert timeline.program_end == D(2026, 6, 1)
    assert timeline.checkin_dates == ((1, D(2026, 7, 1)),)


def test_a_new_lab_uses_the_guide_defaults():
    assert make_lab().timeline == default_timeline()


def test_lab_today_uses_the_labs_time_zone():
    # 03:00 UTC on New Year's Day is still New Year's Eve in Chicago, already the 1st in Berlin.
    with time_machine.travel(dt.datetime(2026, 1, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        assert make_lab(time_zone="America/Chicago").today() == D(2025, 12, 31)
        assert make_lab(time_zone="Europe/Berlin").today() == D(2026, 1, 1)


def test_lab_current_phase_follows_the_labs_clock():
    with time_machine.travel(dt.datetime(2026, 1, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        assert make_lab(time_zone="America/Chicago").current_phase().key == PhaseKey.PRE_PROGRAM
        assert make_lab(time_zone="Europe/Berlin").current_phase().key == PhaseKey.PHASE1


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2025, 9, 30, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2029, 1, 2, 18, 0, tzinfo=dt.UTC),
    ],
)
def test_lab_current_phase_is_none_before_pre_program_and_after_the_last_check_in(now):
    with time_machine.travel(now, tick=False):
        assert make_lab().current_phase() is None
