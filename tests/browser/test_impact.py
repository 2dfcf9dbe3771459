"""The report and an organization's page in Chromium: axe finds nothing serious, the charts
draw, and printing hides the controls."""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.impact import conftest as impact

# The impact tests' dataset, on the same frozen day they are built for.
_frozen_time = impact._frozen_time
dataset = impact.dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_reads_the_report_on_screen_and_in_print(new_page, admin_user, dataset):
    page = new_page()
    sign_in(page, admin_user.email)
    page.goto(reverse("impact:report"))
    assert_accessible(page)
    screenshot(page, "impact-report")
    assert page.locator("svg.impact-chart[role=img]").count() == 4
    assert page.get_by_role("img", name="Check-in completion by milestone").is_visible()

    page.get_by_label("Lab", exact=True).select_option(label="Chicago MLL")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/impact/?lab=chicago-mll*")
    assert_accessible(page)
    assert "Detroit MLL" not in page.locator("#table-funds").inner_text()

    page.emulate_media(media="print")
    assert not page.locator("form.impact-filters").is_visible()
    assert not page.get_by_role("link", name="Download CSV").is_visible()
    assert page.locator("#table-funds").is_visible()
    screenshot(page, "impact-report-print")


def test_an_organizations_impact_page_is_accessible(new_page, member_a, dataset, lab):
    page = new_page(viewport={"width": 390, "height": 844})  # a phone
    sign_in(page, member_a.email)
    page.goto(reverse("impact:organization", args=[lab.slug, dataset["pa"].pk]))
    assert_accessible(page)
    screenshot(page, "impact-organization")
    assert page.get_by_role("heading", name="Check-ins side by side").is_visible()
