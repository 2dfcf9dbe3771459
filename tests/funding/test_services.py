"""The application workflow, awards within the pool, disbursements, the e-mails each step
queues, and the intervention-area services (funding.services)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from funding import services
from funding.models import ApplicationStatus as S
from funding.models import (
    AreaComment,
    Award,
    Disbursement,
    DisbursementStatus,
    Feasibility,
    FundingRound,
    RubricCriterion,
)
from funding.services import FundingError
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    InterventionAreaFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)


@pytest.fixture
def funding_round(lab):
    return FundingRoundFactory(lab=lab, max_award=Decimal("30000.00"))


@pytest.fixture
def application(funding_round, org_a, member_a):
    return ApplicationFactory(round=funding_round, organization=org_a, created_by=member_a)


def application_in(funding_round, status: str):
    return ApplicationFactory(
        round=funding_round, organization=OrganizationFactory(), status=status
    )


def state_of(application) -> dict:
    """Everything a transition may write, read fresh from the database."""
    application.refresh_from_db()
    return {
        "status": application.status,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "decision_message": application.decision_message,
        "events": list(application.events.values_list("from_status", "to_status")),
        "versions": list(application.versions.values_list("number", flat=True)),
        "award": Award.objects.filter(application=application).exists(),
    }


# --- Every transition from every status -------------------------------------------------------

# name → (call, the statuses it may start from, where it goes from each, the message recorded)
TRANSITIONS = {
    "submit": (
        lambda app, org_user, fac: services.application_submit(application=app, user=org_user),
        {S.DRAFT: S.SUBMITTED, S.CHANGES_REQUESTED: S.RESUBMITTED},
        "",
    ),
    "request_changes": (
        lambda app, org_user, fac: services.application_request_changes(
            application=app, user=fac, message="Tell us more about the partner employers."
        ),
        {S.SUBMITTED: S.CHANGES_REQUESTED, S.RESUBMITTED: S.CHANGES_REQUESTED},
        "Tell us more about the partner employers.",
    ),
    "approve": (
        lambda app, org_user, fac: services.application_approve(
            application=app, user=fac, amount=Decimal("15000.00"), message="Go for it."
        ),
        {S.SUBMITTED: S.APPROVED, S.RESUBMITTED: S.APPROVED},
        "Go for it.",
    ),
    "decline": (
        lambda app, org_user, fac: services.application_decline(
            application=app, user=fac, message="It doesn't fit this round."
        ),
        {S.SUBMITTED: S.DECLINED, S.RESUBMITTED: S.DECLINED},
        "It doesn't fit this round.",
    ),
    "withdraw": (
        lambda app, org_user, fac: services.application_withdraw(
            application=app, user=org_user, message="We found other funding."
        ),
        {
            S.DRAFT: S.WITHDRAWN,
            S.SUBMITTED: S.WITHDRAWN,
            S.CHANGES_REQUESTED: S.WITHDRAWN,
            S.RESUBMITTED: S.WITHDRAWN,
        },
        "We found other funding.",
    ),
}

ALLOWED = [
    (name, start, to) for name, (_, moves, _) in TRANSITIONS.items() for start, to in moves.items()
]
FORBIDDEN = [
    (name, start)
    for name, (_, moves, _) in TRANSITIONS.items()
    for start in S
    if start not in moves
]


def test_the_matrix_covers_every_action_from_every_status():
    assert len(ALLOWED) + len(FORBIDDEN) == len(TRANSITIONS) * len(S)
    assert ("submit", S.CHANGES_REQUESTED, S.RESUBMITTED) in ALLOWED  # resubmitting


@pytest.mark.parametrize(("name", "start", "to"), ALLOWED)
def test_an_allowed_transition_writes_the_status_and_an_audit_row(
    name, start, to, funding_round, member_a, facilitator, time_machine
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    app = application_in(funding_round, start)
    call, _, message = TRANSITIONS[name]
    actor = facilitator if name in {"request_changes", "approve", "decline"} else member_a

    call(app, member_a, facilitator)

    assert app.status == to  # the caller's object follows
    app.refresh_from_db()
    assert app.status == to
    event = app.events.get()
    assert (event.actor, event.from_status, event.to_status) == (actor, start, to)
    assert event.message == message
    assert event.created_at == now
    if name in {"request_changes", "approve", "decline"}:
        assert app.decision_message == message
    if name in {"approve", "decline"}:
        assert app.decided_at == now
    if name == "submit":
        assert app.submitted_at == now


@pytest.mark.parametrize(("name", "start"), FORBIDDEN)
def test_a_forbidden_transition_explains_itself_and_writes_nothing(
    name, start, funding_round, member_a, facilitator, django_capture_on_commit_callbacks
):
    app = application_in(funding_round, start)
    before = state_of(app)
    call, _, _ = TRANSITIONS[name]

    with django_capture_on_commit_callbacks() as queued, pytest.raises(FundingError) as refused:
        call(app, member_a, facilitator)

    assert str(refused.value).startswith(f"This application is {S(start).label.lower()}; ")
    assert "it can't become" in str(refused.value)
    assert state_of(app) == before
    assert queued == []


def test_approving_an_approved_application_again_is_refused_for_its_state(
    funding_round, facilitator
):
    app = application_in(funding_round, S.SUBMITTED)
    services.application_approve(
        application=app, user=facilitator, amount=Decimal("30000.00"), message=""
    )
    funding_round.lab.funding_pool = Decimal("30000.00")
    funding_round.lab.save()

    with pytest.raises(FundingError, match="This application is approved"):
        services.application_approve(
            application=app, user=facilitator, amount=Decimal("30000.00"), message=""
        )
    assert Award.objects.count() == 1


# --- Submitting ------------------------------------------------------------------------------


def test_submitting_an_incomplete_draft_lists_everything_missing(funding_round, member_a):
    app = ApplicationFactory(round=funding_round, empty=True)

    with pytest.raises(FundingError) as refused:
        services.application_submit(application=app, user=member_a)

    assert str(refused.value) == (
        "Before submitting, add a title, the problem, the proposed initiative, who it serves, "
        "the expected outcomes, a month-by-month plan, a public summary, "
        "at least one success metric, at least one budget line."
    )
    app.refresh_from_db()
    assert app.status == S.DRAFT
    assert not app.events.exists()
    assert not app.versions.exists()


def test_only_what_is_missing_is_listed_and_blank_space_counts_as_missing(application, member_a):
    application.plan = "   \n "
    application.save()
    application.metrics.all().delete()

    with pytest.raises(FundingError) as refused:
        services.application_submit(application=application, user=member_a)

    assert str(refused.value) == (
        "Before submitting, add a month-by-month plan, at least one success metric."
    )


def test_submitting_after_the_deadline_is_refused_with_the_deadline_in_the_labs_time(
    funding_round, application, member_a, time_machine
):
    funding_round.deadline = dt.datetime(2030, 3, 1, 23, 0, tzinfo=dt.UTC)  # 5 PM in Chicago
    funding_round.opens_on = dt.date(2030, 2, 1)
    funding_round.save()
    time_machine.move_to(funding_round.deadline, tick=False)

    with pytest.raises(FundingError) as refused:
        services.application_submit(application=application, user=member_a)

    assert str(refused.value) == (
        "The funding round is closed: applications were due March 1, 2030 5:00 PM."
    )
    assert state_of(application)["status"] == S.DRAFT
    assert not application.versions.exists()


def test_submitting_a_minute_before_the_deadline_is_in_time(
    funding_round, application, member_a, time_machine
):
    time_machine.move_to(funding_round.deadline - dt.timedelta(minutes=1), tick=False)

    services.application_submit(application=application, user=member_a)

    assert state_of(application)["status"] == S.SUBMITTED


def test_submitting_before_the_round_opens_is_refused(
    funding_round, application, member_a, time_machine
):
    funding_round.opens_on = dt.date(2030, 4, 1)
    funding_round.deadline = dt.datetime(2030, 5, 1, 12, tzinfo=dt.UTC)
    funding_round.save()
    # Already April 1 in UTC, still March 31 in Chicago, where the lab is.
    time_machine.move_to(dt.datetime(2030, 4, 1, 2, 0, tzinfo=dt.UTC), tick=False)

    with pytest.raises(FundingError) as refused:
        services.application_submit(application=application, user=member_a)

    assert str(refused.value) == (
        "The funding round opens on April 1, 2030; applications can be submitted from then."
    )
    assert state_of(application)["events"] == []

    time_machine.move_to(dt.datetime(2030, 4, 1, 5, 0, tzinfo=dt.UTC), tick=False)
    services.application_submit(application=application, user=member_a)
    assert state_of(application)["status"] == S.SUBMITTED


def test_a_resubmission_is_accepted_after_the_deadline(
    funding_round, application, member_a, facilitator, time_machine
):
    services.application_submit(application=application, user=member_a)
    time_machine.move_to(funding_round.deadline + dt.timedelta(days=5))
    services.application_request_changes(
        application=application, user=facilitator, message="Split the stipends by month."
    )

    version = services.application_submit(application=application, user=member_a)

    assert version.number == 2
    assert state_of(application)["status"] == S.RESUBMITTED


def test_a_decided_application_is_refused_for_its_state_even_after_the_deadline(
    funding_round, member_a, time_machine
):
    app = application_in(funding_round, S.DECLINED)
    time_machine.move_to(funding_round.deadline + dt.timedelta(days=1))

    with pytest.raises(FundingError, match="This application is declined; it can't become"):
        services.application_submit(application=app, user=member_a)


# --- Approving: the award and the pool -------------------------------------------------------


def test_approving_in_full_grants_the_budget_total(funding_round, facilitator):
    app = application_in(funding_round, S.SUBMITTED)

    award = services.application_approve(
        application=app, user=facilitator, amount=app.budget_total(), message="Fully funded."
    )

    award.refresh_from_db()
    assert award.amount == Decimal("20000.00")
    assert isinstance(award.amount, Decimal)
    assert (award.application, award.lab, award.approved_by) == (
        app,
        funding_round.lab,
        facilitator,
    )
    assert state_of(app)["status"] == S.APPROVED


def test_approving_in_part_grants_less_than_asked(funding_round, facilitator):
    app = application_in(funding_round, S.RESUBMITTED)

    services.application_approve(
        application=app, user=facilitator, amount=Decimal("12500.50"), message="Part of it."
    )

    assert Award.objects.get(application=app).amount == Decimal("12500.50")
    assert app.events.get().from_status == S.RESUBMITTED


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("0.00"), Decimal("-100.00")])
def test_an_award_of_zero_or_less_is_refused(amount, funding_round, facilitator):
    app = application_in(funding_round, S.SUBMITTED)
    before = state_of(app)

    with pytest.raises(FundingError, match="^The award must be more than zero.$"):
        services.application_approve(application=app, user=facilitator, amount=amount, message="")

    assert state_of(app) == before


def test_an_award_above_the_rounds_maximum_is_refused_in_the_labs_currency(
    funding_round, facilitator
):
    lab = funding_round.lab
    lab.currency = "CAD"
    lab.save()
    app = application_in(funding_round, S.SUBMITTED)
    before = state_of(app)

    with pytest.raises(FundingError) as refused:
        services.application_approve(
            application=app, user=facilitator, amount=Decimal("30000.01"), message=""
        )

    assert str(refused.value) == "The most one award may be is 30,000.00 CAD."
    assert state_of(app) == before

    services.application_approve(
        application=app, user=facilitator, amount=Decimal("30000.00"), message=""
    )
    assert state_of(app)["award"]


def test_without_a_maximum_an_award_may_take_the_whole_pool(lab, facilitator):
    funding_round = FundingRoundFactory(lab=lab, max_award=None)
    app = application_in(funding_round, S.SUBMITTED)

    services.application_approve(
        application=app, user=facilitator, amount=Decimal("90000.00"), message=""
    )

    assert services.pool_summary(lab)["remaining"] == Decimal("0")


def test_the_awards_of_a_lab_never_add_up_to_more_than_its_pool(lab, facilitator):
    lab.funding_pool = Decimal("50000.00")
    lab.currency = "EUR"
    lab.save()
    funding_round = FundingRoundFactory(lab=lab, max_award=None)
    first, second, third = (application_in(funding_round, S.SUBMITTED) for _ in range(3))

    services.application_approve(
        application=first, user=facilitator, amount=Decimal("30000.00"), message=""
    )
    with pytest.raises(FundingError) as refused:
        services.application_approve(
            application=second, user=facilitator, amount=Decimal("20000.01"), message=""
        )
    assert str(refused.value) == (
        "Only 20,000.00 EUR of the pool is left; 20,000.01 would exceed it."
    )
    assert state_of(second)["status"] == S.SUBMITTED
    assert not second.events.exists()

    services.application_approve(
        application=second, user=facilitator, amount=Decimal("20000.00"), message=""
    )
    with pytest.raises(FundingError, match="Only 0.00 EUR of the pool is left"):
        services.application_approve(
            application=third, user=facilitator, amount=Decimal("0.01"), message=""
        )

    summary = services.pool_summary(lab)
    assert summary["awarded"] == Decimal("50000.00") == lab.funding_pool
    assert summary["remaining"] == Decimal("0")


def test_awards_in_another_lab_dont_use_this_labs_pool(lab, lab2, facilitator, facilitator2):
    other = application_in(FundingRoundFactory(lab=lab2, max_award=None), S.SUBMITTED)
    services.application_approve(
        application=other, user=facilitator2, amount=Decimal("90000.00"), message=""
    )
    app = application_in(FundingRoundFactory(lab=lab, max_award=None), S.SUBMITTED)

    services.application_approve(
        application=app, user=facilitator, amount=Decimal("90000.00"), message=""
    )

    assert services.pool_summary(lab)["awarded"] == Decimal("90000.00")


def test_the_pool_summary_counts_awards_and_only_paid_tranches(lab, funding_round, facilitator):
    app = application_in(funding_round, S.SUBMITTED)
    award = services.application_approve(
        application=app, user=facilitator, amount=Decimal("20000.00"), message=""
    )
    paid = services.disbursement_plan(
        award=award,
        disbursement=Disbursement(planned_on=dt.date(2030, 4, 1), amount=Decimal("5000.00")),
    )
    services.disbursement_plan(
        award=award,
        disbursement=Disbursement(planned_on=dt.date(2030, 7, 1), amount=Decimal("7500.00")),
    )
    services.disbursement_mark_paid(disbursement=paid, user=facilitator, paid_on=dt.date.today())

    summary = services.pool_summary(lab)

    assert summary == {
        "pool": Decimal("90000.00"),
        "awarded": Decimal("20000.00"),
        "disbursed": Decimal("5000.00"),
        "remaining": Decimal("70000.00"),
    }
    assert all(isinstance(value, Decimal) for value in summary.values())


def test_the_pool_summary_of_a_lab_without_awards_is_zero_not_none(lab):
    assert services.pool_summary(lab) == {
        "pool": Decimal("90000.00"),
        "awarded": Decimal("0"),
        "disbursed": Decimal("0"),
        "remaining": Decimal("90000.00"),
    }


# --- Disbursements ---------------------------------------------------------------------------


@pytest.fixture
def award(funding_round, facilitator):
    app = application_in(funding_round, S.SUBMITTED)
    return services.application_approve(
        application=app, user=facilitator, amount=Decimal("20000.00"), message=""
    )


def tranche(amount: str, month: int = 4) -> Disbursement:
    return Disbursement(planned_on=dt.date(2030, month, 1), amount=Decimal(amount))


def test_tranches_may_be_planned_up_to_the_award(award):
    services.disbursement_plan(award=award, disbursement=tranche("12000.00", 4))
    last = services.disbursement_plan(award=award, disbursement=tranche("8000.00", 9))

    assert last.award == award
    assert last.status == DisbursementStatus.PLANNED
    assert list(award.disbursements.values_list("amount", flat=True)) == [
        Decimal("12000.00"),
        Decimal("8000.00"),
    ]


def test_a_tranche_beyond_the_award_is_refused_in_the_labs_currency(award):
    services.disbursement_plan(award=award, disbursement=tranche("15000.00"))

    with pytest.raises(FundingError) as refused:
        services.disbursement_plan(award=award, disbursement=tranche("5000.01", 6))

    assert str(refused.value) == (
        "Only 5,000.00 USD of this award is left to schedule; 5,000.01 USD would exceed it."
    )
    assert award.disbursements.count() == 1


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_a_tranche_of_zero_or_less_is_refused(award, amount):
    with pytest.raises(FundingError, match="^A tranche must be more than zero.$"):
        services.disbursement_plan(award=award, disbursement=tranche(amount))
    assert not award.disbursements.exists()


def test_a_tranche_is_marked_paid_once(award, facilitator, facilitator2):
    planned = services.disbursement_plan(award=award, disbursement=tranche("5000.00"))

    services.disbursement_mark_paid(
        disbursement=planned, user=facilitator, paid_on=dt.date(2030, 4, 3)
    )

    assert (planned.status, planned.paid_on, planned.recorded_by) == (
        DisbursementStatus.PAID,
        dt.date(2030, 4, 3),
        facilitator,
    )
    with pytest.raises(FundingError, match="^This tranche is already marked paid.$"):
        services.disbursement_mark_paid(
            disbursement=planned, user=facilitator2, paid_on=dt.date(2030, 5, 1)
        )
    planned.refresh_from_db()
    assert (planned.paid_on, planned.recorded_by) == (dt.date(2030, 4, 3), facilitator)


# --- E-mails ---------------------------------------------------------------------------------


@pytest.fixture
def second_facilitator(lab):
    person = UserFactory(email="sam@example.org")
    lab.facilitators.add(person)
    return person


def test_a_submission_tells_the_labs_active_facilitators(
    application, member_a, facilitator, second_facilitator, lab,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    gone = UserFactory(email="gone@example.org", is_active=False)
    lab.facilitators.add(gone)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, user=member_a)

    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["fran@example.org", "sam@example.org"]
    assert application.title in mailoutbox[0].subject + mailoutbox[0].body


def test_a_resubmission_tells_the_facilitators_again(
    application, member_a, facilitator, django_capture_on_commit_callbacks, mailoutbox
):
    services.application_submit(application=application, user=member_a)
    services.application_request_changes(application=application, user=facilitator, message="")

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, user=member_a)

    assert [m.to for m in mailoutbox] == [["fran@example.org"]]


DECISIONS = {
    "request_changes": lambda app, fac: services.application_request_changes(
        application=app, user=fac, message="Please split the stipends by month."
    ),
    "approve": lambda app, fac: services.application_approve(
        application=app, user=fac, amount=Decimal("18000.00"), message="Congratulations!"
    ),
    "decline": lambda app, fac: services.application_decline(
        application=app, user=fac, message="Not in this round, sorry."
    ),
}


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_decision_tells_the_organization_with_the_message(
    decision, funding_round, org_a, member_a, facilitator,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    colleague = MembershipFactory(organization=org_a, user__email="cai@orga.example").user
    MembershipFactory(organization=org_a, user__email="left@orga.example", user__is_active=False)
    MembershipFactory(user__email="bea@orgb.example")  # another organization
    app = ApplicationFactory(round=funding_round, organization=org_a, submitted=True)
    app.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        DECISIONS[decision](app, facilitator)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([member_a.email, colleague.email])
    assert app.decision_message in message.body
    if decision == "approve":
        assert "18,000.00" in message.body
        assert "USD" in message.body


def test_withdrawing_sends_nothing(
    application, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.application_withdraw(application=application, user=member_a)

    assert queued == []
    assert mailoutbox == []


@pytest.mark.parametrize("decision", DECISIONS)
def test_nothing_is_sent_when_the_decision_is_rolled_back(
    decision, funding_round, org_a, member_a, facilitator,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    app = ApplicationFactory(round=funding_round, organization=org_a, submitted=True)

    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        DECISIONS[decision](app, facilitator)
        raise RuntimeError("something later in the same request failed")

    assert queued == []
    assert mailoutbox == []
    assert state_of(app)["status"] == S.SUBMITTED
    assert not Award.objects.exists()


def test_nothing_is_sent_when_the_submission_is_rolled_back(
    application, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_submit(application=application, user=member_a)
        raise RuntimeError("something later in the same request failed")

    assert queued == []
    assert mailoutbox == []
    assert state_of(application)["versions"] == []


# --- The round -------------------------------------------------------------------------------


def test_a_new_round_gets_the_guides_rubric_in_order(lab):
    funding_round = services.round_create(
        funding_round=FundingRound(
            lab=lab,
            opens_on=dt.date(2030, 2, 1),
            deadline=dt.datetime(2030, 3, 1, 23, tzinfo=dt.UTC),
        )
    )

    assert list(funding_round.criteria.values_list("name", "position")) == [
        ("Feasibility", 1),
        ("Alignment with the lab's goals", 2),
        ("Expected impact", 3),
        ("Budget realism", 4),
    ]
    assert RubricCriterion.objects.count() == 4


# --- Intervention areas ----------------------------------------------------------------------


def test_revising_an_area_saves_it_and_counts_the_revision(lab, org_a):
    area = InterventionAreaFactory(lab=lab, organization=org_a)
    assert area.revision == 1

    area.idea = "Partner with two bootcamps' alumni networks as well."
    services.area_revise(area=area)
    services.area_revise(area=area)

    area.refresh_from_db()
    assert area.revision == 3
    assert area.idea == "Partner with two bootcamps' alumni networks as well."


def test_a_comment_is_on_the_revision_it_was_made_on_and_survives_revisions(
    lab, org_a, member_b, facilitator
):
    area = InterventionAreaFactory(lab=lab, organization=org_a)
    peer = services.area_comment(
        area=area,
        author=member_b,
        comment=AreaComment(
            body="Our ERG route worked well.", feasibility=Feasibility.FEASIBLE, fits_funding=True
        ),
    )
    services.area_revise(area=area)
    later = services.area_comment(
        area=area,
        author=facilitator,
        comment=AreaComment(body="Budget looks high for one city.", fits_funding=False),
    )

    assert list(
        area.comments.values_list("author", "on_revision", "feasibility", "fits_funding")
    ) == [
        (member_b.pk, 1, Feasibility.FEASIBLE, True),
        (facilitator.pk, 2, "", False),
    ]
    assert (peer.area, later.area) == (area, area)


def test_an_unanswered_fit_question_stays_unknown(lab, org_a, member_b):
    area = InterventionAreaFactory(lab=lab, organization=org_a)

    comment = services.area_comment(area=area, author=member_b, comment=AreaComment(body="Nice."))

    comment.refresh_from_db()
    assert comment.fits_funding is None
    assert comment.feasibility == ""
