"""The check-in pages: who may open each one, the form's reference figures, validation that
keeps what was typed, stories added and removed without JavaScript, submitting, and the
facilitators' question and acknowledgment."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from checkins import services
from checkins.models import CheckIn, CheckInStatus, CheckInStory
from funding.models import BudgetLine, Spending
from participants.models import Participation
from tests.checkins import COMPLETE, NOW, make_checkin
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db

S = CheckInStatus


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def checkin(lab, org_a, member_a):
    return make_checkin(lab, org_a)


@pytest.fixture
def submitted(lab, org_a, member_a):
    checkin = make_checkin(lab, org_a, **COMPLETE)
    return services.checkin_submit(checkin=checkin, user=member_a)


@pytest.fixture
def initiative(lab, org_a):
    """org A's funded initiative: award 20,000, one metric 25 → 35, 4,500 reported spent."""
    application = ApplicationFactory(
        round=FundingRoundFactory(lab=lab), organization=org_a, approved=True
    )
    update = ProgressUpdateFactory(application=application)
    for line in BudgetLine.objects.filter(application=application):
        Spending.objects.create(update=update, budget_line=line, amount=Decimal("2250"))
    return application


def url(name: str, checkin: CheckIn) -> str:
    return reverse(f"checkins:{name}", args=[checkin.participation.lab.slug, checkin.pk])


def form_data(checkin: CheckIn, action: str = "save", stories=(), **fields) -> dict:
    """What the edit form posts: the fields, the version seen, the stories formset."""
    checkin = CheckIn.objects.get(pk=checkin.pk)
    saved = list(checkin.stories.all())
    data = {
        "action": action,
        "version": services.version_of(checkin),
        "progress": checkin.progress,
        "funds_spent": "" if checkin.funds_spent is None else str(checkin.funds_spent),
        "funds_spent_on": checkin.funds_spent_on,
        "funds_remaining": checkin.funds_remaining,
        "impact": checkin.impact,
        "stories-TOTAL_FORMS": str(len(saved) + len(stories)),
        "stories-INITIAL_FORMS": str(len(saved)),
        "stories-MIN_NUM_FORMS": "0",
        "stories-MAX_NUM_FORMS": "20",
    }
    for i, story in enumerate(saved):
        data.update(
            {
                f"stories-{i}-id": str(story.pk),
                f"stories-{i}-title": story.title,
                f"stories-{i}-body": story.body,
            }
        )
        if story.consent_to_share:
            data[f"stories-{i}-consent_to_share"] = "on"
    for i, story in enumerate(stories, start=len(saved)):
        data.update({f"stories-{i}-{k}": v for k, v in story.items()})
    data.update({k: "" if v is None else str(v) for k, v in fields.items()})
    return data


# --- Who may open what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("member_a", 200),
        ("facilitator", 200),
        ("admin_user", 200),
        ("member_b", 404),
        ("facilitator2", 404),
        ("outsider", 404),
    ],
)
def test_a_checkin_page_is_for_its_organization_and_the_labs_facilitators(
    request, login, checkin, member_b, lab2, who, status
):
    response = login(request.getfixturevalue(who)).get(url("detail", checkin))

    assert response.status_code == status


@pytest.mark.parametrize(
    "who, status",
    [
        ("member_a", 200),
        ("facilitator", 404),
        ("admin_user", 404),
        ("member_b", 404),
        ("facilitator2", 404),
        ("outsider", 404),
    ],
)
def test_only_the_organizations_members_may_edit_its_checkin(
    request, login, checkin, member_b, lab2, who, status
):
    client = login(request.getfixturevalue(who))

    assert client.get(url("edit", checkin)).status_code == status
    response = client.post(url("edit", checkin), form_data(checkin, progress="Hijacked"))
    assert response.status_code == (302 if status == 200 else 404)
    if status == 404:
        assert CheckIn.objects.get(pk=checkin.pk).progress == ""


def test_anonymous_visitors_are_sent_to_sign_in(client, checkin):
    for name in ("detail", "edit"):
        response = client.get(url(name, checkin))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(reverse("checkins:board")).status_code == 302
    assert (
        client.get(reverse("checkins:lab", args=[checkin.participation.lab.slug])).status_code
        == 302
    )


