"""The pool invariant when facilitators approve at the same moment, on PostgreSQL: threads with
their own connections, released together by a barrier.

Each approval is slowed down between checking the pool and writing its award, so without the
lock on the lab's row every thread would see the whole pool free and all would succeed; with
it they queue and exactly the awards that fit are granted. `transaction=True` because each
thread needs its own committed view of the database.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from funding import services
from funding.models import Application, ApplicationEvent, Award
from funding.models import ApplicationStatus as S
from funding.services import FundingError
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

THREADS = 4


@pytest.fixture
def slow_between_check_and_write(monkeypatch):
    """Hold each approval after it read the awards so far, before it writes its own."""
    transition = services._transition

    def wait_then_transition(*args, **kwargs):
        time.sleep(0.3)
        return transition(*args, **kwargs)

    monkeypatch.setattr(services, "_transition", wait_then_transition)


def run_at_once(calls) -> list:
    """Run each call in its own thread, all released together; return each one's result or
    FundingError, in the order of `calls`. Anything else fails the test."""
    start = threading.Barrier(len(calls), timeout=30)
    outcomes: list = [None] * len(calls)
    unexpected: list = []

    def run(i, call):
        try:
            start.wait()
            outcomes[i] = call()
        except FundingError as refused:
            outcomes[i] = refused
        except BaseException as exc:  # noqa: BLE001 (reported below)
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval never finished"
    assert not unexpected, unexpected
    return outcomes


def lab_with_submissions(pool: str, count: int):
    facilitators = [UserFactory() for _ in range(count)]
    lab = LabFactory(funding_pool=Decimal(pool), facilitators=facilitators)
    funding_round = FundingRoundFactory(lab=lab, max_award=None)
    applications = []
    for _ in range(count):
        org = OrganizationFactory()
        MembershipFactory(organization=org)
        applications.append(
            ApplicationFactory(round=funding_round, organization=org, submitted=True)
        )
    return lab, facilitators, applications


def approve(application, facilitator, amount: str):
    return lambda: services.application_approve(
        application=Application.objects.get(pk=application.pk),
        user=facilitator,
        amount=Decimal(amount),
        message="Approved.",
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_facilitators_approving_at_once_never_award_more_than_the_pool(
    postgresql, slow_between_check_and_write, mailoutbox
):
    # Each award of 20,000 fits the pool of 50,000 alone; only two fit together.
    lab, facilitators, applications = lab_with_submissions("50000.00", THREADS)

    outcomes = run_at_once(
        [approve(app, fac, "20000.00") for app, fac in zip(applications, facilitators, strict=True)]
    )

    granted = [o for o in outcomes if isinstance(o, Award)]
    refused = [o for o in outcomes if isinstance(o, FundingError)]
    assert (len(granted), len(refused)) == (2, THREADS - 2)
    for error in refused:
        assert str(error) == ("Only 10,000.00 USD of the pool is left; 20,000.00 would exceed it.")
    assert services.pool_summary(lab)["awarded"] == Decimal("40000.00") <= lab.funding_pool
    approved = Application.objects.filter(status=S.APPROVED)
    assert set(approved) == {award.application for award in granted}
    assert Application.objects.filter(status=S.SUBMITTED).count() == THREADS - 2
    assert ApplicationEvent.objects.count() == 2
    assert len(mailoutbox) == 2  # one decision per approved organization


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_awards_that_fit_together_are_all_granted_at_once(postgresql):
    lab, facilitators, applications = lab_with_submissions("90000.00", THREADS)

    outcomes = run_at_once(
        [approve(app, fac, "22500.00") for app, fac in zip(applications, facilitators, strict=True)]
    )

    assert all(isinstance(o, Award) for o in outcomes), outcomes
    assert services.pool_summary(lab)["remaining"] == Decimal("0.00")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_facilitators_approving_the_same_application_at_once_grant_one_award(
    postgresql, slow_between_check_and_write, mailoutbox
):
    lab, facilitators, (application, *_) = lab_with_submissions("90000.00", THREADS)

    outcomes = run_at_once([approve(application, fac, "20000.00") for fac in facilitators])

    granted = [o for o in outcomes if isinstance(o, Award)]
    refused = [o for o in outcomes if isinstance(o, FundingError)]
    assert len(granted) == 1
    assert len(refused) == THREADS - 1
    assert {str(e) for e in refused} == {"This application is approved; it can't become approved."}
    assert Award.objects.get().amount == Decimal("20000.00")
    assert application.events.get().to_status == S.APPROVED
    assert services.pool_summary(lab)["awarded"] == Decimal("20000.00")
    assert len(mailoutbox) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_approval_and_a_withdrawal_at_once_leave_one_outcome(
    postgresql, slow_between_check_and_write
):
    lab, (facilitator, *_), (application, *_) = lab_with_submissions("90000.00", 2)
    member = application.organization.memberships.get().user

    def withdraw():
        services.application_withdraw(
            application=Application.objects.get(pk=application.pk), user=member
        )
        return "withdrawn"

    outcomes = run_at_once([approve(application, facilitator, "20000.00"), withdraw])

    application.refresh_from_db()
    assert sum(not isinstance(o, FundingError) for o in outcomes) == 1
    assert application.events.count() == 1
    if application.status == S.APPROVED:
        assert Award.objects.filter(application=application).exists()
    else:
        assert application.status == S.WITHDRAWN
        assert not Award.objects.exists()
