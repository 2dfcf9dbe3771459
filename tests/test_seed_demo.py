import datetime as dt
import io
import json
import zoneinfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from checkins.models import (
    CheckIn,
    CheckInEvent,
    CheckInReminder,
    CheckInStatus,
    CheckInStory,
    CheckInValue,
    ReminderKind,
    ReminderState,
    StandardMetric,
)
from demo.management.commands.seed_demo import DEMO_PASSWORD
from funding.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationVersion,
    AreaComment,
    Award,
    BudgetLine,
    Deliverable,
    DeliverableEvent,
    DeliverableStatus,
    Disbursement,
    DisbursementStatus,
    FinalMetric,
    FundingRound,
    InterventionArea,
    MetricValue,
    ProgressUpdate,
    Review,
    ReviewScore,
    RubricCriterion,
    Spending,
    SuccessMetric,
    UpdateReply,
)
from funding.services import missing_for_submission
from labs.models import (
    Lab,
    LiteratureSource,
    MeetingFormat,
    MeetingFrequency,
    Milestone,
    Weekday,
    WeekOfMonth,
)
from meetings.models import Attendance, Guest, Meeting, MeetingKind, Post
from participants.models import (
    AgreementSignature,
    ExpressionOfInterest,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
    ParticipationEvent,
)
from participants.services import lab_overlaps

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (
    User,
    EmailAddress,
    Lab,
    Milestone,
    LiteratureSource,
    Organization,
    Membership,
    Participation,
    ParticipationEvent,
    AgreementSignature,
    ExpressionOfInterest,
    Invitation,
    Meeting,
    Attendance,
    Guest,
    Post,
    InterventionArea,
    AreaComment,
    FundingRound,
    RubricCriterion,
    Application,
    ApplicationVersion,
    ApplicationEvent,
    BudgetLine,
    SuccessMetric,
    Review,
    ReviewScore,
    Award,
    Disbursement,
    ProgressUpdate,
    MetricValue,
    Spending,
    UpdateReply,
    Deliverable,
    DeliverableEvent,
    FinalMetric,
    CheckIn,
    CheckInValue,
    CheckInStory,
    CheckInEvent,
    CheckInReminder,
)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def stateful_rows() -> list:
    """Everything a re-run could move: statuses, dates and reminder states."""
    return [
        list(
            Application.objects.order_by("pk").values_list("status", "submitted_at", "updated_at")
        ),
        list(ApplicationEvent.objects.order_by("pk").values_list("to_status", "created_at")),
        list(Disbursement.objects.order_by("pk").values_list("status", "paid_on")),
        list(Deliverable.objects.order_by("pk").values_list("status", "accepted_at")),
        list(CheckIn.objects.order_by("pk").values_list("status", "due_on", "created_at")),
        list(
            CheckInReminder.objects.order_by("pk").values_list(
                "state", "send_at", "sent_at", "claimed_at"
            )
        ),
    ]


def logins() -> list[dict]:
    return json.loads(seed("--json"))


def test_a_second_run_changes_nothing():
    seed()
    before = counts()
    labs_before = list(Lab.objects.values_list("slug", "start_date", "agreement_version"))
    events_before = list(ParticipationEvent.objects.values_list("pk", "created_at"))
    states_before = stateful_rows()

    output = seed()

    assert counts() == before
    assert list(Lab.objects.values_list("slug", "start_date", "agreement_version")) == labs_before
    assert list(ParticipationEvent.objects.values_list("pk", "created_at")) == events_before
    assert stateful_rows() == states_before
    assert "nothing changed" in output


def test_it_creates_the_whole_cast():
    seed()
    assert counts()["Lab"] == 2
    assert counts()["Organization"] == 5
    assert counts()["User"] == 13
    assert counts()["EmailAddress"] == 13


def test_it_keeps_an_existing_users_password():
    seed()
    user = User.objects.get(email="jordan@pridecode.example.org")
    user.set_password("a-password-they-chose")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("a-password-they-chose")


def test_it_doesnt_move_an_existing_lab():
    seed()
    start = Lab.objects.get(slug="chicago-mll").start_date

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=75)):
        seed()

    assert Lab.objects.get(slug="chicago-mll").start_date == start


def test_it_refuses_to_seed_with_debug_off_unless_forced():
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Lab.objects.exists()


