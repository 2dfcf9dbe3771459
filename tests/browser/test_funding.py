"""Issue 4 in a real browser, from draft to award to progress update to accepted deliverable
(in two tests, each under the time a test may take):
an organization's member drafts a funding application (rows added in the page), saves, comes
back to find everything kept, and submits; the facilitator scores the rubric, approves with an
award and plans a tranche; the member posts a monthly update with metric values and spending,
the facilitator replies; the member submits the final deliverable with a PDF, the facilitator
accepts it and puts it on the public showcase, where an anonymous visitor reads it. axe-core
checks every page visited."""

import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from playwright.sync_api import Page, expect

from funding.models import (
    Application,
    ApplicationStatus,
    Deliverable,
    DeliverableStatus,
    Disbursement,
    ProgressUpdate,
    Review,
    SuccessMetric,
)
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import ApplicationFactory, FundingRoundFactory, InterventionAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def label(text: str) -> re.Pattern:
    """A field's label exactly, allowing the asterisk crispy adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", re.IGNORECASE)


def button(page, name: str | re.Pattern):
    """A button by its whole accessible name (or a pattern), ignoring case."""
    if isinstance(name, str):
        name = re.compile(rf"^\s*{re.escape(name)}\s*$", re.IGNORECASE)
    return page.get_by_role("button", name=name)


def open_lab(page: Page, lab) -> None:
    """From the page after signing in to the lab's dashboard."""
    page.get_by_role("main").get_by_role("link", name=lab.name).click()
    expect(page.get_by_role("heading", level=1, name=lab.name)).to_be_visible()
    assert_accessible(page)


def phase2_began_last_month(lab) -> None:
    """Phase 1 started seven months ago and lasted six: Phase 2 is under way."""
    lab.start_date = lab.today() - relativedelta(months=7)
    lab.phase1_months = 6
    lab.save()