@pytest.mark.parametrize("who", ["member_a", "member_b", "facilitator2", "outsider"])
@pytest.mark.parametrize("action", ["question", "acknowledge"])
def test_only_the_labs_facilitators_follow_up(
    request, login, submitted, member_b, lab2, who, action
):
    client = login(request.getfixturevalue(who))

    response = client.post(url(action, submitted), {"message": "Why?", "notify": "on"})

    assert response.status_code == 404
    assert CheckIn.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_the_lab_matrix_shows_facilitators_every_organization(
    login, lab, org_a, org_b, facilitator, checkin
):
    other = make_checkin(lab, org_b, months=12, due_in=-3)

    response = login(facilitator).get(reverse("checkins:lab", args=[lab.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    assert org_a.name in body and org_b.name in body
    assert url("detail", checkin) in body and url("detail", other) in body
    assert "3 days late" in body


def test_a_member_sees_only_its_own_organizations_checkins(
    login, lab, org_a, org_b, member_a, checkin
):
    theirs = make_checkin(lab, org_b)

    body = login(member_a).get(reverse("checkins:lab", args=[lab.slug])).content.decode()

    assert url("detail", checkin) in body
    assert url("detail", theirs) not in body and org_b.name not in body


def test_another_labs_facilitator_cant_open_the_lab_matrix(login, lab, facilitator2, checkin):
    response = login(facilitator2).get(reverse("checkins:lab", args=[lab.slug]))

    assert response.status_code == 404


# --- The form ----------------------------------------------------------------------------------


def test_the_form_shows_the_award_spending_and_each_metric_beside_its_baseline_and_target(
    login, lab, org_a, member_a, checkin, initiative
):
    Participation.objects.filter(pk=checkin.participation_id).update(baseline_active_mentors=25)

    response = login(member_a).get(url("edit", checkin))

    body = response.content.decode()
    assert "20,000.00 USD" in body  # the award
    assert "4,500.00 USD" in body  # reported in the monthly progress updates
    metric = initiative.metrics.get()
    assert f'name="metrics-metric_{metric.pk}"' in body
    assert "Mentors with engineering backgrounds" in body
    assert "Target: <strong>35.00</strong>" in body
    assert "Baseline: <strong>25</strong>" in body  # the participation's active mentors
    assert 'name="metrics-standard_mentees_hired"' in body


def test_earlier_checkins_values_are_shown_for_context(lab, org_a, member_a, login):
    six = make_checkin(lab, org_a, months=6, due_in=-180, **COMPLETE)
    services.checkin_save(
        checkin=six, user=member_a, values={("standard", "active_mentors"): Decimal("29")}
    )
    services.checkin_submit(checkin=six, user=member_a)
    twelve = make_checkin(lab, org_a, months=12)

    body = login(member_a).get(url("edit", twelve)).content.decode()

    assert "6-month: 29" in body


def test_saving_a_draft_keeps_it_for_the_next_editor(login, lab, org_a, member_a, checkin):
    colleague = MembershipFactory(organization=org_a).user
    data = form_data(
        checkin,
        progress="Two new cohorts.",
        funds_spent="1200.50",
        **{"metrics-standard_active_mentors": "31"},
    )

    response = login(member_a).post(url("edit", checkin), data)

    assert response.status_code == 302 and response["Location"] == url("detail", checkin)
    checkin.refresh_from_db()
    assert (checkin.progress, checkin.funds_spent, checkin.status) == (
        "Two new cohorts.",
        Decimal("1200.50"),
        S.DRAFT,
    )
    assert checkin.values.get().value == Decimal("31")
    body = login(colleague).get(url("edit", checkin)).content.decode()
    assert "Two new cohorts." in body and 'value="31' in body


def test_bad_input_is_explained_beside_the_field_and_nothing_typed_is_lost(
    login, member_a, checkin, initiative
):
    data = form_data(
        checkin,
        progress="A long paragraph I don't want to type again.",
        funds_spent="25000",
        **{"metrics-standard_mentor_retention": "150", "metrics-standard_active_mentees": "abc"},
    )

    response = login(member_a).post(url("edit", checkin), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing you typed was lost" in body
    assert "That is more than the award of 20,000.00" in body
    assert "less than or equal to 100" in body
    assert "Enter a number." in body
    assert "A long paragraph I don&#x27;t want to type again." in body
    assert CheckIn.objects.get(pk=checkin.pk).progress == ""


def test_stories_are_added_and_removed_without_javascript(login, member_a, checkin):
    client = login(member_a)
    new = {"title": "Maya's promotion", "body": "Promoted after a year.", "consent_to_share": "on"}

    response = client.post(url("edit", checkin), form_data(checkin, "add_story", stories=[new]))

    assert response.status_code == 302
    assert response["Location"].endswith("#stories-heading")
    story = CheckInStory.objects.get()
    assert (story.title, story.consent_to_share) == ("Maya's promotion", True)
    page = client.get(url("edit", checkin)).content.decode()
    assert 'name="stories-1-title"' in page  # a blank form for the next story

    data = form_data(checkin)
    data["stories-0-DELETE"] = "on"
    client.post(url("edit", checkin), data)

    assert not CheckInStory.objects.exists()


def test_a_half_written_story_asks_for_the_rest(login, member_a, checkin):
    data = form_data(checkin, stories=[{"title": "Only a title"}])

    response = login(member_a).post(url("edit", checkin), data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert 'value="Only a title"' in response.content.decode()
    assert not CheckInStory.objects.exists()


def test_submitting_an_incomplete_checkin_saves_the_draft_and_marks_what_is_missing(
    login, member_a, checkin
):
    new = {"title": "A story", "body": "It happened."}
    data = form_data(checkin, "submit", stories=[new], progress="Only progress so far.")

    response = login(member_a).post(url("edit", checkin), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved as a draft, not submitted yet." in body
    assert "Describe the long-term impact you see." in body
    assert "Enter how much of the award you have spent" in body
    checkin.refresh_from_db()
    assert checkin.progress == "Only progress so far." and checkin.status == S.DRAFT
    # The saved story comes back as saved: posting the page again doesn't duplicate it.
    assert body.count('name="stories-0-id"') == 1
    assert 'name="stories-0-id" value="' in body and CheckInStory.objects.count() == 1


def test_the_submit_button_saves_and_submits(login, member_a, checkin):
    response = login(member_a).post(url("edit", checkin), form_data(checkin, "submit", **COMPLETE))

    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == S.SUBMITTED and checkin.submitted_by == member_a
    page = login(member_a).get(url("detail", checkin)).content.decode()
    assert COMPLETE["impact"] in page
    assert url("edit", checkin) not in page


def test_a_submitted_checkin_is_read_only(login, member_a, submitted):
    response = login(member_a).get(url("edit", submitted))

    assert response.status_code == 302 and response["Location"] == url("detail", submitted)
    response = login(member_a).post(url("edit", submitted), form_data(submitted, progress="x"))
    assert CheckIn.objects.get(pk=submitted.pk).progress == COMPLETE["progress"]


def test_a_colleagues_newer_save_is_not_overwritten_silently(login, lab, org_a, member_a, checkin):
    stale = form_data(checkin, progress="My version.")
    colleague = MembershipFactory(organization=org_a).user
    with time_machine.travel(NOW + dt.timedelta(minutes=3), tick=False):
        login(colleague).post(url("edit", checkin), form_data(checkin, progress="Their version."))

        response = login(member_a).post(url("edit", checkin), stale)

        assert response.status_code == 200
        body = response.content.decode()
        assert "saved this check-in at" in body and "My version." in body
        assert CheckIn.objects.get(pk=checkin.pk).progress == "Their version."
        # Saving again, having seen the warning, replaces theirs.
        again = {**stale, "version": response.context["form"]["version"].value()}
        assert login(member_a).post(url("edit", checkin), again).status_code == 302
    assert CheckIn.objects.get(pk=checkin.pk).progress == "My version."


# --- Follow-up ---------------------------------------------------------------------------------


def test_a_facilitator_asks_a_question_from_the_checkin_page(
    login, facilitator, member_a, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    client = login(facilitator)
    page = client.get(url("detail", submitted)).content.decode()
    assert url("question", submitted) in page and url("acknowledge", submitted) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("question", submitted), {"message": "Which employers?"})

    assert response.status_code == 302
    assert CheckIn.objects.get(pk=submitted.pk).status == S.QUESTION
    assert [m.to for m in mailoutbox] == [[member_a.email]]
    page = login(member_a).get(url("detail", submitted)).content.decode()
    assert "Which employers?" in page and url("edit", submitted) in page


def test_an_empty_question_is_explained_beside_the_field(login, facilitator, submitted):
    response = login(facilitator).post(url("question", submitted), {"message": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert CheckIn.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_a_facilitator_acknowledges_with_an_optional_email(
    login, facilitator, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(url("acknowledge", submitted), {"message": ""})

    assert response.status_code == 302
    assert CheckIn.objects.get(pk=submitted.pk).status == S.ACKNOWLEDGED
    assert mailoutbox == []


def test_acknowledging_a_draft_is_refused_with_a_message(login, facilitator, checkin):
    response = login(facilitator).post(url("acknowledge", checkin), {"notify": "on"}, follow=True)

    assert "isn&#x27;t submitted yet" in response.content.decode()
    assert CheckIn.objects.get(pk=checkin.pk).status == S.DRAFT
