"""Each submission freezes a version: reviewers see exactly what was submitted, numbered 1, 2, …,
and later edits to the draft never reach a version already frozen."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from funding import services
from funding.models import (
    ApplicationAttachment,
    ApplicationVersion,
    BudgetCategory,
    BudgetLine,
    SuccessMetric,
)
from funding.services import FundingError
from tests.factories import ApplicationFactory, FundingRoundFactory, InterventionAreaFactory

FIRST = {
    "title": "Engineers as mentors",
    "intervention_area": "Mentors with engineering backgrounds",
    "problem": "Mentees want technical mentors and we have few.",
    "initiative": "A recruiting drive with three partner employers.",
    "who_it_serves": "LGBTQIA+ early-career technologists in Chicago.",
    "expected_outcomes": "Ten more mentors with engineering backgrounds.",
    "plan": "Month 1: partners. Months 2-6: recruiting. Months 7-12: matching.",
    "summary": "Recruiting engineers as mentors through employer partnerships.",
    "metrics": [
        {
            "name": "Mentors with engineering backgrounds",
            "unit": "mentors",
            "baseline": "25.00",
            "target": "35.00",
        }
    ],
    "budget": [
        {"category": "Events and venues", "description": "Recruiting events", "amount": "12000.00"},
        {
            "category": "Stipends and honoraria",
            "description": "Mentor stipends",
            "amount": "8000.00",
        },
    ],
    "budget_total": "20000.00",
    "attachments": ["Letters of support.pdf"],
}


@pytest.fixture
def application(lab, org_a, member_a):
    area = InterventionAreaFactory(lab=lab, organization=org_a)
    app = ApplicationFactory(
        round=FundingRoundFactory(lab=lab), organization=org_a, intervention_area=area
    )
    ApplicationAttachment.objects.create(
        application=app,
        file=ContentFile(b"%PDF-1.4 letters", name="letters.pdf"),
        name="Letters of support.pdf",
        size=16,
        uploaded_by=member_a,
    )
    return ApplicationFactory._meta.model.objects.get(pk=app.pk)


def revise(application) -> None:
    """What an organization changes after the facilitators asked for changes."""
    application.title = "Engineers and designers as mentors"
    application.plan = "Month 1: partners and designers. Months 2-12: as before."
    application.save()
    line = application.budget_lines.get(description="Mentor stipends")
    line.amount = Decimal("6000.00")
    line.save()
    BudgetLine.objects.create(
        application=application,
        category=BudgetCategory.EVALUATION,
        description="Mentee survey",
        amount=Decimal("1500.50"),
        position=3,
    )
    application.metrics.update(target=Decimal("40"))
    application.attachments.all().delete()


def test_the_first_submission_freezes_version_1_with_exactly_what_was_submitted(
    application, member_a
):
    version = services.application_submit(application=application, user=member_a)

    version = ApplicationVersion.objects.get(pk=version.pk)  # as stored, through JSON
    assert version.number == 1
    assert version.submitted_by == member_a
    assert version.content == FIRST


def test_later_edits_never_change_a_frozen_version(application, member_a, facilitator):
    services.application_submit(application=application, user=member_a)
    services.application_request_changes(
        application=application, user=facilitator, message="Widen the pool of mentors."
    )

    revise(application)

    assert application.versions.get().content == FIRST


def test_a_resubmission_freezes_version_2_beside_version_1(application, member_a, facilitator):
    services.application_submit(application=application, user=member_a)
    services.application_request_changes(application=application, user=facilitator, message="")
    revise(application)

    second = services.application_submit(application=application, user=member_a)

    assert list(application.versions.values_list("number", flat=True)) == [1, 2]
    assert second.number == 2
    assert application.versions.get(number=1).content == FIRST
    assert ApplicationVersion.objects.get(pk=second.pk).content == {
        **FIRST,
        "title": "Engineers and designers as mentors",
        "plan": "Month 1: partners and designers. Months 2-12: as before.",
        "metrics": [{**FIRST["metrics"][0], "target": "40.00"}],
        "budget": [
            FIRST["budget"][0],
            {**FIRST["budget"][1], "amount": "6000.00"},
            {
                "category": "Evaluation and data",
                "description": "Mentee survey",
                "amount": "1500.50",
            },
        ],
        "budget_total": "19500.50",
        "attachments": [],
    }


def test_each_round_of_changes_adds_the_next_number(application, member_a, facilitator):
    for expected in (1, 2, 3):
        version = services.application_submit(application=application, user=member_a)
        assert version.number == expected
        services.application_request_changes(application=application, user=facilitator, message="")

    assert list(application.versions.values_list("number", flat=True)) == [1, 2, 3]


def test_a_refused_submission_freezes_nothing(application, member_a):
    SuccessMetric.objects.filter(application=application).delete()

    with pytest.raises(FundingError):
        services.application_submit(application=application, user=member_a)

    assert not application.versions.exists()


def test_a_version_without_an_intervention_area_says_so_with_an_empty_string(lab, org_a, member_a):
    app = ApplicationFactory(round=FundingRoundFactory(lab=lab), organization=org_a)

    version = services.application_submit(application=app, user=member_a)

    assert version.content["intervention_area"] == ""
    assert version.content["attachments"] == []
