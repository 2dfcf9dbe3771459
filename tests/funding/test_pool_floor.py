"""The pool can't be lowered below what the lab has already awarded."""

from decimal import Decimal

import pytest
from django.urls import reverse

from labs import services
from labs.models import Lab
from tests.factories import ApplicationFactory, FundingRoundFactory
from tests.labs.test_views import lab_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(lab, org_a):
    funding_round = FundingRoundFactory(lab=lab)
    return ApplicationFactory(
        round=funding_round, organization=org_a, approved=True, award_amount=Decimal("30000")
    )


def test_lowering_the_pool_below_the_awards_shows_the_error_beside_the_pool(
    login, facilitator, lab, awarded
):
    response = login(facilitator).post(
        reverse("labs:edit", args=[lab.slug]),
        lab_form_data(lab, funding_pool="25000", city="Evanston"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["funding_pool"] == [
        "Awards already total 30,000.00 USD; the pool can't be less than that."
    ]
    assert response.context["form"]["city"].value() == "Evanston"
    lab.refresh_from_db()
    assert lab.funding_pool == Decimal("90000.00")
    assert lab.city != "Evanston"


def test_the_pool_may_come_down_to_exactly_what_is_awarded(login, facilitator, lab, awarded):
    response = login(facilitator).post(
        reverse("labs:edit", args=[lab.slug]), lab_form_data(lab, funding_pool="30000")
    )
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.funding_pool == Decimal("30000")


def test_the_service_refuses_a_pool_below_the_awards(lab, awarded):
    previous = Lab.objects.get(pk=lab.pk)
    lab.funding_pool = Decimal("100")
    with pytest.raises(services.PoolTooSmall):
        services.lab_update(lab=lab, previous=previous)