def test_it_sends_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert mail.outbox == []


@pytest.mark.parametrize("today", ["2026-01-31", "2026-03-01", "2026-11-22", "2027-07-15"])
def test_the_labs_are_in_phase_2_and_3_whenever_seeded(today):
    noon = dt.datetime.fromisoformat(today).replace(
        hour=12, tzinfo=zoneinfo.ZoneInfo("America/Chicago")
    )
    with time_machine.travel(noon, tick=False):
        seed()
        chicago = Lab.objects.get(slug="chicago-mll")
        twin_cities = Lab.objects.get(slug="twin-cities-mll")

        assert chicago.current_phase().key == "phase2"
        assert twin_cities.current_phase().key == "phase3"
        (_, six), (_, twelve), _ = twin_cities.timeline.checkin_dates
        assert six < twin_cities.today() < twelve
        assert not chicago.call_is_open()
        # The funding and check-in story holds whatever the day.
        assert chicago.awards.count() == 2
        assert ProgressUpdate.objects.filter(application__round__lab=chicago).count() >= 6
        states = {
            c.participation.organization.name: c.state(twin_cities.today())
            for c in CheckIn.objects.filter(participation__lab=twin_cities, months=6)
        }
        assert states == {
            "North Star Black Technologists": "Acknowledged",
            "New Neighbors Tech Mentoring": "Overdue",
        }
        assert not CheckInReminder.objects.filter(
            state=ReminderState.PENDING, send_at__lte=timezone.now()
        ).exists()


def test_the_chicago_lab_is_set_up_like_the_guide():
    seed()
    lab = Lab.objects.get(slug="chicago-mll")
    today = lab.today()

    assert lab.current_phase().key == "phase2"
    assert lab.funding_pool == 90000
    assert lab.currency == "USD"
    assert lab.agreement_version == 1
    assert (lab.meeting_frequency, lab.meeting_week_of_month, lab.meeting_weekday) == (
        MeetingFrequency.MONTHLY,
        WeekOfMonth.SECOND,
        Weekday.TUESDAY,
    )
    assert (lab.meeting_time, lab.time_zone) == (dt.time(10, 0), "America/Chicago")
    assert lab.meeting_format == MeetingFormat.HYBRID
    assert lab.call_is_published
    assert lab.sources.count() >= 3
    assert lab.facilitators.get().email == "maya@mll-demo.example.org"
    overdue = list(lab.milestones.overdue(today).values_list("title", flat=True))
    assert overdue == ["Focus groups with clients"]
    assert lab.milestones.filter(due_date__lt=today, completed_at__isnull=False).count() > 10


def test_three_orgs_serve_three_groups_without_overlap():
    seed()
    lab = Lab.objects.get(slug="chicago-mll")
    participations = lab.participations.prefetch_related("organization__client_groups")

    groups = {
        p.organization.name: {g.slug for g in p.organization.client_groups.all()}
        for p in participations
    }
    assert groups == {
        "Pride Code Collective": {"lgbtqia-technologists"},
        "Latinas Forward in Tech": {"latina-women"},
        "Women Who Build Chicago": {"women-in-tech"},
    }
    assert lab_overlaps(participations) == []
    assert {p.status for p in participations} == {"active"}


def test_each_participation_has_its_history_and_signed_agreement():
    seed()
    for participation in Participation.objects.select_related("lab", "organization"):
        steps = list(participation.events.values_list("to_status", flat=True))
        expected = ["invited", "accepted", "agreement_signed", "active"]
        if participation.lab.slug == "twin-cities-mll":
            expected.append("completed")
        assert steps == expected, participation
        created = list(participation.events.values_list("created_at", flat=True))
        assert created == sorted(created)
        assert created[-1].date() <= participation.lab.today()

        signature = participation.signatures.get()
        assert signature.kind == "typed"
        assert signature.agreement_version == 1
        assert participation.goals
        assert participation.baseline_active_mentors is not None
        roles = sorted(participation.organization.memberships.values_list("role", flat=True))
        assert roles == [MembershipRole.LEAD, MembershipRole.MEMBER]


