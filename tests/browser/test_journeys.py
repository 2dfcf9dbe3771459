"""The issue's journeys in a real browser: a facilitator creates a lab and invites an
organization, the invited person accepts, fills the profile and signs the agreement; a public
visitor expresses interest; the dashboard fits a phone. axe-core checks every page visited."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from participants.models import Participation, ParticipationStatus
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import (
    PASSWORD,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-and-memorable-passphrase-42"


def label(text: str) -> re.Pattern:
    """A field's label exactly, allowing the asterisk crispy adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", re.IGNORECASE)


def button(page: Page, name: str | re.Pattern):
    """A button by its whole accessible name (or a pattern), ignoring case."""
    if isinstance(name, str):
        name = re.compile(rf"^\s*{re.escape(name)}\s*$", re.IGNORECASE)
    return page.get_by_role("button", name=name)


def lab_section(page: Page, name: str):
    return page.get_by_role("navigation", name="Lab sections").get_by_role("link", name=name)


def test_facilitator_sets_up_a_lab_and_the_invited_organization_joins_and_signs(
    new_page, mailoutbox
):
    fran = UserFactory(email="fran@example.org", name="Fran Facilitator", can_create_labs=True)
    start = timezone.localdate() + dt.timedelta(days=120)

    # --- The facilitator signs in and sets up a lab --------------------------------------
    page = new_page()
    sign_in(page, fran.email)
    expect(page.get_by_role("heading", level=1, name="My labs")).to_be_visible()

    page.get_by_role("link", name="New lab").click()
    expect(page.get_by_role("heading", level=1, name="Set up a new lab")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(label("Name")).fill("Chicago Mentorship Learning Lab")
    page.get_by_label(label("City or ecosystem")).fill("Chicago")
    page.get_by_label(label("Description")).fill("Tech mentorship organizations learning together.")
    page.get_by_label(label("Objectives")).fill("Strengthen mentorship for excluded technologists.")
    page.get_by_label(label("Goals")).fill("40% more mentors with engineering backgrounds.")
    page.get_by_label(label("Participation criteria")).fill(
        "Runs a mentorship program\nServes a historically excluded group"
    )
    page.get_by_label(label("Phase 1 start date")).fill(start.isoformat())
    page.get_by_label(label("Funding pool")).fill("90000")
    page.get_by_label(label("Publish the call for participants")).check()
    checkins = page.get_by_label(label("Check-ins (months after the program ends)"))
    expect(checkins).to_have_value("6, 12, 18")

    # Bad input: the error sits beside the field and nothing typed is lost.
    checkins.fill("six")
    button(page, "Create lab").click()
    expect(page.get_by_text("Some fields need attention")).to_be_visible()
    assert_accessible(page)
    checkins = page.get_by_label(label("Check-ins (months after the program ends)"))
    expect(checkins).to_have_value("six")
    expect(checkins).to_have_attribute("aria-invalid", "true")
    expect(checkins).to_have_accessible_description(re.compile("Write whole numbers of months"))
    field_group = page.locator(".mb-3", has=checkins)
    expect(field_group.get_by_text("Write whole numbers of months")).to_be_visible()
    expect(page.get_by_label(label("Name"))).to_have_value("Chicago Mentorship Learning Lab")
    expect(page.get_by_label(label("Objectives"))).to_have_value(
        "Strengthen mentorship for excluded technologists."
    )
    expect(page.get_by_label(label("Phase 1 start date"))).to_have_value(start.isoformat())

    checkins.fill("6, 12, 18")
    button(page, "Create lab").click()
    expect(page.get_by_text("is set up with the guide's timeline")).to_be_visible()
    expect(
        page.get_by_role("heading", level=1, name="Chicago Mentorship Learning Lab")
    ).to_be_visible()
    assert_accessible(page)
    slug = page.url.rstrip("/").split("/")[-2]

    # The guide's milestones are on the timeline; mark the first one done.
    milestones = page.get_by_role("main").get_by_role("listitem")
    expect(milestones.filter(has_text="Conduct a literature review")).to_have_count(1)
    expect(milestones.filter(has_text="Funding applications due")).to_have_count(1)
    expect(milestones.filter(has_text="18-month impact check-in")).to_have_count(1)
    # The visually hidden part of the name comes after a space in Chromium: "Mark done : ...".
    button(page, re.compile(r"Mark done\s*:\s*Conduct a literature review")).click()
    expect(page.get_by_text("“Conduct a literature review” marked done.")).to_be_visible()
    done = page.locator("li.milestone-done")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("Conduct a literature review")
    expect(done).to_contain_text("by Fran Facilitator")
    expect(button(page, re.compile(r"Reopen\s*:\s*Conduct a literature review"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "timeline")

    # The participation agreement.
    lab_section(page, "Agreement").click()
    expect(page.get_by_text("Nothing is published yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(label("Participation agreement")).fill(
        "We take part in every monthly meeting and share what we learn."
    )
    button(page, "Save agreement").click()
    expect(page.get_by_text("Agreement saved as version 1.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Participants")).to_be_visible()
    assert_accessible(page)

    # Invite an organization.
    page.get_by_role("link", name="Invite an organization").click()
    expect(page.get_by_role("heading", name="Invite an organization")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(label("Organization")).fill("Latinas Building Tech")
    page.get_by_label("Latina women").check()
    page.get_by_label(label("Contact's name")).fill("Luz Lead")
    page.get_by_label(label("Contact's e-mail")).fill("luz@latinas.example")
    button(page, "Send invitation").click()
    expect(page.get_by_text("Invitation sent to luz@latinas.example.")).to_be_visible()
    pending = page.get_by_role("region", name="Invitations waiting")
    expect(pending).to_contain_text("Latinas Building Tech: luz@latinas.example")
    expect(page.get_by_role("region", name="Latinas Building Tech")).to_contain_text("Invited")
    assert_accessible(page)

    # --- The invited person opens the e-mail's link --------------------------------------
    assert len(mailoutbox) == 1
    invitation_mail = mailoutbox[0]
    assert invitation_mail.to == ["luz@latinas.example"]
    path = re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", invitation_mail.body).group(1)

    luz = new_page()
    luz.goto(path)
    expect(luz.get_by_role("heading", name="Invitation to Latinas Building Tech")).to_be_visible()
    expect(luz.get_by_role("main")).to_contain_text("Chicago Mentorship Learning Lab")
    assert_accessible(luz)
    button(luz, "Accept invitation").click()

    luz.wait_for_url(re.compile(r"/accounts/signup/"))
    expect(luz.get_by_label(label("Email"))).to_have_value("luz@latinas.example")
    assert_accessible(luz)
    luz.get_by_label(label("Password")).fill(NEW_PASSWORD)
    luz.get_by_label(label("Password (again)")).fill(NEW_PASSWORD)
    # allauth's templates are being restyled: accept its wording or ours.
    button(luz, re.compile(r"^\s*(sign up|create (an |your )?account)\s*$", re.IGNORECASE)).click()

    # Signed in, landing in the organization she joined.
    expect(luz.get_by_role("heading", level=1, name="Latinas Building Tech")).to_be_visible()
    nav = luz.get_by_role("navigation", name="Main")
    org_link = nav.get_by_role("link", name="Latinas Building Tech")
    expect(org_link).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(luz)

    org_link.click()
    expect(luz.get_by_role("heading", level=1, name="Latinas Building Tech")).to_be_visible()
    expect(luz.get_by_text("Still to fill in:")).to_be_visible()
    assert_accessible(luz)
    luz.get_by_role("link", name="Edit profile").click()
    expect(luz.get_by_label("Latina women")).to_be_checked()
    assert_accessible(luz)
    luz.get_by_label(label("Website")).fill("https://latinas.example")
    luz.get_by_label(label("City")).fill("Chicago")
    luz.get_by_label(label("Mission")).fill("Latinas into tech careers through mentorship.")
    luz.get_by_label(label("Active mentors")).fill("30")
    luz.get_by_label(label("Active mentees")).fill("45")
    luz.get_by_label(label("How matching is done")).fill("By hand, on career track and values.")
    luz.get_by_label(label("Strengths")).fill("A warm, loyal community of mentors.")
    luz.get_by_label(label("Challenges")).fill("Too few mentors in product and UX.")
    button(luz, "Save profile").click()
    expect(luz.get_by_text("Profile saved.")).to_be_visible()
    expect(luz.get_by_text("Still to fill in:")).to_have_count(0)
    program = luz.get_by_role("region", name="Current mentorship program")
    expect(program).to_contain_text("30")
    expect(program).to_contain_text("By hand, on career track and values.")
    assert_accessible(luz)

    # The lab dashboard, then the agreement.
    labs = luz.get_by_role("region", name="Labs")
    labs.get_by_role("link", name="Chicago Mentorship Learning Lab").click()
    expect(luz.get_by_role("heading", name="Latinas Building Tech in this lab")).to_be_visible()
    assert_accessible(luz)
    luz.get_by_role("link", name="Sign the participation agreement").click()
    expect(luz.get_by_role("heading", level=1, name="Participation agreement")).to_be_visible()
    expect(luz.get_by_text("share what we learn")).to_be_visible()
    assert_accessible(luz)
    luz.get_by_label(label("Type your full name to sign")).fill("Luz Lead")
    luz.get_by_label(label("Goals for the lab")).fill(
        "Recruit 15 mentors with product and UX backgrounds."
    )
    luz.get_by_label(re.compile("I have read the agreement and accept it")).check()
    button(luz, "Sign the agreement").click()
    expect(
        luz.get_by_text("Thank you: Latinas Building Tech has signed the agreement.")
    ).to_be_visible()
    own = luz.get_by_role("region", name="Latinas Building Tech in this lab")
    expect(own).to_contain_text("Status: Agreement signed")
    expect(own).to_contain_text("(version 1)")
    expect(own.get_by_role("link", name="Sign the participation agreement")).to_have_count(0)
    assert_accessible(luz)
    screenshot(luz, "dashboard-participant")

    participation = Participation.objects.get(lab__slug=slug)
    assert participation.status == ParticipationStatus.AGREEMENT_SIGNED
    assert participation.baseline_active_mentors == 30

    # --- The facilitator, in a browser of their own, sees the signature ------------------
    fran_again = new_page()
    sign_in(fran_again, fran.email)
    fran_again.goto(f"/labs/{slug}/participants/")
    card = fran_again.get_by_role("region", name="Latinas Building Tech")
    expect(card).to_contain_text("Agreement signed")
    expect(card).to_contain_text("Agreement: v1, accepted online")
    expect(fran_again.get_by_role("region", name="Invitations waiting")).to_have_count(0)
    assert_accessible(fran_again)


def test_public_visitor_expresses_interest_and_the_facilitator_sees_it(new_page, mailoutbox):
    fran = UserFactory(email="fran@example.org", name="Fran Facilitator")
    lab = LabFactory(name="Chicago MLL", facilitators=[fran], with_agreement=True)

    visitor = new_page()
    visitor.goto(f"/call/{lab.slug}/")
    expect(visitor.get_by_role("heading", level=1, name="Chicago MLL")).to_be_visible()
    assert_accessible(visitor)
    screenshot(visitor, "public-call")
    visitor.get_by_label(label("Organization name")).fill("Code Elders")
    visitor.get_by_label(label("Website")).fill("https://codeelders.example")
    visitor.get_by_label(label("City")).fill("Evanston")
    visitor.get_by_label(label("Contact name")).fill("Carol Contact")
    visitor.get_by_label(label("Contact email")).fill("carol@codeelders.example")
    visitor.get_by_label("Technologists over 50").check()
    visitor.get_by_label(label("Mission")).fill("Experienced technologists mentoring each other.")
    visitor.get_by_label(label("Your mentorship program")).fill(
        "20 mentors, 35 mentees, matched by hand."
    )
    button(visitor, "Express interest").click()
    expect(visitor.get_by_role("heading", level=1, name="Thank you")).to_be_visible()
    assert_accessible(visitor)
    assert [m.to for m in mailoutbox] == [[fran.email]], "the facilitator hears of it by e-mail"

    page = new_page()
    sign_in(page, fran.email)
    page.get_by_role("link", name="Chicago MLL").click()
    expect(page.get_by_role("link", name="1 new expression of interest")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-facilitator")
    lab_section(page, "Interest").click()
    row = page.get_by_role("row", name=re.compile("Code Elders"))
    expect(row).to_contain_text("Technologists over 50")
    expect(row).to_contain_text("carol@codeelders.example")
    expect(row).to_contain_text("New")
    assert_accessible(page)


def test_the_dashboard_fits_a_phone(new_page):
    fran = UserFactory(email="fran@example.org", name="Fran Facilitator")
    lab = LabFactory(
        name="Chicago Mentorship Learning Lab for Historically Excluded Technologists",
        facilitators=[fran],
        with_agreement=True,
        milestones=True,
        meeting_location="Chicago Public Library, Harold Washington Center, 400 S State St",
    )
    org = OrganizationFactory(name="Out in Tech Chicago", client_groups=["lgbtqia-technologists"])
    ParticipationFactory(lab=lab, organization=org, status=ParticipationStatus.ACCEPTED)
    member = MembershipFactory(organization=org, user__email="ana@orga.example").user

    for email in (fran.email, member.email):
        page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
        sign_in(page, email, PASSWORD)
        page.goto(lab.get_absolute_url())
        expect(page.get_by_role("heading", level=1, name=lab.name)).to_be_visible()
        assert_accessible(page)
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], f"{email}: page {overflow[0]}px wide on a 375px phone"
        screenshot(page, f"dashboard-phone-{email.split('@')[0]}")