def test_a_member_drafts_and_submits_and_the_facilitator_scores_and_approves_with_an_award(
    new_page, mailoutbox, lab, org_a, member_a, facilitator
):
    phase2_began_last_month(lab)
    FundingRoundFactory(lab=lab)  # opened a week ago, closes in three weeks
    area = InterventionAreaFactory(
        lab=lab, organization=org_a, author=member_a, title="Engineers as mentors"
    )

    # --- The member drafts the application ----------------------------------------------
    ana = new_page()
    sign_in(ana, member_a.email)
    open_lab(ana, lab)
    ana.get_by_role("region", name="Funding", exact=True).get_by_role(
        "link", name="Funding round"
    ).click()
    expect(ana.get_by_role("heading", name="Funding round")).to_be_visible()
    assert_accessible(ana)
    button(ana, re.compile(r"^\s*Start an application")).click()
    expect(ana.get_by_text("Your draft is started. Save as often as you like.")).to_be_visible()
    expect(ana.get_by_role("heading", level=1, name=f"{org_a.name}'s application")).to_be_visible()
    assert_accessible(ana)
    application = Application.objects.get(round__lab=lab, organization=org_a)

    ana.get_by_label(label("Title")).fill("Engineers as mentors, with partner employers")
    ana.get_by_label(label("Intervention area it grows from")).select_option(label=area.title)
    ana.get_by_label(label("The problem")).fill("Mentees want technical mentors; we have few.")
    ana.get_by_label(label("The proposed initiative")).fill("A drive with three employers.")
    ana.get_by_label(label("Who it serves")).fill("LGBTQIA+ early-career technologists.")
    ana.get_by_label(label("Expected outcomes")).fill("Ten more engineer mentors.")
    ana.get_by_label(label("Public summary")).fill("Recruiting engineers as mentors.")
    # The plan stays blank for now: a draft saves with blanks.

    metric = ana.get_by_role("group", name="Success metric 1")
    metric.get_by_label(label("Measure")).fill("Mentors with engineering backgrounds")
    metric.get_by_label(label("Unit")).fill("mentors")
    metric.get_by_label(label("Baseline")).fill("25")
    metric.get_by_label(label("Target")).fill("35")
    button(ana, "Add a metric").click()
    metric = ana.get_by_role("group", name="New success metric")
    expect(metric.get_by_label(label("Measure"))).to_be_focused()
    metric.get_by_label(label("Measure")).fill("Mentees matched with an engineer")
    metric.get_by_label(label("Unit")).fill("mentees")
    metric.get_by_label(label("Baseline")).fill("10")
    metric.get_by_label(label("Target")).fill("40")

    line = ana.get_by_role("group", name="Budget line 1")
    line.get_by_label(label("Category")).select_option(label="Events and venues")
    line.get_by_label(label("Description")).fill("Recruiting events")
    line.get_by_label(label("Amount")).fill("12000")
    expect(ana.locator("#budget-total")).to_have_text("12,000.00")
    button(ana, "Add a budget line").click()
    line = ana.get_by_role("group", name="New budget line")
    line.get_by_label(label("Category")).select_option(label="Stipends and honoraria")
    line.get_by_label(label("Description")).fill("Mentor stipends")
    line.get_by_label(label("Amount")).fill("8000")
    expect(ana.locator("#budget-total")).to_have_text("20,000.00")
    assert_accessible(ana)
    button(ana, "Save draft").click()
    expect(ana.get_by_text("Draft saved.")).to_be_visible()
    assert_accessible(ana)

    # --- She comes back: nothing lost ---------------------------------------------------
    ana.get_by_role("link", name="the application page").click()
    expect(
        ana.get_by_role("heading", level=1, name="Engineers as mentors, with partner employers")
    ).to_be_visible()
    expect(ana.locator("#missing")).to_have_text(re.compile(r"^\s*a month-by-month plan\s*$"))
    assert_accessible(ana)
    ana.get_by_role("link", name="Edit", exact=True).click()
    expect(ana.get_by_label(label("Title"))).to_have_value(
        "Engineers as mentors, with partner employers"
    )
    expect(ana.get_by_label(label("Intervention area it grows from"))).to_have_value(str(area.pk))
    expect(ana.get_by_label(label("Who it serves"))).to_have_value(
        "LGBTQIA+ early-career technologists."
    )
    second = ana.get_by_role("group", name="Success metric 2")
    expect(second.get_by_label(label("Measure"))).to_have_value("Mentees matched with an engineer")
    expect(second.get_by_label(label("Target"))).to_have_value(re.compile(r"^40(\.0+)?$"))
    expect(
        ana.get_by_role("group", name="Budget line 2").get_by_label(label("Description"))
    ).to_have_value("Mentor stipends")
    expect(ana.locator("#budget-total")).to_have_text("20,000.00")
    assert_accessible(ana)
    ana.get_by_label(label("Month-by-month plan")).fill(
        "Month 1: partners. Months 2-6: recruiting. Months 7-12: matching."
    )
    button(ana, "Save and view").click()
    expect(ana.get_by_text("Draft saved.")).to_be_visible()
    expect(ana.locator("#missing")).to_have_count(0)
    budget = ana.get_by_role("region", name="Budget", exact=True)
    expect(budget.get_by_role("row", name=re.compile("Mentor stipends"))).to_contain_text("8,000")
    assert_accessible(ana)
    button(ana, "Submit the application").click()
    expect(ana.get_by_text("Submitted as version 1.")).to_be_visible()
    expect(ana.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert_accessible(ana)
    screenshot(ana, "funding-submitted")
    assert [m.to for m in mailoutbox] == [[facilitator.email]]

    # --- The facilitator scores the rubric and approves with an award -------------------
    fran = new_page()
    sign_in(fran, facilitator.email)
    open_lab(fran, lab)
    fran.get_by_role("region", name="Funding", exact=True).get_by_role(
        "link", name=re.compile(f"^{org_a.name}: Engineers as mentors")
    ).click()
    expect(fran.get_by_role("region", name=re.compile("Reviews"))).to_contain_text(
        "No reviews yet."
    )
    assert_accessible(fran)
    fran.get_by_role("link", name="Score version 1").click()
    expect(fran.get_by_role("heading", level=1, name="Review of version 1")).to_be_visible()
    assert_accessible(fran)
    for criterion, score in [
        ("Feasibility", "4"),
        ("Alignment with the lab's goals", "5"),
        ("Expected impact", "4"),
        ("Budget realism", "3"),
    ]:
        group = fran.get_by_role("group", name=criterion)
        group.get_by_label(re.compile(r"^\s*Score")).select_option(score)
        group.get_by_label(label("Note")).fill(f"{criterion}: convincing.")
    fran.get_by_label(label("Overall comment")).fill("Strong; the stipends look low.")
    button(fran, "Save the review").click()
    expect(fran.get_by_text("Your review of version 1 is saved.")).to_be_visible()
    review = fran.get_by_role("article", name=re.compile("Review by Fran Facilitator"))
    expect(review.get_by_role("row", name=re.compile("Budget realism"))).to_contain_text("3 / ")
    expect(review).to_contain_text("Strong; the stipends look low.")
    assert_accessible(fran)
    assert Review.objects.get(application=application).scores.count() == 4

    decision = fran.get_by_role("region", name="Decision")
    decision.get_by_label("Approve with an award").check()
    decision.get_by_label(re.compile(r"^\s*Award \(USD\)")).fill("18000")
    decision.get_by_label(label("Message to the organization")).fill(
        "Approved at 18,000: start with two employers."
    )
    button(decision, "Record the decision").click()
    expect(fran.get_by_text("Approved with an award of 18,000.00 USD.")).to_be_visible()
    assert_accessible(fran)

    tranches = fran.get_by_role("region", name="Award and disbursements")
    expect(tranches).to_contain_text("18,000.00")
    planned_on = lab.today() + relativedelta(days=14)
    tranches.get_by_label(label("Planned date")).fill(planned_on.isoformat())
    tranches.get_by_label(re.compile(r"^\s*Amount")).fill("9000")
    button(tranches, "Add tranche").click()
    expect(
        fran.get_by_text(f"Planned 9,000.00 USD for {planned_on:%B} {planned_on.day}")
    ).to_be_visible()
    tranches = fran.get_by_role("region", name="Award and disbursements")
    expect(
        tranches.get_by_role("row", name=re.compile(f"{planned_on:%b} {planned_on.day}"))
    ).to_contain_text("Planned")
    assert_accessible(fran)
    screenshot(fran, "funding-approved")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.award.amount == Decimal("18000.00")
    assert Disbursement.objects.get(award=application.award).amount == Decimal("9000.00")
    decision_mail = [m for m in mailoutbox if m.to == [member_a.email]]
    assert len(decision_mail) == 1
    assert "Approved at 18,000: start with two employers." in decision_mail[0].body

    # The member reads the decision and finds the initiative on the lab's dashboard.
    ana.reload()
    expect(
        ana.get_by_role("status").filter(has_text="Approved: the facilitators' message")
    ).to_contain_text("start with two employers")
    expect(ana.locator("#award-figures")).to_contain_text("18,000.00")
    assert_accessible(ana)
    ana.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=lab.name).click()
    initiative = ana.get_by_role("region", name="Your initiative")
    expect(
        initiative.get_by_role(
            "link", name="Engineers as mentors, with partner employers", exact=True
        )
    ).to_be_visible()
    assert_accessible(ana)


