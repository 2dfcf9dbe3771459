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
from demo.management.commands.seed_demo import DEMO_PASSWORD
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
)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def logins() -> list[dict]:
    return json.loads(seed("--json"))


def test_a_second_run_changes_nothing():
    seed()
    before = counts()
    labs_before = list(Lab.objects.values_list("slug", "start_date", "agreement_version"))
    events_before = list(ParticipationEvent.objects.values_list("pk", "created_at"))

    output = seed()

    assert counts() == before
    assert list(Lab.objects.values_list("slug", "start_date", "agreement_version")) == labs_before
    assert list(ParticipationEvent.objects.values_list("pk", "created_at")) == events_before
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