def test_the_twin_cities_lab_is_done_but_for_the_coming_check_ins():
    seed()
    lab = Lab.objects.get(slug="twin-cities-mll")
    assert lab.facilitators.get().email == "daniel@mll-demo.example.org"
    assert set(lab.participations.values_list("status", flat=True)) == {"completed"}
    pending = list(lab.milestones.pending().values_list("title", flat=True))
    assert pending == ["12-month impact check-in", "18-month impact check-in"]
    assert not lab.milestones.overdue(lab.today()).exists()


def test_chicago_has_interests_in_several_states():
    seed()
    lab = Lab.objects.get(slug="chicago-mll")
    statuses = set(lab.expressions_of_interest.values_list("status", flat=True))
    assert {"new", "declined", "shortlisted", "invited"} <= statuses
    invited = lab.expressions_of_interest.filter(status="invited")
    assert {i.organization.name for i in invited} == {
        "Pride Code Collective",
        "Latinas Forward in Tech",
    }


def test_json_lists_the_logins_and_nothing_else():
    found = logins()

    assert all(set(login) >= {"email", "password", "role", "organization"} for login in found)
    roles = [login["role"] for login in found]
    assert roles.count("admin") == 1
    assert roles.count("facilitator") == 2
    participant_orgs = {login["organization"] for login in found if login["role"] == "participant"}
    assert participant_orgs == set(Organization.objects.values_list("name", flat=True))
    assert len(participant_orgs) == 5
    facilitator_labs = {login["lab"] for login in found if login["role"] == "facilitator"}
    assert facilitator_labs == set(Lab.objects.values_list("name", flat=True))


def test_the_human_output_shows_the_password():
    output = seed()
    assert output.startswith("Demo seeded: created")
    assert "2 labs, 46 meetings, 5 organizations, 5 participations, 13 people" in output
    assert "5 applications, 6 check-ins" in output
    assert "2 final deliverables, 2 funding rounds, 7 intervention areas" in output
    assert DEMO_PASSWORD in output
    assert "admin@mll-demo.example.org" in output


def test_every_demo_login_works(client):
    for login in logins():
        assert client.login(email=login["email"], password=login["password"]), login["email"]
        client.logout()
        user = User.objects.get(email=login["email"])
        assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
        assert user.is_staff == (login["role"] == "admin")
        assert user.can_create_labs == (login["role"] == "facilitator")


def test_the_admin_is_a_superuser():
    seed()
    admin = User.objects.get(email="admin@mll-demo.example.org")
    assert admin.is_staff
    assert admin.is_superuser


def test_both_labs_have_meeting_history_and_what_comes_next():
    seed()
    now = timezone.now()
    chicago = Lab.objects.get(slug="chicago-mll")
    meetings = chicago.meetings.all()

    assert set(Meeting.objects.values_list("kind", flat=True)) == set(MeetingKind.values)
    assert meetings.filter(starts_at__gt=now).exists()
    past = meetings.filter(ends_at__lt=now, kind=MeetingKind.MONTHLY)
    assert past.exists()
    assert all(m.agenda_items.exists() and m.shared_notes for m in past)
    assert Attendance.objects.filter(meeting__lab=chicago).exists()
    assert Post.objects.filter(meeting__lab=chicago).exists()
    focus_group = meetings.get(kind=MeetingKind.FOCUS_GROUP)
    assert focus_group.guests.count() >= 2
    twin_cities = Lab.objects.get(slug="twin-cities-mll")
    assert not twin_cities.meetings.filter(starts_at__gt=now).exists()
    assert Guest.objects.filter(meeting__lab=twin_cities).exists()


def test_1_1_support_sessions_belong_to_one_organization_each():
    seed()
    for meeting in Meeting.objects.filter(kind=MeetingKind.SUPPORT):
        assert meeting.organization is not None
        assert set(meeting.attendance.values_list("organization", flat=True)) <= {
            meeting.organization_id
        }


# --- Funding (issue 4) ------------------------------------------------------------------------


def _lab(slug: str) -> Lab:
    return Lab.objects.get(slug=slug)


def _applications(lab: Lab) -> dict[str, Application]:
    return {
        a.organization.name: a
        for a in Application.objects.filter(round__lab=lab).select_related("organization")
    }


