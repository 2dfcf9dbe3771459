"""The impact report: who may read it, the figures on a hand-built dataset, small groups,
filters, the print stylesheet and a flat query count."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from impact.tables import FEWER_THAN_5
from participants.models import Participation
from tests.factories import (
    LabFactory,
    OrganizationFactory,
    ParticipationFactory,
)
from tests.impact.conftest import add_labs, checkin

pytestmark = pytest.mark.django_db

REPORT = reverse("impact:report")


def get_report(client, **params):
    response = client.get(REPORT, params)
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


def rows_by_header(table):
    return {str(row[0]): row for row in table.rows}


# --- Who may read it ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["impact:report", "impact:export_csv", "impact:export_xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["impact:report", "impact:export_csv", "impact:export_xlsx"])
@pytest.mark.parametrize("who", ["member_a", "outsider"])
def test_participants_and_outsiders_have_no_report(request, login, dataset, name, who):
    assert login(request.getfixturevalue(who)).get(reverse(name)).status_code == 404


def test_admins_see_every_lab(login, admin_user, dataset, lab, lab2):
    report, html = get_report(login(admin_user))
    assert {lab.pk, lab2.pk} == {lab.pk for lab in report.labs}
    assert "Chicago MLL" in html and "Detroit MLL" in html
    assert "Motor City Mentors" in html  # org C is overdue: it is in "who is late"


def test_facilitators_see_only_their_own_labs(login, facilitator, dataset, lab):
    report, html = get_report(login(facilitator))
    assert [lab.pk] == [lab.pk for lab in report.labs]
    assert "Detroit MLL" not in html
    assert "Motor City Mentors" not in html
    assert "detroit-mll" not in html  # not even among the filter's options


def test_a_facilitator_filtering_by_another_labs_slug_gets_404(login, facilitator, dataset, lab2):
    client = login(facilitator)
    for name in ("impact:report", "impact:export_csv", "impact:export_xlsx"):
        assert client.get(reverse(name), {"lab": lab2.slug}).status_code == 404
        assert client.get(reverse(name), {"lab": "no-such-lab"}).status_code == 404


def test_a_facilitator_of_two_labs_sees_both(login, facilitator, lab, dataset):
    other = LabFactory(name="Milwaukee MLL", facilitators=[facilitator])
    report, _ = get_report(login(facilitator))
    assert {lab.pk, other.pk} == {lab.pk for lab in report.labs}
    assert report.small_groups


def test_an_admin_without_labs_gets_an_empty_report(login, admin_user):
    report, html = get_report(login(admin_user))
    assert report.labs == []
    assert "No labs match these filters." in html


# --- The figures ------------------------------------------------------------------------


def test_funds_add_up_awards_paid_tranches_and_reported_spending(login, facilitator, dataset):
    report, html = get_report(login(facilitator))
    funds = report.section("funds").tables[0]
    (row,) = funds.rows
    assert row[1:] == [
        "USD",
        Decimal("90000.00"),
        Decimal("35000.00"),
        2,
        Decimal("15000.00"),  # paid tranches only; the planned ones wait
        Decimal("6500.00"),  # 3,000 + 1,000 + 2,500 from the progress updates
        Decimal("8000.00"),  # the latest check-ins: 6,000 (A) + 2,000 (B)
    ]
    assert funds.footer == [["All labs in USD", *row[1:]]]
    assert "35,000.00" in html


def test_funds_are_never_added_across_currencies(login, admin_user, dataset, lab2):
    lab2.currency = "CAD"
    lab2.save()
    report, _ = get_report(login(admin_user))
    footer = {row[1]: row for row in report.section("funds").tables[0].footer}
    assert footer["USD"][3] == Decimal("35000.00")
    assert footer["CAD"][3] == Decimal("5000.00")


def test_completion_counts_only_due_checkins_with_one_late_and_one_overdue(
    login, facilitator, dataset
):
    report, _ = get_report(login(facilitator))
    completion, late = report.section("completion").tables
    rows = rows_by_header(completion)
    # Check-in, due so far, submitted, on time, late, overdue now, completion %.
    assert rows["6 months"][1:] == [2, 2, 1, 1, 0, Decimal("100.0")]
    assert rows["12 months"][1:] == [1, 0, 0, 0, 1, Decimal("0.0")]
    assert rows["18 months"][1:] == [0, 0, 0, 0, 0, None]  # not due yet: not counted
    assert completion.footer[0][1:] == [3, 2, 1, 1, 1, Decimal("66.7")]
    who = [[str(cell) for cell in row] for row in late.rows]
    assert who == [
        ["Out in Tech Chicago", "Chicago MLL", "12", "2030-02-15", "Overdue", "14"],
        ["Latinas Building Tech", "Chicago MLL", "6", "2030-02-01", "Submitted late", "9"],
    ]


def test_a_withdrawn_organizations_checkins_are_not_counted(login, facilitator, dataset):
    Participation.objects.filter(pk=dataset["pa"].pk).update(status="withdrawn")
    report, _ = get_report(login(facilitator))
    rows = rows_by_header(report.section("completion").tables[0])
    assert rows["12 months"][1] == 0


def test_late_organizations_link_to_their_impact_page(login, facilitator, dataset, lab):
    _, html = get_report(login(facilitator))
    url = reverse("impact:organization", args=[lab.slug, dataset["pa"].pk])
    assert f'href="{url}"' in html


def test_growth_from_baseline_is_in_percent(login, facilitator, dataset):
    report, html = get_report(login(facilitator))
    standard, initiative = report.section("trajectories").tables
    mentors = [r for r in standard.rows if r[0] == "Active mentors"]
    # Metric, check-in, organizations reporting, baseline, value, growth.
    assert mentors[0] == ["Active mentors", "6 months", 1, 25, Decimal("35"), Decimal("40.0")]
    assert mentors[1] == ["Active mentors", "12 months", 0, None, None, None]
    assert "+40.0%" in html


def test_initiative_metrics_add_up_organizations_that_reported_both(login, facilitator, dataset):
    report, _ = get_report(login(facilitator))
    initiative = report.section("trajectories").tables[1]
    six = next(r for r in initiative.rows if r[2] == "6 months")
    # Both orgs: baseline 25 + 25, value 35 + 30, target 35 + 35 → +30%.
    assert six == [
        "Mentors with engineering backgrounds",
        "mentors",
        "6 months",
        2,
        Decimal("50"),
        Decimal("65"),
        Decimal("70"),
        Decimal("30.0"),
    ]


def test_an_organization_without_a_baseline_is_left_out_of_the_growth(
    login, facilitator, dataset, lab
):
    org = OrganizationFactory(name="No Baseline Org")
    p = ParticipationFactory(lab=lab, organization=org)  # baseline never recorded
    checkin(
        p,
        6,
        dt.date(2030, 2, 1),
        submitted_on=dt.date(2030, 2, 1),
        values=[("active_mentors", "500")],
    )
    report, html = get_report(login(facilitator))
    mentors = next(r for r in report.section("trajectories").tables[0].rows if r[1] == "6 months")
    assert mentors[2:] == [1, 25, Decimal("35"), Decimal("40.0")]
    assert "reported both a baseline and a value" in html


def test_drafts_values_do_not_count(login, facilitator, dataset):
    draft = dataset["pa"].checkins.get(months=12)
    draft.values.create(standard="active_mentors", value=Decimal("99"))
    report, _ = get_report(login(facilitator))
    rows = report.section("trajectories").tables[0].rows
    twelve = next(r for r in rows if r[0] == "Active mentors" and r[1] == "12 months")
    assert twelve[2] == 0


def test_success_signs_per_lab(login, facilitator, dataset):
    report, _ = get_report(login(facilitator))
    (row,) = report.section("success").tables[0].rows
    # Cohort, attendance %, present, recorded, in person %, remote %, focus groups, 1:1s.
    assert row[1:] == [2, Decimal("66.7"), 2, 3, Decimal("50.0"), Decimal("50.0"), 1, 1]


# --- Small groups -------------------------------------------------------------------------


def test_a_cross_lab_report_shows_small_counts_of_people_as_fewer_than_5(
    login, admin_user, dataset, lab
):
    report, html = get_report(login(admin_user))
    assert report.small_groups
    rows = {str(r[0]): r for r in report.section("success").tables[0].rows}
    chicago = rows["Chicago MLL"]
    assert chicago[1] == 2  # organizations are not people
    assert chicago[2:7] == [FEWER_THAN_5] * 5
    hired = next(
        r
        for r in report.section("trajectories").tables[0].rows
        if r[0] == "Mentees who found a job" and r[1] == "6 months"
    )
    assert hired[4] is FEWER_THAN_5
    assert "fewer than 5" in html
    assert "How small groups are protected" in html


def test_a_single_lab_report_shows_exact_counts(login, admin_user, dataset, lab):
    report, _ = get_report(login(admin_user), lab=lab.slug)
    assert not report.small_groups
    hired = next(
        r
        for r in report.section("trajectories").tables[0].rows
        if r[0] == "Mentees who found a job" and r[1] == "6 months"
    )
    assert hired[4] == Decimal("3")


# --- Filters ------------------------------------------------------------------------------


def test_filtering_by_year_keeps_the_labs_that_started_then(login, admin_user, dataset, lab2):
    lab2.start_date = dt.date(2027, 9, 1)
    lab2.save()
    report, html = get_report(login(admin_user), year="2027")
    assert [lab.pk for lab in report.labs] == [lab2.pk]
    assert '<option value="2030">2030</option>' in html


def test_an_unknown_year_is_explained_beside_the_field(login, admin_user, dataset):
    report, html = get_report(login(admin_user), year="1999")
    assert "No lab you can see started in that year" in html
    assert len(report.labs) == 2  # the rest of the report still shows


def test_filtering_by_client_group_keeps_its_organizations(login, facilitator, dataset):
    report, _ = get_report(login(facilitator), client_group="latina-women")
    (funds,) = report.section("funds").tables[0].rows
    assert funds[3] == Decimal("15000.00")  # org B's award only
    assert funds[2] == Decimal("90000.00")  # the pool stays the lab's
    late = report.section("completion").tables[1].rows
    assert [str(r[0]) for r in late] == ["Latinas Building Tech"]
    assert report.section("success").tables[0].rows[0][1] == 1


def test_filtering_by_lab_narrows_an_admins_report(login, admin_user, dataset, lab2):
    report, _ = get_report(login(admin_user), lab=lab2.slug)
    assert [lab.pk for lab in report.labs] == [lab2.pk]
    assert report.section("funds").tables[0].rows[0][3] == Decimal("5000.00")


# --- The page -----------------------------------------------------------------------------


def test_charts_are_inline_svg_images_with_a_title_and_a_description(login, admin_user, dataset):
    _, html = get_report(login(admin_user))
    assert html.count('<svg class="impact-chart"') == 4
    assert html.count('role="img"') == 4
    assert '<title id="chart-funds-title">' in html and '<desc id="chart-funds-desc">' in html
    assert "cdn" not in html.lower()
    assert '<th scope="col">Lab</th>' in html and '<th scope="row"' in html


def test_the_print_stylesheet_is_linked_and_hides_the_controls(login, admin_user):
    _, html = get_report(login(admin_user))
    assert '<link rel="stylesheet" href="/static/impact/impact.css">' in html
    css = Path(finders.find("impact/impact.css")).read_text()
    assert "@media print" in css
    for selector in (".impact-filters", "nav", ".btn", "break-before: page"):
        assert selector in css


def test_exports_keep_the_filters(login, admin_user, dataset, lab):
    _, html = get_report(login(admin_user), lab=lab.slug)
    assert f"{reverse('impact:export_csv')}?lab={lab.slug}" in html
    assert f"{reverse('impact:export_xlsx')}?lab={lab.slug}" in html


# --- Queries ------------------------------------------------------------------------------


REPORT_QUERIES = 13  # session, user, labs, client groups, eight report queries, nav


@pytest.mark.parametrize("name", ["impact:report", "impact:export_csv", "impact:export_xlsx"])
def test_the_report_and_exports_run_a_fixed_number_of_queries(
    login, admin_user, django_assert_max_num_queries, name
):
    client = login(admin_user)
    add_labs(2)
    with django_assert_max_num_queries(REPORT_QUERIES):
        assert client.get(reverse(name)).status_code == 200
    add_labs(10)
    with django_assert_max_num_queries(REPORT_QUERIES):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_a_facilitators_report_runs_a_fixed_number_of_queries(
    login, facilitator, lab, django_assert_max_num_queries
):
    client = login(facilitator)
    add_labs(2, facilitator)
    with django_assert_max_num_queries(REPORT_QUERIES):
        client.get(REPORT, {"client_group": "women-in-tech"})
    add_labs(10, facilitator)
    with django_assert_max_num_queries(REPORT_QUERIES):
        response = client.get(REPORT, {"client_group": "women-in-tech"})
    assert len(response.context["report"].labs) == 13
