"""One organization's impact page: private to it, its lab's facilitators and admins; the
initiative, the deliverable and the check-ins side by side; a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FinalMetric
from tests.factories import DeliverableFactory, MembershipFactory
from tests.impact.conftest import add_labs, checkin

pytestmark = pytest.mark.django_db


def page(participation):
    return reverse("impact:organization", args=[participation.lab.slug, participation.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member_a", 200),
        ("facilitator", 200),
        ("admin_user", 200),
        ("member_b", 404),  # another organization in the same lab
        ("facilitator2", 404),  # another lab's facilitator
        ("outsider", 404),
    ],
)
def test_only_the_organization_its_facilitators_and_admins_may_open_it(
    request, login, dataset, member_b, who, status
):
    user = request.getfixturevalue(who)
    assert login(user).get(page(dataset["pa"])).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, dataset):
    response = client.get(page(dataset["pa"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_participation_is_only_reached_through_its_own_lab(login, admin_user, dataset, lab2):
    url = reverse("impact:organization", args=[lab2.slug, dataset["pa"].pk])
    assert login(admin_user).get(url).status_code == 404


def test_it_shows_the_initiative_with_its_budget_against_spending(login, member_a, dataset):
    html = login(member_a).get(page(dataset["pa"])).content.decode()
    assert "Engineers as mentors" in html
    assert "20,000.00 USD" in html  # the award
    assert "10,000.00 USD" in html  # paid so far
    assert "Recruiting events" in html and "12,000.00" in html and "3,000.00" in html
    assert "4,000.00 USD (20.0% of the budget)" in html
    assert 'id="chart-budget-title"' in html


def test_it_shows_the_deliverable_with_final_metrics_against_targets(login, facilitator, dataset):
    deliverable = DeliverableFactory(application=dataset["app_a"], status="accepted")
    FinalMetric.objects.create(
        deliverable=deliverable, metric=dataset["app_a"].metrics.get(), final_value=Decimal("33")
    )
    html = login(facilitator).get(page(dataset["pa"])).content.decode()
    assert "Accepted" in html
    assert "Twelve new mentors with engineering backgrounds." in html
    assert "+32.0%" in html  # 25 → 33
    assert "80.0%" in html  # of the way from 25 to the target of 35


def test_it_sets_the_check_ins_side_by_side(login, member_a, dataset):
    response = login(member_a).get(page(dataset["pa"]))
    html = response.content.decode()
    assert [c["checkin"].months for c in response.context["columns"]] == [6, 12, 18]
    assert [c["state"] for c in response.context["columns"]] == [
        "Submitted",
        "Overdue",
        "Upcoming",
    ]
    mentors = next(r for r in response.context["metric_rows"] if r.name == "Active mentors")
    assert mentors.baseline == 25
    assert mentors.cells[0] == (Decimal("35"), Decimal("40.0"))
    assert mentors.cells[1] is None
    engineering = next(r for r in response.context["metric_rows"] if r.kind == "initiative")
    assert (engineering.baseline, engineering.target) == (Decimal("25"), Decimal("35"))
    assert '35 <span class="small text-muted">(+40.0%)</span>' in html
    assert "6,000.00" in html  # funds spent at 6 months
    assert 'id="chart-org-growth-title"' in html


def test_its_stories_say_whether_they_may_be_shared(login, member_a, dataset):
    html = login(member_a).get(page(dataset["pa"])).content.decode()
    assert "Rosa&#x27;s first job" in html and "consent to share" in html
    assert "A private story" in html and "not for sharing" in html


def test_an_organization_without_an_application_or_check_ins_gets_a_plain_page(
    login, facilitator, lab
):
    from tests.factories import OrganizationFactory, ParticipationFactory

    p = ParticipationFactory(lab=lab, organization=OrganizationFactory(name="New Org"))
    html = login(facilitator).get(page(p)).content.decode()
    assert "No funding application in this lab." in html
    assert "No check-ins planned yet" in html


# Session, user, lab, participation, "facilitates?", application, budget, metrics, paid,
# check-ins, values, stories, nav memberships.
ORG_PAGE_QUERIES = 13


def test_it_runs_a_fixed_number_of_queries_at_2_and_12_labs(
    login, facilitator, dataset, django_assert_max_num_queries
):
    client = login(facilitator)
    pa = dataset["pa"]
    url = page(pa)
    add_labs(2, facilitator)
    with django_assert_max_num_queries(ORG_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for months in (24, 30, 36, 42, 48):
        c = checkin(
            pa,
            months,
            dt.date(2030, 2, 1),
            submitted_on=dt.date(2030, 2, 1),
            funds_spent="100",
            values=[("active_mentors", "40")],
        )
        c.stories.create(title="Another", body="A story.")
    for _ in range(5):
        MembershipFactory(organization=pa.organization)
    add_labs(10, facilitator)
    with django_assert_max_num_queries(ORG_PAGE_QUERIES):
        assert client.get(url).status_code == 200


# --- The way in from the lab dashboard ---------------------------------------------------


def test_the_dashboard_link_takes_facilitators_to_the_labs_report(login, facilitator, lab):
    response = login(facilitator).get(reverse("impact:mine", args=[lab.slug]))
    assert response.status_code == 302
    assert response.url == f"{reverse('impact:report')}?lab={lab.slug}"


def test_the_dashboard_link_takes_members_to_their_own_page(login, member_a, dataset, lab):
    response = login(member_a).get(reverse("impact:mine", args=[lab.slug]))
    assert response.url == page(dataset["pa"])


def test_the_dashboard_link_is_404_for_outsiders(login, outsider, lab):
    assert login(outsider).get(reverse("impact:mine", args=[lab.slug])).status_code == 404


def test_the_lab_dashboard_offers_the_report_to_facilitators(login, facilitator, lab):
    html = login(facilitator).get(reverse("labs:detail", args=[lab.slug])).content.decode()
    assert reverse("impact:mine", args=[lab.slug]) in html
    assert "This lab’s impact report" in html


def test_members_see_the_panel_once_the_initiatives_start(login, member_a, lab):
    url = reverse("labs:detail", args=[lab.slug])
    assert "Your organization’s impact" not in login(member_a).get(url).content.decode()
    lab.start_date = dt.date(2029, 1, 1)  # Phase 2 started in July 2029
    lab.save()
    assert "Your organization’s impact" in login(member_a).get(url).content.decode()


def test_the_dashboard_panel_adds_no_query(lab, facilitator, member_a, django_assert_num_queries):
    from impact.panels import impact_panel

    for user, manages in ((facilitator, True), (member_a, False)):
        with django_assert_num_queries(0):
            impact_panel(lab=lab, user=user, manages=manages)