def test_both_labs_have_a_round_with_the_default_rubric_closing_in_phase_1():
    seed()
    for lab in Lab.objects.all():
        funding_round = lab.funding_round
        phase1 = lab.timeline.phase("phase1")
        assert phase1.contains(funding_round.opens_on)
        assert phase1.contains(timezone.localdate(funding_round.deadline, lab.tz))
        assert list(funding_round.criteria.values_list("name", flat=True)) == [
            "Feasibility",
            "Alignment with the lab's goals",
            "Expected impact",
            "Budget realism",
        ]


def test_every_org_has_intervention_areas_with_peer_and_facilitator_feedback():
    seed()
    for lab in Lab.objects.all():
        facilitators = set(lab.facilitators.values_list("pk", flat=True))
        phase1 = lab.timeline.phase("phase1")
        for participation in lab.participations.select_related("organization"):
            org = participation.organization
            areas = list(lab.intervention_areas.filter(organization=org))
            assert 1 <= len(areas) <= 2, org
            for area in areas:
                assert phase1.contains(timezone.localdate(area.created_at, lab.tz))
                comments = list(area.comments.all())
                assert any(c.author_id in facilitators for c in comments)
                peers = [c for c in comments if c.author_id not in facilitators]
                assert peers, area
                assert all(
                    not c.author.memberships.filter(organization=org).exists() for c in peers
                )
                assert all(c.created_at >= area.created_at for c in comments)
                assert any(c.feasibility for c in comments)
                assert any(c.fits_funding is not None for c in comments)
    revised = InterventionArea.objects.filter(revision=2)
    assert revised.count() >= 2
    for area in revised:
        assert set(area.comments.values_list("on_revision", flat=True)) == {1, 2}


def test_chicago_has_applications_in_several_states():
    seed()
    lab = _lab("chicago-mll")
    applications = _applications(lab)
    assert {name: a.status for name, a in applications.items()} == {
        "Pride Code Collective": ApplicationStatus.APPROVED,
        "Latinas Forward in Tech": ApplicationStatus.APPROVED,
        "Women Who Build Chicago": ApplicationStatus.CHANGES_REQUESTED,
    }

    waiting = applications["Women Who Build Chicago"]
    assert list(waiting.versions.values_list("number", flat=True)) == [1]
    asked = waiting.events.get(to_status=ApplicationStatus.CHANGES_REQUESTED)
    assert asked.actor == lab.facilitators.get()
    assert asked.message and asked.message == waiting.decision_message
    # The working copy changed since version 1 and is being rewritten: something is missing.
    assert missing_for_submission(waiting) == ["a month-by-month plan"]
    assert waiting.versions.get().content["budget_total"] != str(waiting.budget_total())
    assert not hasattr(waiting, "award")

    revised = applications["Latinas Forward in Tech"]
    steps = list(revised.events.values_list("to_status", flat=True))
    assert steps == ["submitted", "changes_requested", "resubmitted", "approved"]
    first, second = revised.versions.all()
    assert first.content["budget_total"] == "38000.00"
    assert second.content["budget_total"] == "32000.00"
    assert len(second.content["metrics"]) == len(first.content["metrics"]) + 1


def test_reviews_score_every_criterion_of_what_was_submitted():
    seed()
    for application in Application.objects.exclude(status=ApplicationStatus.DRAFT):
        criteria = application.round.criteria.count()
        assert application.reviews.exists(), application
        for review in application.reviews.select_related("version"):
            assert review.version.application_id == application.pk
            assert review.scores.count() == criteria
            assert all(1 <= s.score <= 5 for s in review.scores.all())
            assert application.lab.is_facilitated_by(review.reviewer)


def test_the_history_is_dated_in_phase_1_and_approvals_before_phase_2():
    seed()
    for application in Application.objects.select_related("round__lab"):
        lab = application.lab
        phase2 = dt.datetime.combine(lab.timeline.phase("phase2").start, dt.time(), tzinfo=lab.tz)
        events = list(application.events.all())
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        for version in application.versions.all():
            assert version.submitted_at < application.round.deadline
        assert application.submitted_at < application.round.deadline
        for event in events:
            assert event.created_at < phase2
        if application.status == ApplicationStatus.APPROVED:
            assert application.decided_at == application.award.approved_at < phase2


