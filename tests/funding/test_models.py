"""What the funding models and the database guarantee by themselves: money never negative or
zero where it must be positive, a paid tranche has a date, one of each thing where there must
be one; and the querysets and helpers the pages build on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from funding.models import (
    Application,
    ApplicationVersion,
    Award,
    BudgetCategory,
    BudgetLine,
    Disbursement,
    DisbursementStatus,
)
from funding.models import ApplicationStatus as S
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)


@pytest.fixture
def funding_round(lab):
    return FundingRoundFactory(lab=lab)


@pytest.fixture
def award(funding_round, org_a):
    return ApplicationFactory(round=funding_round, organization=org_a, approved=True).award


def refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# --- Constraints ----------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0", "0.00", "-1.00"])
def test_an_award_must_be_more_than_zero(funding_round, org_b, amount):
    app = ApplicationFactory(round=funding_round, organization=org_b, submitted=True)

    refused_by_the_database(
        lambda: Award.objects.create(application=app, lab=funding_round.lab, amount=Decimal(amount))
    )


def test_an_award_cant_be_set_to_zero_afterwards(award):
    refused_by_the_database(lambda: Award.objects.filter(pk=award.pk).update(amount=0))


def test_an_application_has_at_most_one_award(award):
    refused_by_the_database(
        lambda: Award.objects.create(
            application=award.application, lab=award.lab, amount=Decimal("1.00")
        )
    )


def test_a_paid_tranche_needs_a_paid_date(award):
    refused_by_the_database(
        lambda: Disbursement.objects.create(
            award=award,
            planned_on=dt.date(2030, 4, 1),
            amount=Decimal("100.00"),
            status=DisbursementStatus.PAID,
        )
    )


def test_a_planned_tranche_has_no_paid_date(award):
    refused_by_the_database(
        lambda: Disbursement.objects.create(
            award=award,
            planned_on=dt.date(2030, 4, 1),
            amount=Decimal("100.00"),
            paid_on=dt.date(2030, 4, 2),
        )
    )


def test_marking_paid_without_a_date_is_refused_by_the_database(award):
    tranche = Disbursement.objects.create(
        award=award, planned_on=dt.date(2030, 4, 1), amount=Decimal("100.00")
    )

    refused_by_the_database(
        lambda: Disbursement.objects.filter(pk=tranche.pk).update(status=DisbursementStatus.PAID)
    )


def test_a_paid_tranche_cant_lose_its_date(award):
    tranche = Disbursement.objects.create(
        award=award,
        planned_on=dt.date(2030, 4, 1),
        amount=Decimal("100.00"),
        status=DisbursementStatus.PAID,
        paid_on=dt.date(2030, 4, 2),
    )

    refused_by_the_database(lambda: Disbursement.objects.filter(pk=tranche.pk).update(paid_on=None))


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_a_tranche_must_be_more_than_zero(award, amount):
    refused_by_the_database(
        lambda: Disbursement.objects.create(
            award=award, planned_on=dt.date(2030, 4, 1), amount=Decimal(amount)
        )
    )


def test_a_budget_line_is_never_negative(funding_round, org_a):
    app = ApplicationFactory(round=funding_round, organization=org_a)

    refused_by_the_database(
        lambda: BudgetLine.objects.create(
            application=app,
            category=BudgetCategory.OTHER,
            description="Refund",
            amount=Decimal("-1.00"),
        )
    )


def test_an_organization_applies_once_per_round(funding_round, org_a):
    ApplicationFactory(round=funding_round, organization=org_a)

    refused_by_the_database(lambda: ApplicationFactory(round=funding_round, organization=org_a))


def test_version_numbers_are_unique_per_application(funding_round, org_a):
    app = ApplicationFactory(round=funding_round, organization=org_a, submitted=True)

    refused_by_the_database(
        lambda: ApplicationVersion.objects.create(application=app, number=1, content={})
    )


# --- Behaviour ------------------------------------------------------------------------------


def test_the_budget_total_adds_the_lines_as_a_decimal(funding_round, org_a):
    full = ApplicationFactory(round=funding_round, organization=org_a)
    empty = ApplicationFactory(round=funding_round, organization=OrganizationFactory(), empty=True)

    assert full.budget_total() == Decimal("20000.00")
    assert isinstance(full.budget_total(), Decimal)
    assert empty.budget_total() == Decimal("0")


@pytest.mark.parametrize(
    ("status", "editable", "initiative"),
    [
        (S.DRAFT, True, False),
        (S.SUBMITTED, False, False),
        (S.CHANGES_REQUESTED, True, False),
        (S.RESUBMITTED, False, False),
        (S.APPROVED, False, True),
        (S.DECLINED, False, False),
        (S.WITHDRAWN, False, False),
    ],
)
def test_only_drafts_and_applications_sent_back_are_editable(status, editable, initiative):
    application = Application(status=status)

    assert application.is_editable is editable
    assert application.is_initiative is initiative


def test_the_round_is_open_from_its_first_day_in_the_labs_time_zone_until_the_deadline(lab):
    funding_round = FundingRoundFactory(
        lab=lab,
        opens_on=dt.date(2030, 2, 1),
        deadline=dt.datetime(2030, 3, 1, 23, 0, tzinfo=dt.UTC),
    )

    # 3 AM UTC on February 1 is still January 31 in Chicago.
    assert not funding_round.is_open(dt.datetime(2030, 2, 1, 3, 0, tzinfo=dt.UTC))
    assert funding_round.is_open(dt.datetime(2030, 2, 1, 7, 0, tzinfo=dt.UTC))
    assert funding_round.is_open(dt.datetime(2030, 3, 1, 22, 59, tzinfo=dt.UTC))
    assert not funding_round.is_open(dt.datetime(2030, 3, 1, 23, 0, tzinfo=dt.UTC))


def test_applications_are_visible_to_their_organization_and_the_labs_facilitators(
    lab, funding_round, org_a, org_b, member_a, member_b, facilitator, facilitator2,
    admin_user, outsider,
):  # fmt: skip
    mine = ApplicationFactory(round=funding_round, organization=org_a)
    theirs = ApplicationFactory(round=funding_round, organization=org_b)
    colleague = MembershipFactory(organization=org_a).user
    inactive = MembershipFactory(organization=org_a, user__is_active=False).user

    def visible(user):
        return set(Application.objects.visible_to(user))

    assert visible(member_a) == visible(colleague) == {mine}
    assert visible(member_b) == {theirs}
    assert visible(facilitator) == visible(admin_user) == {mine, theirs}
    assert visible(facilitator2) == visible(outsider) == visible(inactive) == set()


def test_visibility_lists_each_application_once_for_a_member_of_several_roles(
    lab, funding_round, org_a, member_a
):
    app = ApplicationFactory(round=funding_round, organization=org_a)
    lab.facilitators.add(member_a)
    MembershipFactory(organization=org_a, user=UserFactory())

    assert list(Application.objects.visible_to(member_a)) == [app]


def test_the_initiatives_are_the_approved_applications(funding_round):
    approved = ApplicationFactory(round=funding_round, approved=True)
    for status in (S.DRAFT, S.SUBMITTED, S.DECLINED, S.WITHDRAWN):
        ApplicationFactory(round=funding_round, status=status)

    assert list(Application.objects.initiatives()) == [approved]
