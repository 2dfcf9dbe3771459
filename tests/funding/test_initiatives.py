"""The funded initiatives: the cohort's list, the private initiative page (award, budget
versus actual, metrics, the months of Phase 2), the dashboard panel, and who may see what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Disbursement, SuccessMetric
from funding.panels_initiatives import initiatives_panel
from funding.services_initiatives import (
    BudgetRow,
    MonthState,
    budget_vs_actual,
    metric_progress,
    month_rows,
    phase2_months,
)
from tests.funding.initiatives_setup import (
    NOW,
    another_initiative,
    complete_deliverable,
    fund,
    post_update,
    run_phase2_in_2027,
)

JAN, FEB, MAR, APR = (dt.date(2027, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def phase2_lab(lab):
    return run_phase2_in_2027(lab)


@pytest.fixture
def initiative_a(phase2_lab, org_a, member_a):
    return fund(phase2_lab, org_a, summary="Engineers as mentors, through employers.")


@pytest.fixture
def initiative_b(phase2_lab, org_b, member_b):
    return fund(phase2_lab, org_b, title="Latinas lead", summary="Peer circles for mentees.")


def initiative_url(application):
    return reverse("funding:initiative", args=[application.lab.slug, application.pk])


def list_url(lab):
    return reverse("funding:initiatives", args=[lab.slug])


# --- The Phase 2 calendar -----------------------------------------------------------------------


def test_phase2_months_are_the_calendar_months_it_touches(phase2_lab):
    months = phase2_months(phase2_lab)

    assert months[0] == JAN and months[-1] == dt.date(2027, 12, 1) and len(months) == 12


def test_a_phase2_starting_mid_month_counts_both_partial_months(phase2_lab):
    phase2_lab.start_date = dt.date(2026, 7, 15)

    months = phase2_months(phase2_lab)

    assert months[0] == JAN and months[-1] == dt.date(2028, 1, 1) and len(months) == 13


def test_month_rows_tell_reported_missing_under_way_and_upcoming(initiative_a):
    january = post_update(initiative_a, JAN)

    rows = month_rows(initiative_a.lab, [january])

    assert [(r.month, r.state) for r in rows[:4]] == [
        (JAN, MonthState.REPORTED),
        (FEB, MonthState.MISSING),
        (MAR, MonthState.OPEN),
        (APR, MonthState.UPCOMING),
    ]
    assert rows[0].update == january


# --- Budget versus actual ----------------------------------------------------------------------


def test_budget_versus_actual_adds_up_spending_per_line_in_decimal(initiative_a):
    post_update(initiative_a, JAN, spent=("1234.56", "0.10"))
    post_update(initiative_a, FEB, spent=("100.10", "0.20"))

    rows, total = budget_vs_actual(initiative_a)

    events, stipends = rows
    assert events.planned == Decimal("12000.00")
    assert events.spent == Decimal("1334.66")
    assert events.remaining == Decimal("10665.34")
    assert events.percent == Decimal("11.1")
    assert stipends.spent == Decimal("0.30")  # never 0.30000000000000004
    assert stipends.remaining == Decimal("7999.70")
    assert total.planned == Decimal("20000.00")
    assert total.spent == Decimal("1334.96")
    assert total.remaining == Decimal("18665.04")
    assert total.percent == Decimal("6.7")


def test_a_line_spent_beyond_its_plan_is_over_with_a_negative_remainder():
    row = BudgetRow(label="Events", planned=Decimal("100.00"), spent=Decimal("150.00"))

    assert row.is_over and row.remaining == Decimal("-50.00") and row.percent == Decimal("150.0")


def test_a_line_with_nothing_planned_has_no_percentage():
    assert BudgetRow(label="x", planned=Decimal("0"), spent=Decimal("10")).percent is None


def test_nothing_spent_yet_is_zero_not_missing(initiative_a):
    rows, total = budget_vs_actual(initiative_a)

    assert [r.spent for r in rows] == [Decimal("0"), Decimal("0")]
    assert total.percent == Decimal("0.0")


def test_the_latest_metric_value_is_the_latest_month_not_the_latest_posted(initiative_a):
    post_update(initiative_a, FEB, value="30")
    post_update(initiative_a, JAN, value="26")  # posted late

    (row,) = metric_progress(initiative_a)

    assert row.latest == Decimal("30") and row.latest_month == FEB
    assert not row.reached_target


def test_a_metric_aiming_down_reaches_its_target_going_below_it(initiative_a):
    metric = SuccessMetric.objects.create(
        application=initiative_a, name="Mentee drop-out (%)", baseline=40, target=20, position=5
    )
    post_update(initiative_a, JAN, value="18")

    rows = metric_progress(initiative_a)

    assert next(r for r in rows if r.metric == metric).reached_target


# --- The cohort's list -------------------------------------------------------------------------


def test_the_cohort_sees_every_initiatives_summary_and_status(
    login, member_b, initiative_a, initiative_b
):
    post_update(initiative_a, FEB, spent=("4321.00",), what="Secret progress notes.")

    response = login(member_b).get(list_url(initiative_a.lab))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Out in Tech Chicago" in page and "Engineers as mentors, through employers." in page
    assert "Latinas lead" in page
    assert "On track" in page  # org A posted February
    assert "February update due" in page  # org B didn't


def test_the_cohort_list_shows_no_budget_spending_or_updates(
    login, member_b, initiative_a, initiative_b
):
    post_update(initiative_a, FEB, spent=("4321.00",), what="Secret progress notes.")

    page = login(member_b).get(list_url(initiative_a.lab)).content.decode()

    for private in ("12,000", "4,321", "4321", "Secret progress notes", "20,000"):
        assert private not in page
    # Org B opens its own initiative from the list, not org A's.
    assert initiative_url(initiative_b) in page
    assert initiative_url(initiative_a) not in page


def test_the_list_leaves_out_applications_not_approved(login, member_a, phase2_lab, org_b):
    fund(phase2_lab, org_b, approved=False, submitted=True, title="Still under review")

    page = login(member_a).get(list_url(phase2_lab)).content.decode()

    assert "Still under review" not in page


def test_an_accepted_deliverable_shows_in_the_status(login, member_b, initiative_a):
    complete_deliverable(initiative_a, status="accepted")

    page = login(member_b).get(list_url(initiative_a.lab)).content.decode()

    assert "Deliverable accepted" in page


@pytest.mark.parametrize("who", ["facilitator", "admin_user", "member_a"])
def test_facilitators_admins_and_members_open_the_list(request, login, who, initiative_a):
    response = login(request.getfixturevalue(who)).get(list_url(initiative_a.lab))

    assert response.status_code == 200
    assert initiative_url(initiative_a) in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "facilitator2"])
def test_people_outside_the_lab_get_404_on_the_list(request, login, who, initiative_a):
    assert login(request.getfixturevalue(who)).get(list_url(initiative_a.lab)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, initiative_a):
    response = client.get(list_url(initiative_a.lab))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_takes_the_same_queries_for_3_or_12_initiatives(
    login, facilitator, phase2_lab, django_assert_max_num_queries
):
    client = login(facilitator)
    for size in (3, 12):
        for n in range(phase2_lab.awards.count(), size):
            application = another_initiative(phase2_lab, n)
            post_update(application, JAN)
            complete_deliverable(application)
        with django_assert_max_num_queries(8):
            response = client.get(list_url(phase2_lab))
        assert response.content.decode().count('class="card mb-3"') == size


# --- One initiative ---------------------------------------------------------------------------


def test_the_organization_sees_award_budget_metrics_months_and_deliverable(
    login, member_a, initiative_a
):
    Disbursement.objects.create(
        award=initiative_a.award, planned_on=dt.date(2027, 1, 10), amount=Decimal("10000")
    )
    post_update(initiative_a, JAN, value="29", spent=("1500.00",))

    response = login(member_a).get(initiative_url(initiative_a))

    page = response.content.decode()
    assert response.status_code == 200
    assert "20,000.00" in page  # the award and the budget's total
    assert "10,000.00" in page  # the disbursement
    assert "1,500.00" in page and "10,500.00" in page and "12.5%" in page  # events line
    assert "29" in page and "January 2027" in page
    assert "Missing" in page  # February
    assert "Friday, December 31, 2027" in page  # the deliverable's due date
    assert "Post the update for February 2027" in page


def test_facilitators_see_the_initiative_but_are_not_asked_to_post(
    login, facilitator, initiative_a
):
    response = login(facilitator).get(initiative_url(initiative_a))

    assert response.status_code == 200
    assert "Post the update" not in response.content.decode()


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
def test_the_initiative_page_is_404_for_peers_outsiders_and_other_labs(
    request, login, who, initiative_a
):
    response = login(request.getfixturevalue(who)).get(initiative_url(initiative_a))

    assert response.status_code == 404


def test_an_application_not_approved_has_no_initiative_page(login, member_a, phase2_lab, org_a):
    draft = fund(phase2_lab, org_a, approved=False)

    assert login(member_a).get(initiative_url(draft)).status_code == 404


def test_an_initiative_of_another_lab_is_404_under_this_labs_address(
    login, facilitator, initiative_a, lab2, org_c
):
    other = fund(lab2, org_c)
    url = reverse("funding:initiative", args=[initiative_a.lab.slug, other.pk])

    assert login(facilitator).get(url).status_code == 404


def test_the_initiative_page_takes_the_same_queries_with_2_or_12_updates(
    login, member_a, initiative_a, django_assert_max_num_queries
):
    client = login(member_a)
    post_update(initiative_a, JAN, spent=("10", "20"))
    post_update(initiative_a, FEB, spent=("10", "20"))
    with django_assert_max_num_queries(14) as small:
        client.get(initiative_url(initiative_a))
    months = phase2_months(initiative_a.lab)
    for month in months[2:]:
        post_update(initiative_a, month, spent=("10", "20"))
    Disbursement.objects.create(
        award=initiative_a.award, planned_on=dt.date(2027, 1, 10), amount=Decimal("5000")
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(initiative_url(initiative_a))
    assert response.content.decode().count("Posted ") == 12


# --- The dashboard panel ----------------------------------------------------------------------


def test_the_member_panel_names_the_update_due_and_the_deliverable(member_a, initiative_a):
    post_update(initiative_a, JAN)

    panel = initiatives_panel(lab=initiative_a.lab, user=member_a, manages=False)

    (mine,) = panel.context["mine"]
    assert mine["next_month"] == FEB and mine["overdue"]
    assert mine["deliverable"] is None
    assert panel.context["due"] == dt.date(2027, 12, 31)


def test_the_member_panel_points_to_the_month_under_way_when_all_are_in(member_a, initiative_a):
    post_update(initiative_a, JAN)
    post_update(initiative_a, FEB)

    (mine,) = initiatives_panel(lab=initiative_a.lab, user=member_a, manages=False).context["mine"]

    assert mine["next_month"] == MAR and not mine["overdue"]


def test_the_facilitator_panel_lists_missing_updates_and_deliverables_to_review(
    facilitator, initiative_a, initiative_b
):
    post_update(initiative_a, FEB)
    complete_deliverable(initiative_b, status="submitted")

    context = initiatives_panel(lab=initiative_a.lab, user=facilitator, manages=True).context

    assert context["report_month"] == FEB
    assert context["missing"] == [initiative_b]
    assert context["awaiting_review"] == [initiative_b]


def test_there_is_no_panel_for_someone_without_an_initiative(member_b, initiative_a):
    assert initiatives_panel(lab=initiative_a.lab, user=member_b, manages=False) is None


def test_the_panel_renders_on_the_dashboard_in_fixed_queries(
    login, facilitator, member_a, initiative_a, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    for n in range(10):
        another_initiative(initiative_a.lab, n)
    with django_assert_max_num_queries(3):
        panel = initiatives_panel(lab=initiative_a.lab, user=facilitator, manages=True)
        html = render_to_string(panel.template, {"panel": panel.context})
    assert "No update yet for February" in html
    with django_assert_max_num_queries(3):
        panel = initiatives_panel(lab=initiative_a.lab, user=member_a, manages=False)
        html = render_to_string(panel.template, {"panel": panel.context})
    assert "The update for February 2027 is due" in html
