"""Regression tests for the review of funding, check-ins and impact (issues 4 and 5).

Each test pins one defect found in review: a step that read an application before taking
its lock and then acted on that older copy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from funding import services, views_applications
from funding.access import get_application_for_user
from funding.forms import ApplicationForm, BudgetFormSet, MetricFormSet
from funding.models import Application, ApplicationAttachment, ApplicationStatus, FundingRound
from tests.factories import ApplicationFactory, FundingRoundFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def draft(lab, org_a):
    return ApplicationFactory(round=FundingRoundFactory(lab=lab), organization=org_a)


def test_a_submission_is_checked_and_frozen_from_the_saved_application_not_an_older_copy(
    draft, member_a
):
    Application.objects.filter(pk=draft.pk).update(title="")
    older_copy = Application.objects.get(pk=draft.pk)
    # Another member saves the title between this request's read and its lock.
    Application.objects.filter(pk=draft.pk).update(title="Engineers as mentors, revised")

    version = services.application_submit(application=older_copy, user=member_a)

    assert version.content["title"] == "Engineers as mentors, revised"
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.SUBMITTED


def test_saving_a_draft_never_undoes_a_decision_made_since_the_page_was_read(draft):
    older_copy = Application.objects.select_related("round__lab").get(pk=draft.pk)
    data = {
        "title": "Engineers as mentors, with venues",
        "metrics-TOTAL_FORMS": "0",
        "metrics-INITIAL_FORMS": "0",
        "budget-TOTAL_FORMS": "0",
        "budget-INITIAL_FORMS": "0",
    }
    form = ApplicationForm(data, instance=older_copy)
    metrics = MetricFormSet(data, instance=older_copy, prefix="metrics")
    budget = BudgetFormSet(data, instance=older_copy, prefix="budget")
    # Submitted and sent back with changes requested while this save was on its way.
    Application.objects.filter(pk=draft.pk).update(
        status=ApplicationStatus.CHANGES_REQUESTED, decision_message="Add the venue costs."
    )

    assert views_applications._save_draft(older_copy, form, metrics, budget) == []

    saved = Application.objects.get(pk=draft.pk)
    assert saved.title == "Engineers as mentors, with venues"
    assert saved.status == ApplicationStatus.CHANGES_REQUESTED
    assert saved.decision_message == "Add the venue costs."


@pytest.fixture
def submitted_meanwhile(draft, member_a, monkeypatch):
    """The request reads the draft; another member submits it before the request's write."""
    older_copy = get_application_for_user(member_a, draft.round.lab.slug, draft.pk, member=True)
    Application.objects.filter(pk=draft.pk).update(status=ApplicationStatus.SUBMITTED)
    monkeypatch.setattr(
        views_applications, "get_application_for_user", lambda *args, **kwargs: older_copy
    )
    return draft


def test_a_file_of_an_application_submitted_meanwhile_is_not_removed(
    submitted_meanwhile, member_a, login
):
    application = submitted_meanwhile
    attachment = ApplicationAttachment.objects.create(
        application=application,
        file=SimpleUploadedFile("plan.pdf", PDF),
        name="plan.pdf",
        size=len(PDF),
    )
    url = reverse(
        "funding:application_attachment_delete",
        args=[application.round.lab.slug, application.pk, attachment.pk],
    )

    response = login(member_a).post(url, follow=True)

    assert ApplicationAttachment.objects.filter(pk=attachment.pk).exists()
    assert "submitted this application meanwhile" in response.content.decode()


def test_no_file_is_added_to_an_application_submitted_meanwhile(
    submitted_meanwhile, member_a, login
):
    application = submitted_meanwhile
    url = reverse(
        "funding:application_attachment_upload",
        args=[application.round.lab.slug, application.pk],
    )

    response = login(member_a).post(
        url, {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")}
    )

    assert response.status_code == 302
    assert response.url == application.get_absolute_url()
    assert not application.attachments.exists()


def test_a_second_round_for_the_same_lab_is_refused_with_a_message_not_an_error(lab):
    def new_round():
        return FundingRound(
            lab=lab,
            opens_on=timezone.localdate(),
            deadline=timezone.now() + dt.timedelta(days=30),
        )

    services.round_create(funding_round=new_round())
    with pytest.raises(services.FundingError, match="just set up by someone else"):
        services.round_create(funding_round=new_round())
    assert FundingRound.objects.filter(lab=lab).count() == 1
