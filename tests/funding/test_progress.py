"""Monthly progress updates: posting one per month, editing, validation beside each field,
spending per budget line, replies, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import ProgressUpdate, UpdateReply
from funding.services import FundingError
from funding.services_initiatives import progress_update_save, update_reply
from labs.models import PhaseKey
from tests.funding.initiatives_setup import NOW, fund, post_update, run_phase2_in_2027

JAN, FEB, MAR = (dt.date(2027, m, 1) for m in (1, 2, 3))


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def initiative(lab, org_a, member_a):
    return fund(run_phase2_in_2027(lab), org_a)


def create_url(application, month: str = "") -> str:
    url = reverse("funding:update_create", args=[application.lab.slug, application.pk])
    return f"{url}?month={month}" if month else url


def update_url(update, name: str = "update") -> str:
    application = update.application
    return reverse(f"funding:{name}", args=[application.lab.slug, application.pk, update.pk])


def form_data(application, *, month="2027-02", what="Held two recruiting events.", **extra):
    metric = application.metrics.get()
    events, stipends = application.budget_lines.all()
    data = {
        "month": month,
        "what_happened": what,
        "blockers": "",
        f"metric_{metric.pk}": "28",
        f"spent_{events.pk}": "1200.50",
        f"spent_{stipends.pk}": "",
    }
    data.update(extra)
    return data


# --- Posting ----------------------------------------------------------------------------------


def test_the_form_offers_the_begun_months_not_yet_reported_latest_ended_first(
    login, member_a, initiative
):
    post_update(initiative, JAN)

    form = login(member_a).get(create_url(initiative)).context["form"]

    assert [value for value, _ in form.fields["month"].choices] == ["2027-03", "2027-02"]
    assert form.initial["month"] == "2027-02"  # February ended without an update


def test_the_month_in_the_address_is_chosen(login, member_a, initiative):
    form = login(member_a).get(create_url(initiative, "2027-01")).context["form"]

    assert form.initial["month"] == "2027-01"


def test_a_month_in_the_address_that_is_not_open_falls_back_to_the_default(
    login, member_a, initiative
):
    form = login(member_a).get(create_url(initiative, "2027-09")).context["form"]

    assert form.initial["month"] == "2027-02"


def test_posting_saves_the_update_with_metric_values_and_spending(login, member_a, initiative):
    response = login(member_a).post(create_url(initiative), form_data(initiative))

    update = ProgressUpdate.objects.get(application=initiative)
    assert response.status_code == 302 and response["Location"] == update.get_absolute_url()
    assert update.month == FEB and update.author == member_a
    assert update.what_happened == "Held two recruiting events."
    assert [v.value for v in update.values.all()] == [Decimal("28")]
    # A blank line is zero and isn't stored.
    assert [(s.budget_line.description, s.amount) for s in update.spending.all()] == [
        ("Recruiting events", Decimal("1200.50"))
    ]


def test_errors_show_beside_their_fields_and_keep_what_was_typed(login, member_a, initiative):
    metric = initiative.metrics.get()
    events = initiative.budget_lines.first()
    data = form_data(
        initiative,
        what="",
        blockers="Our venue cancelled.",
        **{f"metric_{metric.pk}": "", f"spent_{events.pk}": "-5"},
    )

    response = login(member_a).post(create_url(initiative), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["what_happened"] == ["Say what happened this month."]
    assert form.errors[f"metric_{metric.pk}"] == [
        "Give this month's value for “Mentors with engineering backgrounds”."
    ]
    assert form.errors[f"spent_{events.pk}"] == ["Spending can't be negative."]
    page = response.content.decode()
    assert "Our venue cancelled." in page and 'value="-5"' in page
    assert not ProgressUpdate.objects.exists()


def test_a_month_not_open_for_an_update_is_refused_beside_the_month(login, member_a, initiative):
    response = login(member_a).post(create_url(initiative), form_data(initiative, month="2027-06"))

    assert response.context["form"].errors["month"]
    assert not ProgressUpdate.objects.exists()


def test_a_month_already_reported_is_no_longer_offered(login, member_a, initiative):
    post_update(initiative, FEB)

    response = login(member_a).post(create_url(initiative), form_data(initiative, month="2027-02"))

    assert "month" in response.context["form"].errors
    assert ProgressUpdate.objects.filter(application=initiative).count() == 1


def test_the_service_refuses_a_second_update_for_a_month(initiative, member_a):
    post_update(initiative, FEB)
    metric = initiative.metrics.get()

    with pytest.raises(FundingError, match="February 2027 already has an update"):
        progress_update_save(
            application=initiative,
            user=member_a,
            month=FEB,
            what_happened="Again",
            blockers="",
            values={metric.pk: Decimal("1")},
            spending={},
        )


def test_the_service_refuses_a_month_outside_phase2(initiative, member_a):
    metric = initiative.metrics.get()
    before = initiative.lab.timeline.phase(PhaseKey.PHASE2).start - dt.timedelta(days=1)

    with pytest.raises(FundingError, match="Phase 2"):
        progress_update_save(
            application=initiative,
            user=member_a,
            month=before.replace(day=1),
            what_happened="Early",
            blockers="",
            values={metric.pk: Decimal("1")},
            spending={},
        )


def test_the_service_wants_a_value_for_every_metric_and_only_own_lines(
    initiative, member_a, lab2, org_c
):
    other = fund(lab2, org_c)
    metric = initiative.metrics.get()
    common = {"application": initiative, "user": member_a, "month": FEB, "blockers": ""}

    with pytest.raises(FundingError, match="each success metric"):
        progress_update_save(**common, what_happened="x", values={}, spending={})
    with pytest.raises(FundingError, match="budget lines"):
        progress_update_save(
            **common,
            what_happened="x",
            values={metric.pk: Decimal("1")},
            spending={other.budget_lines.first().pk: Decimal("10")},
        )
    assert not ProgressUpdate.objects.exists()


def test_only_an_approved_application_reports_progress(login, member_a, lab, org_a):
    initiative = fund(run_phase2_in_2027(lab), org_a, approved=False, submitted=True)

    assert login(member_a).get(create_url(initiative)).status_code == 404
    with pytest.raises(FundingError, match="approved"):
        progress_update_save(
            application=initiative,
            user=member_a,
            month=FEB,
            what_happened="x",
            blockers="",
            values={},
            spending={},
        )


def test_with_every_month_reported_the_form_sends_you_back(login, member_a, initiative):
    for month in (JAN, FEB, MAR):
        post_update(initiative, month)

    response = login(member_a).get(create_url(initiative), follow=True)

    assert response.redirect_chain[-1][0].endswith(
        reverse("funding:initiative", args=[initiative.lab.slug, initiative.pk])
    )
    assert "Every month of Phase 2 so far has its update" in response.content.decode()


# --- Editing ----------------------------------------------------------------------------------


def test_members_edit_an_update_and_its_month_stays(login, member_a, initiative):
    update = post_update(initiative, JAN, value="26", spent=("100", "50"))
    metric = initiative.metrics.get()
    events, stipends = initiative.budget_lines.all()
    data = {
        "what_happened": "Corrected.",
        "blockers": "None",
        f"metric_{metric.pk}": "27.5",
        f"spent_{events.pk}": "",
        f"spent_{stipends.pk}": "75",
    }

    response = login(member_a).post(update_url(update, "update_edit"), data)

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.month == JAN and update.what_happened == "Corrected."
    assert [v.value for v in update.values.all()] == [Decimal("27.5")]
    assert [(s.budget_line, s.amount) for s in update.spending.all()] == [(stipends, Decimal("75"))]


def test_the_edit_form_starts_from_what_was_posted(login, member_a, initiative):
    update = post_update(initiative, JAN, value="26", spent=("100",))

    form = login(member_a).get(update_url(update, "update_edit")).context["form"]

    metric = initiative.metrics.get()
    events = initiative.budget_lines.first()
    assert "month" not in form.fields
    assert form[f"metric_{metric.pk}"].value() == Decimal("26")
    assert form[f"spent_{events.pk}"].value() == Decimal("100")


@pytest.mark.parametrize("who", ["facilitator", "member_b", "outsider", "facilitator2"])
def test_only_the_organization_edits_its_updates(request, login, who, initiative):
    update = post_update(initiative, JAN)

    response = login(request.getfixturevalue(who)).get(update_url(update, "update_edit"))

    assert response.status_code == 404


# --- Reading and replying ---------------------------------------------------------------------


def test_the_update_page_shows_values_spending_and_replies(
    login, facilitator, member_a, initiative
):
    update = post_update(initiative, JAN, value="26", spent=("1500",))
    UpdateReply.objects.create(update=update, author=facilitator, body="Great start!")

    page = login(member_a).get(update_url(update)).content.decode()

    assert "Two recruiting events" in page
    assert "1,500.00" in page and "Great start!" in page


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
def test_facilitators_and_the_organization_reply(request, login, who, initiative, mailoutbox):
    update = post_update(initiative, JAN)
    user = request.getfixturevalue(who)

    response = login(user).post(update_url(update, "update_reply"), {"body": "Which employers?"})

    assert response.status_code == 302
    reply = update.replies.get()
    assert reply.author == user and reply.body == "Which employers?"


def test_an_empty_reply_is_refused_beside_the_field(login, facilitator, initiative):
    update = post_update(initiative, JAN)

    response = login(facilitator).post(update_url(update, "update_reply"), {"body": "  "})

    assert response.status_code == 200
    assert response.context["reply_form"].errors["body"] == ["Write a reply to post."]
    assert not update.replies.exists()


def test_the_reply_service_refuses_blank_text(initiative, facilitator):
    update = post_update(initiative, JAN)

    with pytest.raises(FundingError):
        update_reply(update=update, author=facilitator, body="   ")


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
@pytest.mark.parametrize("name", ["update", "update_reply"])
def test_updates_and_replies_are_404_for_peers_outsiders_and_other_labs(
    request, login, who, name, initiative
):
    update = post_update(initiative, JAN)
    client = login(request.getfixturevalue(who))

    if name == "update":
        response = client.get(update_url(update))
    else:
        response = client.post(update_url(update, name), {"body": "Hello"})

    assert response.status_code == 404
    assert not update.replies.exists()


def test_an_update_is_reached_only_through_its_own_initiative(
    login, member_b, initiative, lab, org_b
):
    theirs = fund(lab, org_b)
    update = post_update(initiative, JAN)
    url = reverse("funding:update", args=[lab.slug, theirs.pk, update.pk])

    assert login(member_b).get(url).status_code == 404