def test_awards_stay_within_each_pool_and_tranches_add_up():
    seed()
    for lab in Lab.objects.all():
        awards = list(lab.awards.all())
        assert awards
        assert sum(a.amount for a in awards) <= lab.funding_pool
        for award in awards:
            assert award.amount <= lab.funding_round.max_award
            assert sum(d.amount for d in award.disbursements.all()) == award.amount
            for tranche in award.disbursements.all():
                if tranche.status == DisbursementStatus.PAID:
                    assert tranche.paid_on <= lab.today()
                else:
                    assert tranche.planned_on >= lab.today()
    chicago = Disbursement.objects.filter(award__lab__slug="chicago-mll")
    assert chicago.filter(status=DisbursementStatus.PAID).exists()
    assert chicago.filter(status=DisbursementStatus.PLANNED).exists()
    twin_cities = Disbursement.objects.filter(award__lab__slug="twin-cities-mll")
    assert set(twin_cities.values_list("status", flat=True)) == {DisbursementStatus.PAID}
    twin_cities_lab = _lab("twin-cities-mll")
    assert twin_cities_lab.awards.count() == twin_cities_lab.participations.count()


def _check_updates(application: Application, months: int) -> None:
    updates = list(application.progress_updates.order_by("month"))
    assert len(updates) == months, application
    lab = application.lab
    phase2 = lab.timeline.phase("phase2")
    metrics = application.metrics.count()
    lines = application.budget_lines.count()
    for update in updates:
        assert phase2.contains(update.month) and update.month.day == 1
        assert update.created_at.date() > update.month
        assert update.created_at <= timezone.now()
        assert update.values.count() == metrics
        assert update.spending.count() == lines
        assert update.what_happened
    for line in application.budget_lines.all():
        assert sum(s.amount for s in line.spending.all()) <= line.amount
    assert UpdateReply.objects.filter(update__application=application).exists()
    assert {r.author for r in UpdateReply.objects.filter(update__application=application)} == {
        lab.facilitators.get()
    }


def test_chicagos_initiatives_report_every_month_of_phase_2_so_far():
    seed()
    lab = _lab("chicago-mll")
    this_month = lab.today().replace(day=1)
    for application in Application.objects.initiatives().filter(round__lab=lab):
        reported = list(application.progress_updates.values_list("month", flat=True))
        # Every finished month, once its report (due early in the next month) has come in.
        assert max(reported) < this_month
        assert len(reported) >= 3
        _check_updates(application, len(reported))
        assert not hasattr(application, "deliverable")


def test_twin_cities_initiatives_reported_twelve_months_and_were_accepted():
    seed()
    lab = _lab("twin-cities-mll")
    applications = list(Application.objects.filter(round__lab=lab))
    assert {a.status for a in applications} == {ApplicationStatus.APPROVED}
    for application in applications:
        _check_updates(application, 12)
        deliverable = application.deliverable
        assert deliverable.status == DeliverableStatus.ACCEPTED
        assert deliverable.accepted_at.date() < lab.today()
        assert deliverable.submitted_at.date() <= lab.timeline.program_end
        assert list(deliverable.events.values_list("to_status", flat=True)) == [
            "submitted",
            "accepted",
        ]
        finals = {f.metric_id for f in deliverable.final_metrics.all()}
        assert finals == set(application.metrics.values_list("pk", flat=True))
    assert Deliverable.objects.filter(on_public_page=True).count() == 1


def test_the_demo_sends_no_funding_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()
    # What the funding services queue (decision and submission e-mails) is dropped: the
    # demo replays history. The invitations' tasks run and find nothing to send.
    assert [c for c in callbacks if "funding" in repr(c)] == []
    assert len(callbacks) == Invitation.objects.count()
    assert mail.outbox == []


# --- Check-ins (issue 5) ----------------------------------------------------------------------


def _first_checkins(lab: Lab) -> dict[str, CheckIn]:
    return {
        c.participation.organization.name: c
        for c in CheckIn.objects.filter(participation__lab=lab, months=6).select_related(
            "participation__organization"
        )
    }


