"""The facilitators' pages: reviewing against the rubric (private to facilitators), deciding
(with the e-mail to the organization and the pool's limit shown beside the amount), the
award's disbursement schedule, and the funding panel on the lab dashboard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import (
    Application,
    ApplicationStatus,
    Award,
    Disbursement,
    DisbursementStatus,
    Review,
    ReviewScore,
)
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    OrganizationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_round(lab):
    return FundingRoundFactory(lab=lab)


@pytest.fixture
def submitted_a(funding_round, org_a, member_a):
    application = ApplicationFactory(round=funding_round, organization=org_a)
    services.application_submit(application=application, user=member_a)
    return application


@pytest.fixture
def approved_a(funding_round, org_a, member_a):
    return ApplicationFactory(round=funding_round, organization=org_a, approved=True)


def url(name: str, application: Application, *more) -> str:
    return reverse(f"funding:{name}", args=[application.lab.slug, application.pk, *more])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def body(response) -> str:
    return " ".join(response.content.decode().split())


def review_data(application, score: int = 4, **overrides) -> dict:
    data = {"comment": "Strong partners; thin on evaluation."}
    for criterion in application.round.criteria.all():
        data[f"score_{criterion.pk}"] = str(score)
        data[f"note_{criterion.pk}"] = f"Note on {criterion.name}"
    return data | overrides


# --- Review -----------------------------------------------------------------------------------


def test_a_facilitator_scores_every_criterion_of_the_latest_version(
    login, facilitator, submitted_a
):
    response = login(facilitator).post(url("review", submitted_a), review_data(submitted_a))

    review = Review.objects.get()
    assert response.status_code == 302
    assert review.version.number == 1 and review.reviewer == facilitator
    assert review.comment == "Strong partners; thin on evaluation."
    assert sorted(review.scores.values_list("score", flat=True)) == [4, 4, 4, 4]
    assert "Note on Feasibility" in review.scores.values_list("note", flat=True)


def test_a_facilitator_edits_their_review_rather_than_adding_another(
    login, facilitator, submitted_a
):
    client = login(facilitator)
    client.post(url("review", submitted_a), review_data(submitted_a, score=2))

    page = client.get(url("review", submitted_a)).content.decode()
    client.post(url("review", submitted_a), review_data(submitted_a, score=5, comment="Better"))

    assert Review.objects.count() == 1
    assert Review.objects.get().comment == "Better"
    assert set(ReviewScore.objects.values_list("score", flat=True)) == {5}
    assert '<option value="2" selected>' in page


def test_each_facilitator_reviews_separately(login, lab, facilitator, submitted_a):
    from tests.factories import UserFactory

    colleague = UserFactory()
    lab.facilitators.add(colleague)

    login(facilitator).post(url("review", submitted_a), review_data(submitted_a))
    login(colleague).post(url("review", submitted_a), review_data(submitted_a, score=1))

    assert Review.objects.count() == 2


def test_a_missing_score_is_asked_for_beside_it_and_nothing_typed_is_lost(
    login, facilitator, submitted_a
):
    feasibility = submitted_a.round.criteria.first()
    data = review_data(submitted_a, **{f"score_{feasibility.pk}": ""})

    response = login(facilitator).post(url("review", submitted_a), data)

    page = body(response)
    assert response.status_code == 200
    assert "Score “Feasibility”." in page
    assert "Strong partners; thin on evaluation." in page
    assert not Review.objects.exists()


def test_a_score_above_the_criterions_maximum_is_refused(login, facilitator, submitted_a):
    response = login(facilitator).post(url("review", submitted_a), review_data(submitted_a, 9))

    assert response.status_code == 200
    assert not Review.objects.exists()


def test_reviews_close_once_the_application_is_decided(login, facilitator, approved_a):
    response = login(facilitator).get(url("review", approved_a))

    assert response.status_code == 302
    assert "reviews and decisions are open only" in texts(response)[0]


@pytest.mark.parametrize("who", ["member_a", "member_b", "outsider", "facilitator2"])
@pytest.mark.parametrize("name", ["review", "decide", "disbursement_plan"])
def test_only_the_labs_facilitators_review_decide_and_plan(request, login, submitted_a, who, name):
    client = login(request.getfixturevalue(who))

    assert client.get(url(name, submitted_a)).status_code == 404
    assert client.post(url(name, submitted_a), review_data(submitted_a)).status_code == 404
    assert not Review.objects.exists()


def test_the_organization_never_sees_the_reviews(login, facilitator, member_a, submitted_a):
    login(facilitator).post(
        url("review", submitted_a), review_data(submitted_a, comment="Private thoughts")
    )

    member_page = body(login(member_a).get(submitted_a.get_absolute_url()))
    facilitator_page = body(login(facilitator).get(submitted_a.get_absolute_url()))

    assert "Private thoughts" not in member_page
    assert "Note on Feasibility" not in member_page
    assert "Record the decision" not in member_page
    assert "Private thoughts" in facilitator_page
    assert "4 / 5" in facilitator_page


def test_admins_review_too(login, admin_user, submitted_a):
    response = login(admin_user).post(url("review", submitted_a), review_data(submitted_a))

    assert response.status_code == 302
    assert Review.objects.get().reviewer == admin_user


# --- Decision ---------------------------------------------------------------------------------


def test_the_award_defaults_to_the_budget_total_capped_at_the_maximum(
    login, facilitator, funding_round, submitted_a
):
    client = login(facilitator)
    full = client.get(url("decide", submitted_a)).content.decode()
    funding_round.max_award = Decimal("15000")
    funding_round.save()
    capped = client.get(url("decide", submitted_a)).content.decode()

    assert 'name="amount" value="20000.00"' in full
    assert 'name="amount" value="15000.00"' in capped


def test_approving_sets_the_award_and_emails_the_organization_with_the_amount(
    login,
    facilitator,
    member_a,
    submitted_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    data = {"decision": "approve", "amount": "18000", "message": "Well made. Start in May."}

    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(url("decide", submitted_a), data)

    submitted_a.refresh_from_db()
    assert response.status_code == 302
    assert submitted_a.status == ApplicationStatus.APPROVED
    assert Award.objects.get().amount == Decimal("18000")
    assert [m.to for m in mailoutbox] == [[member_a.email]]
    message = mailoutbox[0]
    assert "Funded" in message.subject
    assert "18,000.00 USD" in message.body
    assert "Well made. Start in May." in message.body
    assert submitted_a.get_absolute_url() in message.body


@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("request_changes", ApplicationStatus.CHANGES_REQUESTED, "Changes requested"),
        ("decline", ApplicationStatus.DECLINED, "Decision on your funding application"),
    ],
)
def test_every_decision_emails_the_organization_with_the_message(
    login,
    facilitator,
    member_a,
    submitted_a,
    decision,
    status,
    subject,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    data = {"decision": decision, "message": "The budget needs quotes."}

    with django_capture_on_commit_callbacks(execute=True):
        login(facilitator).post(url("decide", submitted_a), data)

    submitted_a.refresh_from_db()
    assert submitted_a.status == status
    assert subject in mailoutbox[0].subject
    assert "The budget needs quotes." in mailoutbox[0].body
    assert "The budget needs quotes." in mailoutbox[0].alternatives[0][0]


@pytest.mark.parametrize("decision", ["request_changes", "decline"])
def test_asking_for_changes_or_declining_needs_a_message(
    login, facilitator, submitted_a, decision, mailoutbox
):
    response = login(facilitator).post(url("decide", submitted_a), {"decision": decision})

    submitted_a.refresh_from_db()
    assert response.status_code == 200
    assert "Tell the organization why" in body(response)
    assert submitted_a.status == ApplicationStatus.SUBMITTED
    assert mailoutbox == []


def test_approving_beyond_the_pool_shows_the_error_beside_the_amount(
    login, lab, facilitator, funding_round, submitted_a, mailoutbox
):
    other = OrganizationFactory()
    ParticipationFactory(lab=lab, organization=other)
    ApplicationFactory(
        round=funding_round, organization=other, approved=True, award_amount=Decimal("80000")
    )
    data = {"decision": "approve", "amount": "15000", "message": "Keep this message."}

    response = login(facilitator).post(url("decide", submitted_a), data)

    page = response.content.decode()
    submitted_a.refresh_from_db()
    assert response.status_code == 200
    assert submitted_a.status == ApplicationStatus.SUBMITTED
    assert Award.objects.count() == 1
    error = page.index("Only 10,000.00 USD of the pool is left")
    assert page.rindex('id="id_amount"', 0, error) > page.index('id="id_decision_0"')
    assert 'value="15000"' in page
    assert "Keep this message." in page
    assert mailoutbox == []


def test_approving_above_the_maximum_per_award_is_refused_beside_the_amount(
    login, facilitator, funding_round, submitted_a
):
    funding_round.max_award = Decimal("10000")
    funding_round.save()

    response = login(facilitator).post(
        url("decide", submitted_a), {"decision": "approve", "amount": "12000"}
    )

    assert response.status_code == 200
    assert "The most one award may be is 10,000.00 USD." in response.content.decode()
    assert not Award.objects.exists()


def test_a_decided_application_cannot_be_decided_again(login, facilitator, approved_a):
    response = login(facilitator).post(
        url("decide", approved_a), {"decision": "decline", "message": "Changed our minds"}
    )

    approved_a.refresh_from_db()
    assert response.status_code == 200
    assert "there is nothing to decide now" in body(response)
    assert approved_a.status == ApplicationStatus.APPROVED


def test_the_facilitators_application_page_offers_the_decision_with_the_default_award(
    login, facilitator, submitted_a
):
    page = body(login(facilitator).get(submitted_a.get_absolute_url()))

    assert "Record the decision" in page
    assert 'name="amount" value="20000.00"' in page
    assert "Score version 1" in page


# --- Disbursements ----------------------------------------------------------------------------


def test_facilitators_plan_tranches_and_mark_them_paid(
    login, lab, facilitator, approved_a, funding_round
):
    client = login(facilitator)
    day = lab.today() + dt.timedelta(days=30)

    client.post(
        url("disbursement_plan", approved_a), {"planned_on": day.isoformat(), "amount": "12000"}
    )
    tranche = Disbursement.objects.get()
    client.post(url("disbursement_paid", approved_a, tranche.pk), {"paid_on": day.isoformat()})
    page = body(client.get(approved_a.get_absolute_url()))

    tranche.refresh_from_db()
    assert tranche.status == DisbursementStatus.PAID and tranche.paid_on == day
    assert tranche.recorded_by == facilitator
    assert "Still to pay" in page
    assert "8,000.00" in page  # 20,000 award less 12,000 paid
    assert services.pool_summary(lab)["disbursed"] == Decimal("12000")


def test_tranches_beyond_the_award_are_refused_beside_the_amount(
    login, lab, facilitator, approved_a
):
    response = login(facilitator).post(
        url("disbursement_plan", approved_a),
        {"planned_on": lab.today().isoformat(), "amount": "25000"},
    )

    assert response.status_code == 200
    assert "Only 20,000.00 USD of this award is left to schedule" in response.content.decode()
    assert 'value="25000"' in response.content.decode()
    assert not Disbursement.objects.exists()


def test_a_tranche_is_marked_paid_once(login, lab, facilitator, approved_a):
    award = approved_a.award
    tranche = Disbursement.objects.create(award=award, planned_on=lab.today(), amount=5000)
    client = login(facilitator)
    paid_on = lab.today().isoformat()

    client.post(url("disbursement_paid", approved_a, tranche.pk), {"paid_on": paid_on})
    again = client.post(url("disbursement_paid", approved_a, tranche.pk), {"paid_on": paid_on})

    assert "already marked paid" in texts(again)[-1]


def test_the_organization_reads_its_award_and_schedule_but_cannot_change_it(
    login, lab, member_a, approved_a
):
    tranche = Disbursement.objects.create(
        award=approved_a.award, planned_on=lab.today(), amount=Decimal("7500")
    )
    client = login(member_a)

    page = body(client.get(approved_a.get_absolute_url()))
    paying = client.post(
        url("disbursement_paid", approved_a, tranche.pk), {"paid_on": lab.today().isoformat()}
    )

    assert "Award and disbursements" in page
    assert "7,500.00" in page and "20,000.00" in page
    assert "Mark paid" not in page and "Schedule a tranche" not in page
    assert paying.status_code == 404
    tranche.refresh_from_db()
    assert tranche.status == DisbursementStatus.PLANNED


def test_another_labs_tranche_is_not_found(login, lab, facilitator, approved_a, lab2):
    other_round = FundingRoundFactory(lab=lab2)
    other = ApplicationFactory(round=other_round, approved=True)
    tranche = Disbursement.objects.create(award=other.award, planned_on=lab.today(), amount=10)

    response = login(facilitator).post(
        url("disbursement_paid", approved_a, tranche.pk), {"paid_on": lab.today().isoformat()}
    )

    assert response.status_code == 404


# --- The dashboard panel ----------------------------------------------------------------------


def test_members_see_their_status_the_next_step_and_the_deadline_on_the_dashboard(
    login, lab, member_a, submitted_a, funding_round
):
    page = body(login(member_a).get(reverse("labs:detail", args=[lab.slug])))

    assert "Applications due" in page
    assert "Submitted: the facilitators are reviewing it." in page
    assert "Awaiting review" not in page


def test_facilitators_see_the_pool_and_what_awaits_review_on_the_dashboard(
    login, lab, facilitator, submitted_a
):
    page = body(login(facilitator).get(reverse("labs:detail", args=[lab.slug])))

    assert "Awaiting review" in page
    assert "Out in Tech Chicago: Engineers as mentors" in page
    assert "Left to award" in page


def test_the_dashboard_keeps_a_fixed_number_of_queries_as_applications_grow(
    login, lab, facilitator, funding_round, django_assert_max_num_queries
):
    client = login(facilitator)
    address = reverse("labs:detail", args=[lab.slug])

    def grow(n: int) -> None:
        for _ in range(n):
            org = OrganizationFactory()
            ParticipationFactory(lab=lab, organization=org)
            ApplicationFactory(round=funding_round, organization=org, submitted=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    grow(1)
    client.get(address)
    small = count()
    grow(10)

    assert count() == small
    with django_assert_max_num_queries(60):
        client.get(address)
