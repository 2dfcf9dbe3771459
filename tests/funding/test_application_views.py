"""The applicant's pages: the funding overview and round, starting, editing (drafts keep what
was typed; metric and budget rows added and removed), submitting, withdrawing, versions and
attachments; who may open each one, and flat query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import (
    Application,
    ApplicationAttachment,
    ApplicationEvent,
    ApplicationStatus,
    BudgetLine,
    FundingRound,
    RubricCriterion,
    SuccessMetric,
)
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    InterventionAreaFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def funding_round(lab):
    return FundingRoundFactory(lab=lab)


@pytest.fixture
def draft_a(funding_round, org_a, member_a):
    return ApplicationFactory(round=funding_round, organization=org_a)


@pytest.fixture
def draft_b(funding_round, org_b, member_b):
    return ApplicationFactory(round=funding_round, organization=org_b, title="Latinas lead in tech")


def url(name: str, application: Application, *more) -> str:
    return reverse(f"funding:{name}", args=[application.lab.slug, application.pk, *more])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def body(response) -> str:
    return " ".join(response.content.decode().split())


def form_data(application: Application, **overrides) -> dict:
    """The edit form as the browser would post it, with the saved rows and one blank each."""
    data = {
        "title": application.title,
        "intervention_area": "",
        "problem": application.problem,
        "initiative": application.initiative,
        "who_it_serves": application.who_it_serves,
        "expected_outcomes": application.expected_outcomes,
        "plan": application.plan,
        "summary": application.summary,
    }
    metrics = list(application.metrics.all())
    lines = list(application.budget_lines.all())
    data |= {
        "metrics-TOTAL_FORMS": str(len(metrics) + 1),
        "metrics-INITIAL_FORMS": str(len(metrics)),
        "budget-TOTAL_FORMS": str(len(lines) + 1),
        "budget-INITIAL_FORMS": str(len(lines)),
    }
    for i, m in enumerate(metrics):
        data |= {
            f"metrics-{i}-id": str(m.pk),
            f"metrics-{i}-name": m.name,
            f"metrics-{i}-unit": m.unit,
            f"metrics-{i}-baseline": str(m.baseline),
            f"metrics-{i}-target": str(m.target),
        }
    for i, b in enumerate(lines):
        data |= {
            f"budget-{i}-id": str(b.pk),
            f"budget-{i}-category": b.category,
            f"budget-{i}-description": b.description,
            f"budget-{i}-amount": str(b.amount),
        }
    return data | overrides


# --- The overview -----------------------------------------------------------------------------


def test_facilitators_see_the_pool_and_every_application(login, lab, facilitator, draft_a, draft_b):
    ApplicationFactory(round=draft_a.round, organization=OrganizationFactory(), approved=True)

    response = login(facilitator).get(reverse("funding:overview", args=[lab.slug]))

    page = body(response)
    assert response.status_code == 200
    assert "Engineers as mentors" in page and "Latinas lead in tech" in page
    assert "Left to award" in page
    assert "70,000.00" in page  # 90,000 pool less the 20,000 awarded
    assert "20,000.00" in page  # requested totals and the award


def test_members_see_their_own_application_and_never_another_organizations(
    login, lab, member_a, draft_a, draft_b
):
    response = login(member_a).get(reverse("funding:overview", args=[lab.slug]))

    page = body(response)
    assert "Engineers as mentors" in page
    assert "Latinas lead in tech" not in page
    assert "Left to award" not in page


def test_a_member_without_an_application_is_offered_to_start_one(
    login, lab, funding_round, member_a
):
    response = login(member_a).get(reverse("funding:overview", args=[lab.slug]))

    assert "Start an application" in body(response)
    assert reverse("funding:application_start", args=[lab.slug]) in body(response)


def test_the_overview_shows_the_round_and_its_rubric(login, lab, funding_round, member_a):
    funding_round.max_award = Decimal("30000")
    funding_round.save()

    page = body(login(member_a).get(reverse("funding:overview", args=[lab.slug])))

    assert "30,000.00 USD" in page or "30,000.00" in page
    assert "Budget realism" in page
    assert funding_round.guidance in page


@pytest.mark.parametrize("who", ["outsider", "facilitator2", "member_c"])
def test_the_overview_is_not_found_outside_the_lab(request, login, lab, funding_round, who):
    if who == "member_c":
        user = MembershipFactory(organization=request.getfixturevalue("org_c")).user
    else:
        user = request.getfixturevalue(who)

    response = login(user).get(reverse("funding:overview", args=[lab.slug]))

    assert response.status_code == 404


def test_the_overview_asks_anonymous_visitors_to_sign_in(client, lab):
    response = client.get(reverse("funding:overview", args=[lab.slug]))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


# --- The round --------------------------------------------------------------------------------


def round_data(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "opens_on": today.isoformat(),
        "deadline_date": (today + dt.timedelta(days=30)).isoformat(),
        "deadline_time": "17:00",
        "max_award": "25000",
        "guidance": "Grow it from your intervention area.",
        **overrides,
    }


def test_facilitators_set_up_the_round_with_the_guides_rubric(login, lab, facilitator):
    response = login(facilitator).post(reverse("funding:round_edit", args=[lab.slug]), round_data())

    funding_round = FundingRound.objects.get(lab=lab)
    assert response.status_code == 302
    assert funding_round.max_award == Decimal("25000")
    assert funding_round.deadline.astimezone(lab.tz).time() == dt.time(17, 0)
    assert [c.name for c in funding_round.criteria.all()][0] == "Feasibility"
    assert funding_round.criteria.count() == 4


def test_the_deadline_before_the_opening_is_refused_beside_the_field(login, lab, facilitator):
    today = timezone.localdate()
    data = round_data(deadline_date=(today - dt.timedelta(days=1)).isoformat())

    response = login(facilitator).post(reverse("funding:round_edit", args=[lab.slug]), data)

    assert response.status_code == 200
    assert "The deadline must be on or after the opening." in body(response)
    assert not FundingRound.objects.exists()


def test_a_max_award_above_the_pool_is_refused(login, lab, facilitator):
    response = login(facilitator).post(
        reverse("funding:round_edit", args=[lab.slug]), round_data(max_award="100000")
    )

    assert response.status_code == 200
    assert "an award can&#x27;t be more" in response.content.decode()


def criteria_data(funding_round, rows: list[dict], extra: int = 0) -> dict:
    criteria = list(funding_round.criteria.all())
    data = {
        "criteria-TOTAL_FORMS": str(len(rows) + extra),
        "criteria-INITIAL_FORMS": str(len(criteria)),
    }
    for i, row in enumerate(rows):
        data |= {f"criteria-{i}-{k}": v for k, v in row.items()}
    return data


def test_facilitators_rename_remove_add_and_reorder_rubric_criteria(
    login, lab, facilitator, funding_round
):
    feasibility, alignment, impact, budget = funding_round.criteria.all()
    rows = [
        {"id": feasibility.pk, "name": "Can they do it?", "max_score": 5, "position": 3},
        {"id": alignment.pk, "name": alignment.name, "max_score": 5, "position": 1},
        {"id": impact.pk, "name": impact.name, "max_score": 5, "position": 2, "DELETE": "on"},
        {"id": budget.pk, "name": budget.name, "max_score": 10, "position": 4},
        {"name": "Sustainability", "description": "Will it last?", "max_score": 5, "position": 5},
    ]
    data = round_data() | criteria_data(funding_round, rows)

    response = login(facilitator).post(reverse("funding:round_edit", args=[lab.slug]), data)

    assert response.status_code == 302
    names = list(funding_round.criteria.values_list("name", "max_score"))
    assert names == [
        ("Alignment with the lab's goals", 5),
        ("Can they do it?", 5),
        ("Budget realism", 10),
        ("Sustainability", 5),
    ]


def test_removing_every_criterion_is_refused(login, lab, facilitator, funding_round):
    rows = [
        {"id": c.pk, "name": c.name, "max_score": 5, "position": i, "DELETE": "on"}
        for i, c in enumerate(funding_round.criteria.all())
    ]
    data = round_data() | criteria_data(funding_round, rows)

    response = login(facilitator).post(reverse("funding:round_edit", args=[lab.slug]), data)

    assert response.status_code == 200
    assert "Keep at least one criterion" in body(response)
    assert RubricCriterion.objects.filter(round=funding_round).count() == 4


def test_save_and_add_rows_offers_more_empty_criteria(login, lab, facilitator, funding_round):
    rows = [
        {"id": c.pk, "name": c.name, "max_score": 5, "position": i}
        for i, c in enumerate(funding_round.criteria.all())
    ]
    data = round_data(more="1") | criteria_data(funding_round, rows)
    client = login(facilitator)

    response = client.post(reverse("funding:round_edit", args=[lab.slug]), data)
    page = client.get(response.url).content.decode()

    assert response.url.endswith("?more=1#criteria")
    assert 'name="criteria-TOTAL_FORMS" value="7"' in page


@pytest.mark.parametrize("who", ["member_a", "facilitator2", "outsider"])
def test_only_the_labs_facilitators_edit_the_round(request, login, lab, org_a, who):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("funding:round_edit", args=[lab.slug])).status_code == 404
    response = client.post(reverse("funding:round_edit", args=[lab.slug]), round_data())
    assert response.status_code == 404
    assert not FundingRound.objects.exists()


# --- Starting ---------------------------------------------------------------------------------


def test_a_member_starts_the_draft_for_their_organization(
    login, lab, funding_round, org_a, member_a
):
    response = login(member_a).post(reverse("funding:application_start", args=[lab.slug]))

    application = Application.objects.get()
    assert application.organization == org_a
    assert application.status == ApplicationStatus.DRAFT
    assert application.created_by == member_a
    assert response.url == url("application_edit", application)
    event = ApplicationEvent.objects.get()
    assert (event.to_status, event.actor) == ("draft", member_a)


def test_starting_again_opens_the_organizations_one_application(login, lab, member_a, draft_a):
    response = login(member_a).post(reverse("funding:application_start", args=[lab.slug]))

    assert Application.objects.count() == 1
    assert response.url == draft_a.get_absolute_url()


def test_a_member_of_two_organizations_chooses_which_one_applies(
    login, lab, funding_round, org_a, org_b, member_a
):
    MembershipFactory(organization=org_b, user=member_a)
    client = login(member_a)

    page = body(client.get(reverse("funding:overview", args=[lab.slug])))
    client.post(reverse("funding:application_start", args=[lab.slug]), {"organization": org_b.pk})

    assert page.count("Start an application") == 2
    assert Application.objects.get().organization == org_b


def test_one_cannot_start_an_application_for_someone_elses_organization(
    login, lab, funding_round, org_b, member_a
):
    login(member_a).post(
        reverse("funding:application_start", args=[lab.slug]), {"organization": org_b.pk}
    )

    assert not Application.objects.exists()


def test_no_new_application_after_the_deadline(login, lab, funding_round, member_a):
    with time_machine.travel(funding_round.deadline + dt.timedelta(minutes=1)):
        response = login(member_a).post(reverse("funding:application_start", args=[lab.slug]))

    assert not Application.objects.exists()
    assert "deadline has passed" in texts(response)[0]


@pytest.mark.parametrize("who", ["facilitator", "outsider", "facilitator2"])
def test_only_the_cohorts_organizations_start_applications(request, login, lab, funding_round, who):
    response = login(request.getfixturevalue(who)).post(
        reverse("funding:application_start", args=[lab.slug])
    )

    assert response.status_code == 404
    assert not Application.objects.exists()


# --- The application page ---------------------------------------------------------------------


def test_members_read_their_application_with_its_history(login, member_a, draft_a):
    ApplicationEvent.objects.create(
        application=draft_a, to_status="draft", actor=member_a, message="Draft started."
    )

    response = login(member_a).get(draft_a.get_absolute_url())

    page = body(response)
    assert response.status_code == 200
    assert "Mentors with engineering backgrounds" in page
    assert "Recruiting events" in page and "20,000.00" in page
    assert "Draft started." in page
    assert "Submit the application" in page
    assert "Reviews" not in page


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
@pytest.mark.parametrize(
    "name", ["application", "application_edit", "application_withdraw", "version"]
)
def test_another_organizations_application_is_not_found(request, login, draft_a, who, name):
    services.application_submit(application=draft_a, user=draft_a.created_by)
    draft_a.refresh_from_db()
    args = (1,) if name == "version" else ()

    response = login(request.getfixturevalue(who)).get(url(name, draft_a, *args))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
@pytest.mark.parametrize("name", ["application_submit", "application_withdraw"])
def test_another_organization_cannot_act_on_the_application(request, login, draft_a, who, name):
    response = login(request.getfixturevalue(who)).post(url(name, draft_a))

    draft_a.refresh_from_db()
    assert response.status_code == 404
    assert draft_a.status == ApplicationStatus.DRAFT


def test_the_application_page_asks_anonymous_visitors_to_sign_in(client, draft_a):
    response = client.get(draft_a.get_absolute_url())

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_facilitators_read_every_application_but_do_not_edit_it(login, facilitator, draft_a):
    client = login(facilitator)

    assert client.get(draft_a.get_absolute_url()).status_code == 200
    assert client.get(url("application_edit", draft_a)).status_code == 404


# --- Editing ----------------------------------------------------------------------------------


def test_a_draft_saves_with_fields_missing(login, member_a, draft_a):
    data = form_data(draft_a, title="", problem="Still thinking about it.", summary="")

    response = login(member_a).post(url("application_edit", draft_a), data)

    draft_a.refresh_from_db()
    assert response.status_code == 302
    assert draft_a.title == "" and draft_a.problem == "Still thinking about it."
    assert texts(response) == ["Draft saved."]


def test_a_half_typed_row_is_kept_and_explained_while_the_rest_is_saved(login, member_a, draft_a):
    data = form_data(
        draft_a,
        title="A sharper title",
        **{"metrics-1-name": "Mentees placed in jobs", "metrics-1-baseline": "4"},
    )

    response = login(member_a).post(url("application_edit", draft_a), data)

    page = body(response)
    draft_a.refresh_from_db()
    assert response.status_code == 200
    assert draft_a.title == "A sharper title"
    assert "Give the value you aim for." in page
    assert 'value="Mentees placed in jobs"' in page
    assert "the success metrics needs attention" in page
    assert draft_a.metrics.count() == 1


def test_budget_lines_are_added_and_removed_in_one_save(login, member_a, draft_a):
    events, stipends = draft_a.budget_lines.all()
    data = form_data(
        draft_a,
        **{
            "budget-1-DELETE": "on",
            "budget-2-category": "technology",
            "budget-2-description": "Matching software",
            "budget-2-amount": "1500.50",
        },
    )

    login(member_a).post(url("application_edit", draft_a), data)

    lines = list(draft_a.budget_lines.values_list("description", "amount", "position"))
    assert lines == [
        ("Recruiting events", Decimal("12000.00"), 1),
        ("Matching software", Decimal("1500.50"), 2),
    ]
    assert not BudgetLine.objects.filter(pk=stipends.pk).exists()
    assert draft_a.budget_total() == Decimal("13500.50")


def test_metrics_are_added_and_removed(login, member_a, draft_a):
    data = form_data(
        draft_a,
        **{
            "metrics-0-DELETE": "on",
            "metrics-1-name": "Mentees placed in jobs",
            "metrics-1-unit": "mentees",
            "metrics-1-baseline": "4",
            "metrics-1-target": "12",
        },
    )

    login(member_a).post(url("application_edit", draft_a), data)

    assert list(SuccessMetric.objects.values_list("name", "baseline", "target")) == [
        ("Mentees placed in jobs", Decimal("4"), Decimal("12"))
    ]


def test_add_more_rows_saves_and_comes_back_with_empty_rows_without_javascript(
    login, member_a, draft_a
):
    client = login(member_a)
    data = form_data(draft_a, title="Saved first", more="budget")

    response = client.post(url("application_edit", draft_a), data)
    page = client.get(response.url).content.decode()

    draft_a.refresh_from_db()
    assert draft_a.title == "Saved first"
    assert response.url.endswith("?more=budget#budget")
    assert 'name="budget-TOTAL_FORMS" value="5"' in page  # two lines and three blank rows
    assert 'name="metrics-TOTAL_FORMS" value="2"' in page


def test_the_edit_page_shows_the_total_and_the_add_row_script(login, member_a, draft_a):
    page = body(login(member_a).get(url("application_edit", draft_a)))

    assert "20,000.00" in page
    assert "js/funding-rows.js" in page
    assert 'id="budget-empty"' in page


def test_several_members_of_the_organization_edit_the_same_draft(login, org_a, member_a, draft_a):
    colleague = MembershipFactory(organization=org_a).user

    login(colleague).post(url("application_edit", draft_a), form_data(draft_a, plan="Revised"))

    draft_a.refresh_from_db()
    assert draft_a.plan == "Revised"


def test_only_the_organizations_intervention_areas_may_be_chosen(
    login, lab, org_a, org_b, member_a, draft_a
):
    own = InterventionAreaFactory(lab=lab, organization=org_a)
    theirs = InterventionAreaFactory(lab=lab, organization=org_b, title="Their area")
    client = login(member_a)

    page = client.get(url("application_edit", draft_a)).content.decode()
    refused = client.post(
        url("application_edit", draft_a), form_data(draft_a, intervention_area=theirs.pk)
    )
    client.post(url("application_edit", draft_a), form_data(draft_a, intervention_area=own.pk))

    draft_a.refresh_from_db()
    assert "Their area" not in page
    assert refused.status_code == 200
    assert "Select a valid choice" in body(refused)
    assert draft_a.intervention_area == own


def test_a_submitted_application_cannot_be_edited(login, member_a, draft_a):
    services.application_submit(application=draft_a, user=member_a)
    client = login(member_a)

    response = client.post(url("application_edit", draft_a), form_data(draft_a, title="Sneaky"))

    draft_a.refresh_from_db()
    assert response.status_code == 302
    assert draft_a.title == "Engineers as mentors"
    assert "can't be edited now" in texts(response)[0]


# --- Submitting -------------------------------------------------------------------------------


def test_submitting_an_incomplete_draft_lists_what_is_missing(
    login, funding_round, org_a, member_a
):
    draft = ApplicationFactory(round=funding_round, organization=org_a, empty=True)
    client = login(member_a)

    response = client.post(url("application_submit", draft))

    draft.refresh_from_db()
    message = texts(response)[0]
    assert draft.status == ApplicationStatus.DRAFT
    assert "a title" in message
    assert "at least one success metric" in message
    assert "at least one budget line" in message
    page = body(client.get(draft.get_absolute_url()))
    assert "Still missing" in page and "a month-by-month plan" in page


def test_submitting_after_the_deadline_is_refused_with_the_deadline(
    login, funding_round, member_a, draft_a
):
    with time_machine.travel(funding_round.deadline + dt.timedelta(hours=1)):
        response = login(member_a).post(url("application_submit", draft_a))

    draft_a.refresh_from_db()
    assert draft_a.status == ApplicationStatus.DRAFT
    assert "The funding round is closed" in texts(response)[0]
    assert draft_a.versions.count() == 0


def test_submitting_freezes_version_one_and_tells_the_facilitators(
    login, lab, facilitator, member_a, draft_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member_a).post(url("application_submit", draft_a))

    draft_a.refresh_from_db()
    assert draft_a.status == ApplicationStatus.SUBMITTED
    assert draft_a.versions.get().number == 1
    assert "Submitted as version 1" in texts(response)[0]
    assert [m.to for m in mailoutbox] == [[facilitator.email]]
    message = mailoutbox[0]
    assert "Out in Tech Chicago" in message.subject
    assert draft_a.get_absolute_url() in message.body
    assert "version 1" in message.body


def test_a_resubmission_after_changes_requested_is_version_two_and_shows_what_changed(
    login, facilitator, member_a, draft_a
):
    services.application_submit(application=draft_a, user=member_a)
    services.application_request_changes(
        application=draft_a, user=facilitator, message="Show how you recruit."
    )
    client = login(member_a)
    data = form_data(
        draft_a,
        title="Engineers as mentors, with partners",
        **{
            "budget-0-amount": "15000",
            "metrics-1-name": "Partner employers",
            "metrics-1-baseline": "0",
            "metrics-1-target": "3",
        },
    )
    client.post(url("application_edit", draft_a), data)

    client.post(url("application_submit", draft_a))
    page = body(client.get(url("version", draft_a, 2)))

    draft_a.refresh_from_db()
    assert draft_a.status == ApplicationStatus.RESUBMITTED
    assert list(draft_a.versions.values_list("number", flat=True)) == [1, 2]
    assert "Compared with version 1: 1 text field changed" in page
    assert "the success metrics changed, the budget changed" in page
    assert re.search(r"\[added: </span>, with partners", page)
    assert "Partner employers" in page and "<strong>Added</strong>" in page
    assert re.search(
        r"was </span>12,000.00</del> → <ins[^>]*><span[^>]*>now </span>15,000.00", page
    )
    assert "<del>20,000.00</del> → 23,000.00" in page
    assert "Changed" in page


def test_the_first_version_has_nothing_to_compare(login, member_a, draft_a):
    services.application_submit(application=draft_a, user=member_a)

    page = body(login(member_a).get(url("version", draft_a, 1)))

    assert "This is the first version" in page
    assert "Engineers as mentors" in page


def test_a_version_that_does_not_exist_is_not_found(login, member_a, draft_a):
    assert login(member_a).get(url("version", draft_a, 1)).status_code == 404


# --- Withdrawing ------------------------------------------------------------------------------


def test_withdrawing_asks_first_then_records_the_message(login, member_a, draft_a):
    client = login(member_a)

    confirm = client.get(url("application_withdraw", draft_a))
    response = client.post(url("application_withdraw", draft_a), {"message": "Not this year."})

    draft_a.refresh_from_db()
    assert confirm.status_code == 200 and "Withdraw the application?" in body(confirm)
    assert response.status_code == 302
    assert draft_a.status == ApplicationStatus.WITHDRAWN
    assert draft_a.events.get(to_status="withdrawn").message == "Not this year."


def test_a_decided_application_cannot_be_withdrawn(login, funding_round, org_a, member_a):
    approved = ApplicationFactory(round=funding_round, organization=org_a, approved=True)

    response = login(member_a).post(url("application_withdraw", approved))

    approved.refresh_from_db()
    assert approved.status == ApplicationStatus.APPROVED
    assert "can't become withdrawn" in texts(response)[0]


# --- Attachments ------------------------------------------------------------------------------


def upload(client, application, name="partners.pdf", content=PDF):
    return client.post(
        url("application_attachment_upload", application),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_members_attach_a_pdf_while_the_application_is_editable(login, member_a, draft_a):
    response = upload(login(member_a), draft_a)

    attachment = ApplicationAttachment.objects.get()
    assert response.status_code == 302
    assert attachment.name == "partners.pdf"
    assert attachment.uploaded_by == member_a
    assert attachment.file.name.startswith("applications/")
    assert "partners" not in attachment.file.name


def test_a_pdf_that_is_really_text_is_refused_with_a_clear_message(login, member_a, draft_a):
    response = upload(login(member_a), draft_a, content=b"just some text, not a PDF")

    assert response.status_code == 200
    assert "This file isn&#x27;t one we accept" in response.content.decode()
    assert not ApplicationAttachment.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(settings, login, member_a, draft_a):
    settings.MLL_MAX_UPLOAD_BYTES = 1024

    response = upload(login(member_a), draft_a, content=PDF + b"0" * 2048)

    assert response.status_code == 200
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not ApplicationAttachment.objects.exists()


def test_the_file_downloads_as_an_attachment_that_is_never_sniffed(
    login, facilitator, member_a, draft_a
):
    upload(login(member_a), draft_a)
    attachment = ApplicationAttachment.objects.get()

    response = login(facilitator).get(url("application_attachment", draft_a, attachment.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="partners.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
def test_another_organizations_attachment_is_not_found(request, login, member_a, draft_a, who):
    upload(login(member_a), draft_a)
    attachment = ApplicationAttachment.objects.get()
    client = login(request.getfixturevalue(who))

    assert client.get(url("application_attachment", draft_a, attachment.pk)).status_code == 404
    deleting = client.post(url("application_attachment_delete", draft_a, attachment.pk))
    assert deleting.status_code == 404
    assert ApplicationAttachment.objects.exists()


def test_an_attachment_is_not_reached_through_another_application(
    login, member_a, member_b, draft_a, draft_b
):
    upload(login(member_b), draft_b)
    attachment = ApplicationAttachment.objects.get()

    response = login(member_a).get(url("application_attachment", draft_a, attachment.pk))

    assert response.status_code == 404


def test_members_remove_an_attachment_while_editable_but_not_after_submitting(
    login, member_a, draft_a
):
    client = login(member_a)
    upload(client, draft_a, name="one.pdf")
    upload(client, draft_a, name="two.pdf")
    one, two = ApplicationAttachment.objects.order_by("name")

    client.post(url("application_attachment_delete", draft_a, one.pk))
    services.application_submit(application=draft_a, user=member_a)
    refused = client.post(url("application_attachment_delete", draft_a, two.pk))

    assert list(ApplicationAttachment.objects.values_list("name", flat=True)) == ["two.pdf"]
    assert "can't be edited now" in texts(refused)[-1]


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def more_applications(funding_round, n: int) -> None:
    for _ in range(n):
        org = OrganizationFactory()
        ParticipationFactory(lab=funding_round.lab, organization=org)
        ApplicationFactory(round=funding_round, organization=org, approved=True)


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
def test_the_overview_keeps_a_fixed_number_of_queries_as_applications_grow(
    request, login, lab, funding_round, draft_a, who, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(who))
    address = reverse("funding:overview", args=[lab.slug])
    more_applications(funding_round, 1)
    client.get(address)
    small = count_queries(client, address)
    more_applications(funding_round, 12)
    large = count_queries(client, address)

    assert large == small
    with django_assert_max_num_queries(15):
        client.get(address)


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
def test_the_application_page_keeps_a_fixed_number_of_queries_as_it_fills_up(
    request, login, facilitator, member_a, draft_a, who, django_assert_max_num_queries
):
    from funding.models import Review, ReviewScore

    client = login(request.getfixturevalue(who))
    address = draft_a.get_absolute_url()
    services.application_submit(application=draft_a, user=member_a)
    criteria = list(draft_a.round.criteria.all())

    def fill(n: int) -> None:
        for i in range(n):
            SuccessMetric.objects.create(application=draft_a, name=f"M{i}", baseline=1, target=2)
            BudgetLine.objects.create(
                application=draft_a, category="other", description=f"L{i}", amount=10
            )
            ApplicationEvent.objects.create(
                application=draft_a, to_status="submitted", actor=member_a, message="m"
            )
            reviewer = MembershipFactory().user
            review = Review.objects.create(
                application=draft_a, version=draft_a.versions.get(), reviewer=reviewer
            )
            ReviewScore.objects.bulk_create(
                ReviewScore(review=review, criterion=c, score=3) for c in criteria
            )

    fill(1)
    client.get(address)
    small = count_queries(client, address)
    fill(10)
    large = count_queries(client, address)

    assert large == small
    with django_assert_max_num_queries(25):
        client.get(address)