def test_an_initiative_reports_monthly_and_its_accepted_deliverable_reaches_the_showcase(
    new_page, mailoutbox, lab, org_a, member_a, facilitator
):
    """The journey's second half: from the award to the public showcase."""
    phase2_began_last_month(lab)
    application = ApplicationFactory(
        round=FundingRoundFactory(lab=lab),
        organization=org_a,
        title="Engineers as mentors, with partner employers",
        approved=True,
        award_amount=Decimal("18000.00"),
    )
    SuccessMetric.objects.create(
        application=application,
        name="Mentees matched with an engineer",
        unit="mentees",
        baseline=Decimal("10"),
        target=Decimal("40"),
        position=2,
    )
    slug = lab.slug

    # --- The member posts the monthly update --------------------------------------------
    ana = new_page()
    sign_in(ana, member_a.email)
    open_lab(ana, lab)
    ana.get_by_role("region", name="Your initiative").get_by_role(
        "link", name="Engineers as mentors, with partner employers", exact=True
    ).click()
    expect(
        ana.get_by_role("region", name="Budget versus actual, scrollable table")
    ).to_contain_text("20,000.00")
    assert_accessible(ana)
    ana.get_by_role("link", name=re.compile(r"^Post the update for ")).click()
    expect(ana.get_by_role("heading", level=1, name="Monthly progress update")).to_be_visible()
    assert_accessible(ana)
    ana.get_by_label(label("What happened this month")).fill("Two recruiting nights; 6 signed up.")
    ana.get_by_label(label("Blockers")).fill("One employer is slow to answer.")
    ana.get_by_label(label("Mentors with engineering backgrounds (mentors)")).fill("29")
    ana.get_by_label(label("Mentees matched with an engineer (mentees)")).fill("16")
    ana.get_by_label(label("Events and venues: Recruiting events")).fill("2500")
    ana.get_by_label(label("Stipends and honoraria: Mentor stipends")).fill("600")
    button(ana, "Post the update").click()
    expect(ana.get_by_text(re.compile(r"Posted the update for \w+ \d{4}\."))).to_be_visible()
    values = ana.get_by_role("region", name="Metric values")
    expect(values.get_by_role("row", name=re.compile("Mentors with engineering"))).to_contain_text(
        "29"
    )
    spending = ana.get_by_role("region", name=re.compile("Spending this period"))
    expect(spending.get_by_role("row", name=re.compile("Recruiting events"))).to_contain_text(
        "2,500.00"
    )
    assert_accessible(ana)
    update = ProgressUpdate.objects.get(application=application)
    assert sorted(update.spending.values_list("amount", flat=True)) == [
        Decimal("600.00"),
        Decimal("2500.00"),
    ]

    # --- The facilitator replies --------------------------------------------------------
    fran = new_page()
    sign_in(fran, facilitator.email)
    fran.goto(reverse("funding:initiative", args=[slug, application.pk]))
    expect(fran.get_by_role("region", name="Monthly updates").last).to_contain_text(
        member_a.display_name
    )
    assert_accessible(fran)
    fran.get_by_role("link", name=re.compile(r"^Posted .* for ")).click()
    expect(fran.get_by_role("heading", level=1, name=re.compile(r"^Update for "))).to_be_visible()
    assert_accessible(fran)
    fran.get_by_label(label("Your reply")).fill("Great start. I can introduce you at Acme.")
    button(fran, "Post reply").click()
    expect(fran.get_by_text("Reply posted.")).to_be_visible()
    expect(fran.get_by_role("region", name="Replies")).to_contain_text("introduce you at Acme")
    assert_accessible(fran)

    ana.reload()
    expect(ana.get_by_role("region", name="Replies")).to_contain_text("introduce you at Acme")
    assert_accessible(ana)

    # --- The member writes and submits the final deliverable, with a PDF ----------------
    ana.get_by_role("link", name="Back to the initiative").click()
    expect(
        ana.get_by_role("region", name="Budget versus actual, scrollable table")
    ).to_contain_text("3,100.00")
    assert_accessible(ana)
    ana.get_by_role("link", name="Start the final deliverable").click()
    expect(ana.get_by_role("heading", level=1, name="Final deliverable")).to_be_visible()
    assert_accessible(ana)
    ana.get_by_label(label("Summary of the initiative")).fill(
        "We recruited engineers as mentors through two partner employers."
    )
    ana.get_by_label(label("Outcomes")).fill("Twelve new mentors with engineering backgrounds.")
    ana.get_by_label(label("Mentors with engineering backgrounds (mentors): final value")).fill(
        "37"
    )
    ana.get_by_label(label("Mentees matched with an engineer (mentees): final value")).fill("38")
    ana.get_by_label(label("Lessons learned")).fill("Employee resource groups open doors.")
    ana.get_by_label(label("Add an attachment")).set_input_files(
        files=[{"name": "final-report.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    button(ana, "Save").click()
    expect(ana.get_by_text("Saved, and attached final-report.pdf.")).to_be_visible()
    expect(ana.get_by_role("link", name="final-report.pdf")).to_be_visible()
    expect(ana.get_by_label(label("Lessons learned"))).to_have_value(
        "Employee resource groups open doors."
    )
    assert_accessible(ana)
    ana.get_by_role("link", name="Back", exact=True).click()
    expect(ana.get_by_text("Everything needed is here.")).to_be_visible()
    assert_accessible(ana)
    button(ana, "Submit for review").click()
    expect(ana.get_by_text("Submitted. The facilitators are e-mailed")).to_be_visible()
    expect(ana.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert_accessible(ana)

    # --- The facilitator accepts it and shows it on the public page ---------------------
    fran.goto(lab.get_absolute_url())
    assert_accessible(fran)
    awaiting = fran.get_by_role("region", name="Initiatives", exact=True).get_by_role("listitem")
    awaiting.filter(has_text="submitted").get_by_role("link", name=org_a.name).click()
    expect(fran.get_by_role("heading", level=1, name="Final deliverable")).to_be_visible()
    results = fran.get_by_role("region", name="The deliverable")
    expect(results).to_contain_text("Twelve new mentors")
    assert_accessible(fran)
    with fran.expect_download() as download_info:
        fran.get_by_role("region", name="Attachments").get_by_role(
            "link", name="final-report.pdf"
        ).click()
    with open(download_info.value.path(), "rb") as file:
        assert file.read() == PDF
    fran.get_by_label("Accept the deliverable").check()
    fran.get_by_label(label("Feedback to the organization")).fill("A model for the cohort.")
    button(fran, "Send the decision").click()
    expect(
        fran.get_by_text("Accepted the deliverable. The organization is e-mailed.")
    ).to_be_visible()
    assert_accessible(fran)
    button(fran, "Show it on the lab's public showcase").click()
    expect(fran.get_by_text("It now appears on the lab's public showcase.")).to_be_visible()
    expect(fran.get_by_text("On the public showcase")).to_be_visible()
    assert_accessible(fran)
    screenshot(fran, "funding-deliverable-accepted")
    deliverable = Deliverable.objects.get(application=application)
    assert deliverable.status == DeliverableStatus.ACCEPTED
    assert deliverable.on_public_page
    assert sorted(deliverable.final_metrics.values_list("final_value", flat=True)) == [
        Decimal("37.00"),
        Decimal("38.00"),
    ]
    # The facilitators heard of the submission, the organization of the acceptance.
    assert [m.to for m in mailoutbox] == [[facilitator.email], [member_a.email]]
    assert "A model for the cohort." in mailoutbox[1].body

    # --- An anonymous visitor reads it on the public showcase ---------------------------
    visitor = new_page()
    visitor.goto(f"/call/{slug}/showcase/")
    expect(
        visitor.get_by_role("heading", level=1, name=f"{lab.name}: initiatives showcase")
    ).to_be_visible()
    card = visitor.get_by_role("article", name="Engineers as mentors, with partner employers")
    expect(card).to_contain_text(org_a.name)
    expect(card).to_contain_text("Employee resource groups open doors.")
    finals = card.get_by_role("table", name="Success metrics: final values against targets")
    expect(
        finals.get_by_role("row", name=re.compile("Mentors with engineering")).get_by_role("cell")
    ).to_have_text(["25", "37", "35"])
    # Never the files, the budget or the award.
    expect(visitor.get_by_role("link", name="final-report.pdf")).to_have_count(0)
    main = visitor.get_by_role("main").inner_text()
    for private in ("18,000", "Mentor stipends", "introduce you at Acme"):
        assert private not in main, f"the public showcase shows {private!r}"
    assert_accessible(visitor)
    screenshot(visitor, "funding-public-showcase")
