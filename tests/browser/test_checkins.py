"""Issue 5 in a real browser: an organization that completed a lab gets the e-mail that its
6-month check-in is open, follows the link (signing in on the way), saves a draft, finds it
kept, and submits; the facilitator sees it leave the due-and-overdue board and finds it
submitted, to acknowledge, on the lab's check-ins. Then the admin reads the impact report,
filters it by a lab and downloads the CSV. axe-core checks every page visited."""

import csv
import datetime as dt
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import (
    CheckIn,
    CheckInReminder,
    CheckInStatus,
    CheckInValue,
    ReminderKind,
    ReminderState,
    StandardMetric,
)
from checkins.reminders import dispatch_due
from checkins.services import checkins_plan_for_lab
from funding.models import Disbursement
from participants.models import Participation, ParticipationStatus
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD, ApplicationFactory, FundingRoundFactory, ProgressUpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text: str) -> re.Pattern:
    """A field's label exactly, allowing the asterisk crispy adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", re.IGNORECASE)


def button(page, name: str):
    """A button by its whole accessible name, ignoring case."""
    return page.get_by_role("button", name=re.compile(rf"^\s*{re.escape(name)}\s*$", re.I))


def end_the_lab_so_the_6_month_check_in_is_due_in_a_week(lab) -> None:
    """Move the lab back so that its program ended about six months ago: the 6-month
    check-in is due in about a week and opened a week ago."""
    due = lab.today() + dt.timedelta(days=7)
    months = lab.phase1_months + lab.phase2_months + 6
    lab.start_date = due - relativedelta(months=months)
    lab.save()
    lab.refresh_from_db()
    checkin_due = dict(lab.timeline.checkin_dates)[6]
    assert lab.today() + dt.timedelta(days=4) <= checkin_due <= lab.today() + dt.timedelta(days=10)


def test_a_member_follows_the_reminder_link_saves_a_draft_and_submits_the_6_month_check_in(
    new_page, mailoutbox, lab, org_a, member_a, facilitator
):
    end_the_lab_so_the_6_month_check_in_is_due_in_a_week(lab)
    # The funded initiative, so the form shows its own metric beside baseline and target.
    initiative = ApplicationFactory(
        round=FundingRoundFactory(lab=lab), organization=org_a, approved=True
    )
    metric = initiative.metrics.get()
    participation = Participation.objects.get(lab=lab, organization=org_a)
    Participation.objects.filter(pk=participation.pk).update(
        status=ParticipationStatus.COMPLETED, baseline_active_mentors=25
    )
    checkins_plan_for_lab(lab=lab)
    checkin = CheckIn.objects.get(participation=participation, months=6)
    assert checkin.opens_on <= lab.today() < checkin.due_on

    # --- The beat task's dispatch sends the opening notice, once -------------------------
    result = dispatch_due(send_inline=True)
    assert result.sent == 1
    assert dispatch_due(send_inline=True).sent == 0  # a second run sends nothing more
    [mail] = mailoutbox
    assert mail.to == [member_a.email]
    assert mail.subject == (
        f"[MLL] Your 6-month check-in for {lab.name} is open (due {checkin.due_on:%b} "
        f"{checkin.due_on.day})"
    )
    opening = CheckInReminder.objects.get(checkin=checkin, kind=ReminderKind.OPENING)
    assert opening.state == ReminderState.SENT
    assert mail.extra_headers["Message-ID"] == opening.message_id
    form_path = reverse("checkins:edit", args=[lab.slug, checkin.pk])
    link = re.search(r"Open the check-in form: https?://[^/\s]+(/\S+)", mail.body).group(1)
    assert link == form_path

    # --- She follows the link, signs in on the way, and lands on the form ---------------
    page = new_page()
    page.goto(link)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert_accessible(page)
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*(sign|log) ?in\s*$", re.I)).click()
    page.wait_for_url(f"**{form_path}")
    expect(page.get_by_role("heading", name=f"6-month check-in of {org_a.name}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"Due {checkin.due_on:%A, %B} ")
    assert_accessible(page)
    screenshot(page, "checkin-form-empty")

    # The metrics sit beside their baselines and targets.
    mentors = page.get_by_label(label("Active mentors"))
    expect(mentors).to_have_accessible_description(re.compile(r"Baseline:\s*25"))
    engineers = page.get_by_label(label("Mentors with engineering backgrounds (mentors)"))
    expect(engineers).to_have_accessible_description(re.compile(r"Baseline:\s*25.*Target:\s*35"))

    progress = "We kept every engineer mentor and started a second cohort in the spring."
    impact = "Mentees now reach technical interviews twice as often as before the lab."
    page.get_by_label(label("Progress since the program")).fill(progress)
    page.get_by_label(label("Amount of the award spent so far (USD)")).fill("15000")
    page.get_by_label(label("What the funds were spent on")).fill("Recruiting events, stipends.")
    page.get_by_label(label("What remains, and the plan for it")).fill("5,000 for next year.")
    page.get_by_label(label("Long-term impact")).fill(impact)
    story = page.get_by_role("group", name="New story")
    story.get_by_label(label("Story title")).fill("Rosa's first engineering job")
    story.get_by_label(label("The story")).fill("Her mentor ran mock interviews for a month.")
    story.get_by_label(re.compile("agreed to share it", re.I)).check()
    mentors.fill("35")
    page.get_by_label(label("Mentees who found a job")).fill("4")
    engineers.fill("33")
    button(page, "Save draft").first.click()

    # --- The draft is kept --------------------------------------------------------------
    expect(
        page.get_by_text("Draft saved. Everyone in your organization can edit it.")
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Not submitted yet: this is the draft")
    expect(page.get_by_role("region", name="Progress since the program")).to_contain_text(progress)
    assert_accessible(page)
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT
    assert checkin.funds_spent == Decimal("15000.00")

    page.get_by_role("link", name="Continue the draft").click()
    page.reload()
    expect(page.get_by_label(label("Progress since the program"))).to_have_value(progress)
    expect(page.get_by_label(label("Long-term impact"))).to_have_value(impact)
    expect(page.get_by_label(label("Amount of the award spent so far (USD)"))).to_have_value(
        re.compile(r"^15000(\.00)?$")
    )
    saved_story = page.get_by_role("group", name="Story: Rosa's first engineering job")
    expect(saved_story.get_by_label(re.compile("agreed to share it", re.I))).to_be_checked()
    expect(page.get_by_label(label("Active mentors"))).to_have_value(re.compile(r"^35(\.00)?$"))
    expect(
        page.get_by_label(label("Mentors with engineering backgrounds (mentors)"))
    ).to_have_value(re.compile(r"^33(\.00)?$"))
    assert_accessible(page)

    # --- Meanwhile the facilitator's board lists it, with the reminder sent --------------
    fran = new_page()
    sign_in(fran, facilitator.email)
    fran.goto(reverse("checkins:board"))
    expect(fran.get_by_role("heading", level=1, name="Check-ins due and overdue")).to_be_visible()
    row = fran.get_by_role("row", name=re.compile(org_a.name))
    expect(row).to_contain_text("6 months")
    expect(row).to_contain_text("Open")
    expect(row).not_to_contain_text("none yet")  # the last reminder's date instead
    assert_accessible(fran)

    # --- She submits --------------------------------------------------------------------
    button(page, "Save and submit").click()
    expect(page.get_by_text("Submitted. Thank you!")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the draft")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(f"by {member_a.display_name}")
    assert_accessible(page)
    screenshot(page, "checkin-submitted")
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.SUBMITTED
    assert checkin.submitted_by == member_a
    values = {
        (v.standard or v.metric_id): v.value for v in CheckInValue.objects.filter(checkin=checkin)
    }
    assert values == {
        StandardMetric.ACTIVE_MENTORS: Decimal("35"),
        StandardMetric.MENTEES_HIRED: Decimal("4"),
        metric.pk: Decimal("33"),
    }
    story_row = checkin.stories.get()
    assert story_row.consent_to_share
    # Nothing more goes out about it.
    assert not CheckInReminder.objects.filter(checkin=checkin, state=ReminderState.PENDING)

    # --- The facilitator: off the board, submitted on the lab's check-ins ----------------
    fran.reload()
    expect(fran.get_by_role("row", name=re.compile(org_a.name))).to_have_count(0)
    expect(fran.get_by_text("Nothing is owed right now.")).to_be_visible()
    assert_accessible(fran)
    fran.goto(lab.get_absolute_url())
    assert_accessible(fran)
    panel = fran.get_by_role("region", name="Impact check-ins")
    expect(panel).to_contain_text("To acknowledge: 1")
    panel.get_by_role("link", name="Check-ins in this lab").click()
    expect(fran.get_by_role("heading", name="Impact check-ins")).to_be_visible()
    cell = fran.get_by_role("link", name=f"Submitted 6-month check-in of {org_a.name}")
    expect(fran.get_by_role("row", name=re.compile(org_a.name))).to_contain_text(
        re.compile(r"submitted [A-Z][a-z]{2} \d{1,2}, \d{4}")
    )
    assert_accessible(fran)
    cell.click()
    expect(fran.get_by_role("region", name="Long-term impact")).to_contain_text(impact)
    expect(fran.get_by_role("region", name="Long-term impact")).to_contain_text("Consent to share")
    expect(fran.get_by_role("button", name="Acknowledge")).to_be_visible()
    assert_accessible(fran)


# --- The admin's impact report ---------------------------------------------------------------


def fund(lab, org, amount: str, *, paid: str, spent: str):
    """An approved application with its award, one paid tranche and spending reported."""
    application = ApplicationFactory(
        round=FundingRoundFactory(lab=lab),
        organization=org,
        approved=True,
        award_amount=Decimal(amount),
    )
    Disbursement.objects.create(
        award=application.award,
        planned_on=lab.today() - dt.timedelta(days=60),
        amount=Decimal(paid),
        status="paid",
        paid_on=lab.today() - dt.timedelta(days=60),
    )
    update = ProgressUpdateFactory(application=application)
    update.spending.create(budget_line=application.budget_lines.first(), amount=Decimal(spent))
    return application


def test_the_admin_reads_the_impact_report_filters_it_by_a_lab_and_downloads_the_csv(
    new_page, admin_user, lab, lab2, org_a, org_c
):
    end_the_lab_so_the_6_month_check_in_is_due_in_a_week(lab)
    fund(lab, org_a, "20000", paid="10000", spent="4000")
    fund(lab2, org_c, "5000", paid="2500", spent="1000")
    participation = Participation.objects.get(lab=lab, organization=org_a)
    Participation.objects.filter(pk=participation.pk).update(
        status=ParticipationStatus.COMPLETED, baseline_active_mentors=25
    )
    checkins_plan_for_lab(lab=lab)
    CheckIn.objects.filter(participation=participation, months=6).update(
        status=CheckInStatus.SUBMITTED,
        submitted_at=timezone.now(),
        progress="A second cohort.",
        funds_spent=Decimal("6000"),
    )
    CheckInValue.objects.create(
        checkin=CheckIn.objects.get(participation=participation, months=6),
        standard=StandardMetric.ACTIVE_MENTORS,
        value=Decimal("35"),
    )

    page = new_page()
    sign_in(page, admin_user.email)
    page.goto(reverse("impact:report"))
    expect(page.get_by_role("heading", level=1, name="Impact report")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Covering all labs you can see: 2 labs.")
    # Each chart is an image with a name, its figures in the table beside it.
    expect(page.locator("svg.impact-chart[role=img]")).to_have_count(4)
    expect(page.get_by_role("img", name="Check-in completion by milestone")).to_be_visible()
    funds = page.get_by_role("table", name="Funds by lab")
    expect(funds.get_by_role("columnheader")).to_have_text(
        [
            "Lab",
            "Currency",
            "Funding pool",
            "Awarded",
            "Initiatives funded",
            "Disbursed (paid)",
            "Reported spent (progress updates)",
            "Spent, per latest check-ins",
        ]
    )
    expect(funds.get_by_role("row", name=re.compile(lab.name))).to_contain_text("20,000")
    expect(funds.get_by_role("row", name=re.compile(lab2.name))).to_contain_text("5,000")
    assert_accessible(page)
    screenshot(page, "impact-report-all-labs")

    # --- Filtered to one lab -------------------------------------------------------------
    page.get_by_label("Lab", exact=True).select_option(label=lab.name)
    button(page, "Apply filters").click()
    page.wait_for_url(f"**/impact/?*lab={lab.slug}*")
    expect(page.get_by_role("main")).to_contain_text(f"Covering {lab.name}: 1 lab.")
    funds = page.get_by_role("table", name="Funds by lab")
    expect(funds.get_by_role("row", name=re.compile(lab.name))).to_have_count(1)
    expect(funds).not_to_contain_text(lab2.name)
    assert_accessible(page)

    # --- The CSV of what is on the page --------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"mll-impact-{lab.slug}-{timezone.now():%Y-%m-%d}.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Mentorship Learning Lab impact report"]
    assert ["Covering", lab.name] in rows
    header = rows.index(["Funds by lab"]) + 1
    assert rows[header] == [
        "Lab",
        "Currency",
        "Funding pool",
        "Awarded",
        "Initiatives funded",
        "Disbursed (paid)",
        "Reported spent (progress updates)",
        "Spent, per latest check-ins",
    ]
    assert rows[header + 1] == [
        lab.name,
        "USD",
        "90000.00",
        "20000.00",
        "1",
        "10000.00",
        "4000.00",
        "6000.00",
    ]
    assert not [row for row in rows if lab2.name in row]
    # The metric's trajectory: one organization, baseline 25, 35 at 6 months, +40%.
    growth = next(row for row in rows if row[:2] == ["Active mentors", "6 months"])
    assert growth[2:] == ["1", "25", "35.00", "40.0"]