def test_the_ended_lab_has_its_check_ins_planned_and_chicago_none():
    seed()
    lab = _lab("twin-cities-mll")
    expected = {
        (p.pk, months, due)
        for p in lab.participations.all()
        for months, due in lab.timeline.checkin_dates
    }
    checkins = CheckIn.objects.filter(participation__lab=lab)
    assert set(checkins.values_list("participation", "months", "due_on")) == expected
    for checkin in checkins:
        assert checkin.opens_on == checkin.due_on - dt.timedelta(days=14)
        assert set(checkin.reminders.values_list("kind", flat=True)) == set(ReminderKind.values)
    assert not CheckIn.objects.filter(participation__lab__slug="chicago-mll").exists()


def test_one_six_month_check_in_is_acknowledged_and_one_is_overdue():
    seed()
    lab = _lab("twin-cities-mll")
    today = lab.today()
    first = _first_checkins(lab)

    answered = first["North Star Black Technologists"]
    assert answered.status == CheckInStatus.ACKNOWLEDGED
    assert answered.submitted_at < answered.acknowledged_at < timezone.now()
    assert answered.submitted_by.memberships.filter(
        organization=answered.participation.organization
    ).exists()
    assert answered.facilitator_message
    assert list(answered.events.values_list("to_status", flat=True)) == [
        "submitted",
        "acknowledged",
    ]
    assert (
        answered.funds_spent == answered.participation.organization.applications.get().award.amount
    )
    assert answered.stories.filter(consent_to_share=True).exists()

    late = first["New Neighbors Tech Mentoring"]
    assert late.state(today) == "Overdue"
    assert list(CheckIn.objects.filter(participation__lab=lab).overdue(today)) == [late]
    assert late.progress  # a draft was started, never submitted
    assert not late.events.exists()

    later = CheckIn.objects.filter(participation__lab=lab).exclude(months=6)
    assert {c.state(today) for c in later} == {"Upcoming"}


def test_the_acknowledged_check_in_tells_a_growth_story():
    seed()
    checkin = _first_checkins(_lab("twin-cities-mll"))["North Star Black Technologists"]
    standard = {v.standard: v.value for v in checkin.values.filter(metric__isnull=True)}
    assert set(standard) == set(StandardMetric.values)
    participation = checkin.participation
    assert standard["active_mentors"] > participation.baseline_active_mentors
    assert standard["active_mentees"] > participation.baseline_active_mentees
    metrics = {
        v.metric.name: (v.metric.baseline, v.value)
        for v in checkin.values.filter(metric__isnull=False)
    }
    assert set(metrics) == set(
        SuccessMetric.objects.filter(
            application__organization=participation.organization
        ).values_list("name", flat=True)
    )
    baseline, value = metrics["Mentors with engineering, product and UX backgrounds"]
    assert (baseline, value) == (25, 35)
    assert (value - baseline) / baseline * 100 == 40
    assert all(value > baseline for baseline, value in metrics.values())


def test_the_reminders_sent_so_far_are_recorded_and_none_is_left_behind():
    seed()
    lab = _lab("twin-cities-mll")
    now = timezone.now()
    reminders = CheckInReminder.objects.filter(checkin__participation__lab=lab)
    # Nothing due in the past is left for the dispatcher to send today.
    assert not reminders.filter(state=ReminderState.PENDING, send_at__lte=now).exists()
    assert (
        not reminders.filter(send_at__gt=now)
        .exclude(state__in=[ReminderState.PENDING, ReminderState.CANCELLED])
        .exists()
    )

    sent = reminders.filter(state=ReminderState.SENT)
    assert sent.count() >= 4
    for reminder in sent:
        assert reminder.send_at <= reminder.sent_at <= now
        assert reminder.recipients
        assert reminder.attempts == 1
    escalation = sent.get(kind=ReminderKind.ESCALATION)
    assert escalation.recipients == "daniel@mll-demo.example.org"

    first = _first_checkins(lab)
    answered = first["North Star Black Technologists"]
    assert dict(answered.reminders.values_list("kind", "state")) == {
        "opening": "sent",
        "due": "sent",
        "overdue_7": "cancelled",
        "overdue_14": "cancelled",
        "escalation": "cancelled",
    }
    late = first["New Neighbors Tech Mentoring"]
    assert set(late.reminders.values_list("state", flat=True)) == {"sent", "skipped"}
    org_emails = sorted(
        late.participation.organization.memberships.values_list("user__email", flat=True)
    )
    assert late.reminders.get(kind="due").recipients == ", ".join(org_emails)
