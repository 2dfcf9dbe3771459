"""The due-and-overdue board across labs, and the check-ins' part of the lab dashboard."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import CheckInReminder, ReminderKind, ReminderState
from tests.checkins import COMPLETE, NOW, make_checkin
from tests.factories import (
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

BOARD = reverse("checkins:board")


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def rows(response) -> list[tuple[str, int]]:
    return [(c.participation.organization.name, c.months) for c in response.context["rows"]]


@pytest.fixture
def cast(lab, lab2, org_a, org_b, org_c, member_a):
    """In lab: org A 40 days late (6 months), due today (12), upcoming (18), one submitted;
    org B 5 days late and a question waiting. In lab2: org C open."""
    late = make_checkin(lab, org_a, months=6, due_in=-40)
    make_checkin(lab, org_a, months=12, due_in=0)
    make_checkin(lab, org_a, months=18, due_in=60)
    done = make_checkin(lab, org_b, months=24, due_in=-1, **COMPLETE)
    services.checkin_submit(checkin=done, user=MembershipFactory(organization=org_b).user)
    make_checkin(lab, org_b, months=6, due_in=-5)
    asked = make_checkin(lab, org_b, months=12, due_in=-60, submitted_at=timezone.now())
    asked.status = "question"
    asked.save()
    make_checkin(lab2, org_c, months=6, due_in=10)
    CheckInReminder.objects.filter(checkin=late, kind=ReminderKind.OVERDUE_14).update(
        state=ReminderState.SENT, sent_at=NOW - dt.timedelta(days=26)
    )
    return late


def test_a_facilitator_sees_what_is_owed_in_their_labs_the_oldest_overdue_first(
    login, facilitator, cast, org_a, org_b
):
    response = login(facilitator).get(BOARD)

    assert response.status_code == 200
    assert rows(response) == [
        (org_b.name, 12),  # the question waiting (due 60 days ago)
        (org_a.name, 6),  # 40 days late
        (org_b.name, 6),  # 5 days late
        (org_a.name, 12),  # due today
    ]
    body = response.content.decode()
    assert "<strong>40</strong>" in body
    assert "Feb 3, 2030" in body  # org A's last reminder, 26 days ago
    assert "Question asked" in body and "Due today" in body
    assert cast.get_absolute_url() in body


def test_an_admin_sees_every_lab_and_can_filter_by_one(login, admin_user, cast, lab2, org_c):
    client = login(admin_user)

    assert len(client.get(BOARD).context["rows"]) == 5

    response = client.get(BOARD, {"lab": lab2.slug})
    assert rows(response) == [(org_c.name, 6)]
    assert response.context["lab"] == lab2


def test_a_lab_filter_for_a_lab_you_dont_run_shows_your_own_labs(login, facilitator, cast, lab2):
    response = login(facilitator).get(BOARD, {"lab": lab2.slug})

    assert response.context["lab"] is None
    assert len(response.context["rows"]) == 4


def test_a_member_sees_only_what_its_own_organization_owes(login, member_a, cast, org_a):
    response = login(member_a).get(BOARD)

    assert response.status_code == 200
    assert rows(response) == [(org_a.name, 6), (org_a.name, 12)]
    assert "Check-ins your organization owes" in response.content.decode()


def test_an_outsider_sees_an_empty_board(login, outsider, cast):
    response = login(outsider).get(BOARD)

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Nothing is owed right now" in response.content.decode()


def _many(size: int) -> None:
    """`size` labs, each with two organizations owing a late check-in with a sent reminder."""
    facilitator = MembershipFactory().user  # a member elsewhere too: both paths in the query
    for _ in range(size):
        lab = LabFactory(facilitators=[facilitator])
        for _ in range(2):
            org = OrganizationFactory()
            ParticipationFactory(lab=lab, organization=org)
            checkin = make_checkin(lab, org, due_in=-3)
            checkin.reminders.filter(kind=ReminderKind.DUE).update(
                state=ReminderState.SENT, sent_at=NOW - dt.timedelta(days=3)
            )
    return facilitator


@pytest.mark.parametrize("size", [2, 15])
@pytest.mark.parametrize("who", ["admin_user", "facilitator"])
def test_the_board_takes_a_fixed_number_of_queries(
    request, login, size, who, django_assert_max_num_queries
):
    facilitator = _many(size)
    user = request.getfixturevalue("admin_user") if who == "admin_user" else facilitator
    client = login(user)

    with django_assert_max_num_queries(7):
        response = client.get(BOARD)

    assert len(response.context["rows"]) == 2 * size


# --- The dashboard panel -------------------------------------------------------------------


def test_a_members_dashboard_shows_what_its_organization_owes_next(login, lab, org_a, member_a):
    make_checkin(lab, org_a, months=12, due_in=180)
    next_one = make_checkin(lab, org_a, months=6, due_in=-2)

    body = login(member_a).get(lab.get_absolute_url()).content.decode()

    assert "Impact check-ins" in body
    assert "the 6-month check-in" in body and "2 days late" in body
    assert reverse("checkins:edit", args=[lab.slug, next_one.pk]) in body


def test_a_member_with_everything_submitted_is_thanked(login, lab, org_a, member_a):
    done = make_checkin(lab, org_a, **COMPLETE)
    services.checkin_submit(checkin=done, user=member_a)

    body = login(member_a).get(lab.get_absolute_url()).content.decode()

    assert "Nothing owed: 1 check-in submitted" in body


def test_a_member_without_checkins_sees_no_panel(login, lab, org_a, member_a):
    body = login(member_a).get(lab.get_absolute_url()).content.decode()

    assert "Impact check-ins" not in body


def test_a_facilitators_dashboard_counts_open_and_overdue_checkins(
    login, lab, org_a, org_b, facilitator
):
    make_checkin(lab, org_a, months=6, due_in=5)
    make_checkin(lab, org_b, months=6, due_in=-1)
    make_checkin(lab, org_b, months=12, due_in=-9)

    response = login(facilitator).get(lab.get_absolute_url())

    body = response.content.decode()
    assert "Open: <strong>1</strong>" in body
    assert 'Overdue: <strong class="text-danger">2</strong>' in body
    assert reverse("checkins:lab", args=[lab.slug]) in body
