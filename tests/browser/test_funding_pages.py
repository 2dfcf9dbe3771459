"""The application pages in Chromium: rows added by the small script, the total following
what is typed, and every funding page passing axe-core (no serious or critical issue)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from funding import services
from funding.models import AreaComment, BudgetLine
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import ApplicationFactory, FundingRoundFactory, InterventionAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text: str) -> re.Pattern:
    """A field's label exactly, allowing the asterisk crispy adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", re.IGNORECASE)


def test_a_member_adds_a_budget_line_in_the_page_and_the_total_follows(
    new_page, lab, org_a, member_a
):
    funding_round = FundingRoundFactory(lab=lab)
    application = ApplicationFactory(round=funding_round, organization=org_a)
    page = new_page()
    sign_in(page, member_a.email)

    page.goto(reverse("funding:application_edit", args=[lab.slug, application.pk]))
    assert_accessible(page)
    page.get_by_role("button", name="Add a budget line").click()
    row = page.get_by_role("group", name="New budget line").last
    row.get_by_label(label("Category")).select_option("technology")
    row.get_by_label(label("Description")).fill("Matching software")
    row.get_by_label(label("Amount")).fill("1500")
    expect(page.locator("#budget-total")).to_have_text("21,500.00")
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert_accessible(page)
    assert BudgetLine.objects.filter(application=application).count() == 3


def test_the_funding_pages_are_accessible(new_page, lab, org_a, org_b, facilitator, member_a):
    funding_round = FundingRoundFactory(lab=lab)
    area = InterventionAreaFactory(lab=lab, organization=org_a, author=member_a)
    AreaComment.objects.create(
        area=area, author=facilitator, body="Feasible.", feasibility="feasible", fits_funding=True
    )
    application = ApplicationFactory(round=funding_round, organization=org_a)
    services.application_submit(application=application, user=member_a)
    services.application_request_changes(
        application=application, user=facilitator, message="Add quotes."
    )
    application.title = "Engineers as mentors, with partners"
    application.save()
    services.application_submit(application=application, user=member_a)
    approved = ApplicationFactory(round=funding_round, organization=org_b, approved=True)
    slug = lab.slug
    page = new_page()
    sign_in(page, facilitator.email)

    for address in [
        reverse("funding:overview", args=[slug]),
        reverse("funding:round_edit", args=[slug]),
        reverse("funding:areas", args=[slug]),
        reverse("funding:area", args=[slug, area.pk]),
        reverse("funding:application", args=[slug, application.pk]),
        reverse("funding:version", args=[slug, application.pk, 2]),
        reverse("funding:review", args=[slug, application.pk]),
        reverse("funding:decide", args=[slug, application.pk]),
        reverse("funding:application", args=[slug, approved.pk]),
        reverse("labs:detail", args=[slug]),
    ]:
        page.goto(address)
        assert_accessible(page)

    phone = new_page(viewport={"width": 375, "height": 740})
    sign_in(phone, member_a.email)
    for address in [
        reverse("funding:area_create", args=[slug]),
        reverse("funding:application", args=[slug, application.pk]),
    ]:
        phone.goto(address)
        assert_accessible(phone)
