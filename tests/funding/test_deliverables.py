"""The final deliverable: its draft with attachments, every transition and guard, the
e-mails, the public-page choice, and the showcases (the cohort's and the public one)."""

import html
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from funding.models import Deliverable, DeliverableAttachment, DeliverableEvent
from funding.models import DeliverableStatus as D
from funding.services import FundingError
from funding.services_initiatives import (
    deliverable_accept,
    deliverable_attachment_delete,
    deliverable_request_changes,
    deliverable_save,
    deliverable_set_public,
    deliverable_start,
    deliverable_submit,
)
from tests.funding.initiatives_setup import (
    NOW,
    another_initiative,
    complete_deliverable,
    fund,
    run_phase2_in_2027,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def initiative(lab, org_a, member_a):
    return fund(run_phase2_in_2027(lab), org_a)


def url(application, name="deliverable", *extra):
    return reverse(f"funding:{name}", args=[application.lab.slug, application.pk, *extra])


def office_file(name: str, main_part: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml", f'<Types><Override ContentType="{main_part}"/></Types>'
        )
    return SimpleUploadedFile(name, buffer.getvalue())


def edit_data(application, **extra):
    metric = application.metrics.get()
    data = {
        "summary": "Three employers, twelve engineers.",
        "outcomes": "Mentees found technical mentors.",
        "lessons": "Start with ERGs.",
        f"final_{metric.pk}": "37",
    }
    data.update(extra)
    return data


def status_of(deliverable) -> str:
    deliverable.refresh_from_db()
    return deliverable.status


def transitions(deliverable) -> list[tuple[str, str]]:
    return list(deliverable.events.values_list("from_status", "to_status"))


# --- The draft --------------------------------------------------------------------------------


def test_saving_the_form_starts_the_draft_with_final_values(login, member_a, initiative):
    response = login(member_a).post(url(initiative, "deliverable_edit"), edit_data(initiative))

    assert response.status_code == 302
    deliverable = Deliverable.objects.get(application=initiative)
    assert deliverable.status == D.DRAFT and deliverable.summary.startswith("Three employers")
    assert [f.final_value for f in deliverable.final_metrics.all()] == [Decimal("37")]
    assert transitions(deliverable) == [("", D.DRAFT)]
    assert deliverable.events.get().actor == member_a


def test_a_draft_saves_with_parts_missing(login, member_a, initiative):
    metric = initiative.metrics.get()
    data = edit_data(initiative, outcomes="", **{f"final_{metric.pk}": ""})

    login(member_a).post(url(initiative, "deliverable_edit"), data)

    deliverable = Deliverable.objects.get(application=initiative)
    assert deliverable.outcomes == "" and not deliverable.final_metrics.exists()


def test_a_bad_final_value_is_shown_beside_its_field_and_nothing_is_lost(
    login, member_a, initiative
):
    metric = initiative.metrics.get()
    data = edit_data(initiative, **{f"final_{metric.pk}": "lots"})

    response = login(member_a).post(url(initiative, "deliverable_edit"), data)

    assert response.context["form"].errors[f"final_{metric.pk}"] == ["Enter a number."]
    assert "Three employers, twelve engineers." in response.content.decode()
    assert not Deliverable.objects.exists()


def test_deliverable_start_is_idempotent(initiative, member_a):
    first = deliverable_start(application=initiative, user=member_a)
    second = deliverable_start(application=initiative, user=member_a)

    assert first == second and first.events.count() == 1


def test_an_application_not_approved_has_no_deliverable(login, member_a, lab, org_a):
    draft = fund(run_phase2_in_2027(lab), org_a, approved=False)

    assert login(member_a).get(url(draft, "deliverable_edit")).status_code == 404
    with pytest.raises(FundingError):
        deliverable_start(application=draft, user=member_a)


# --- Submitting -------------------------------------------------------------------------------


def test_submitting_an_incomplete_deliverable_explains_what_is_missing(login, member_a, initiative):
    deliverable = Deliverable.objects.create(application=initiative, summary="Only this")

    response = login(member_a).post(url(initiative, "deliverable_submit"), follow=True)

    assert status_of(deliverable) == D.DRAFT
    assert (
        "Before submitting, add the outcomes, lessons learned, "
        "a final value for every success metric." in response.content.decode()
    )


def test_submitting_before_anything_is_written_sends_you_to_the_form(login, member_a, initiative):
    response = login(member_a).post(url(initiative, "deliverable_submit"))

    assert response["Location"] == url(initiative, "deliverable_edit")
    assert not Deliverable.objects.exists()


def test_submitting_a_complete_deliverable_tells_the_facilitators(
    login, member_a, facilitator, initiative, mailoutbox, django_capture_on_commit_callbacks
):
    deliverable = complete_deliverable(initiative)

    with django_capture_on_commit_callbacks(execute=True):
        login(member_a).post(url(initiative, "deliverable_submit"))

    deliverable.refresh_from_db()
    assert deliverable.status == D.SUBMITTED and deliverable.submitted_at
    assert transitions(deliverable) == [(D.DRAFT, D.SUBMITTED)]
    (message,) = mailoutbox
    assert message.to == [facilitator.email]
    assert "Out in Tech Chicago submitted its final deliverable" in message.subject
    assert url(initiative) in message.body


def test_a_submitted_deliverable_cant_be_edited(login, member_a, initiative):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    response = login(member_a).post(url(initiative, "deliverable_edit"), edit_data(initiative))

    assert response["Location"] == url(initiative)
    deliverable.refresh_from_db()
    assert deliverable.summary.startswith("We recruited")
    with pytest.raises(FundingError, match="submitted; it can't be changed"):
        deliverable_save(
            deliverable=deliverable,
            user=member_a,
            summary="x",
            outcomes="x",
            lessons="x",
            final_values={},
        )


@pytest.mark.parametrize("status", [D.SUBMITTED, D.ACCEPTED])
def test_only_a_draft_or_one_with_changes_requested_is_submitted(initiative, member_a, status):
    deliverable = complete_deliverable(initiative, status=status)

    with pytest.raises(FundingError, match="can't become submitted"):
        deliverable_submit(deliverable=deliverable, user=member_a)
    assert status_of(deliverable) == status


# --- Deciding ---------------------------------------------------------------------------------


def test_accepting_records_it_and_tells_the_organization(
    login, facilitator, member_a, initiative, mailoutbox, django_capture_on_commit_callbacks
):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(
            url(initiative, "deliverable_decide"), {"decision": "accept", "feedback": "Superb."}
        )

    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == D.ACCEPTED and deliverable.accepted_at
    event = deliverable.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        D.SUBMITTED,
        D.ACCEPTED,
        facilitator,
    )
    (message,) = mailoutbox
    assert message.to == [member_a.email]
    assert "accepted" in message.subject and "Superb." in message.body


def test_asking_for_changes_needs_feedback_beside_the_field(login, facilitator, initiative):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    response = login(facilitator).post(
        url(initiative, "deliverable_decide"), {"decision": "changes", "feedback": ""}
    )

    assert response.status_code == 200
    assert response.context["decision_form"].errors["feedback"] == ["Say what needs to change."]
    assert status_of(deliverable) == D.SUBMITTED


def test_asking_for_changes_sends_the_feedback_and_it_can_be_submitted_again(
    login, facilitator, member_a, initiative, mailoutbox, django_capture_on_commit_callbacks
):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        login(facilitator).post(
            url(initiative, "deliverable_decide"),
            {"decision": "changes", "feedback": "Add the mentee survey."},
        )

    deliverable.refresh_from_db()
    assert deliverable.status == D.CHANGES_REQUESTED
    assert deliverable.feedback == "Add the mentee survey."
    assert "Add the mentee survey." in mailoutbox[0].body
    # The organization edits and submits again.
    client = login(member_a)
    assert client.get(url(initiative, "deliverable_edit")).status_code == 200
    client.post(url(initiative, "deliverable_submit"))
    assert status_of(deliverable) == D.SUBMITTED
    assert transitions(deliverable) == [
        (D.SUBMITTED, D.CHANGES_REQUESTED),
        (D.CHANGES_REQUESTED, D.SUBMITTED),
    ]


@pytest.mark.parametrize("status", [D.DRAFT, D.CHANGES_REQUESTED, D.ACCEPTED])
def test_only_a_submitted_deliverable_is_decided(initiative, facilitator, status):
    deliverable = complete_deliverable(initiative, status=status)

    with pytest.raises(FundingError, match="can't become accepted"):
        deliverable_accept(deliverable=deliverable, user=facilitator)
    with pytest.raises(FundingError, match="can't become changes requested"):
        deliverable_request_changes(deliverable=deliverable, user=facilitator, message="More")
    assert status_of(deliverable) == status and not deliverable.events.exists()


def test_the_service_wants_feedback_with_changes(initiative, facilitator):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    with pytest.raises(FundingError, match="what needs to change"):
        deliverable_request_changes(deliverable=deliverable, user=facilitator, message=" ")


def test_a_decision_on_a_deliverable_decided_meanwhile_is_refused_with_a_message(
    login, facilitator, initiative
):
    deliverable = complete_deliverable(initiative, status=D.ACCEPTED)

    response = login(facilitator).post(
        url(initiative, "deliverable_decide"), {"decision": "accept"}, follow=True
    )

    page = html.unescape(response.content.decode())
    assert "This deliverable is accepted; it can't become accepted." in page
    assert not deliverable.events.exists()


@pytest.mark.parametrize("who", ["member_a", "member_b", "outsider", "facilitator2"])
def test_only_the_labs_facilitators_decide(request, login, who, initiative):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)

    response = login(request.getfixturevalue(who)).post(
        url(initiative, "deliverable_decide"), {"decision": "accept"}
    )

    assert response.status_code == 404 and status_of(deliverable) == D.SUBMITTED


@pytest.mark.parametrize("who", ["facilitator", "member_b", "outsider"])
def test_only_the_organization_edits_and_submits(request, login, who, initiative):
    deliverable = complete_deliverable(initiative)
    client = login(request.getfixturevalue(who))

    assert client.get(url(initiative, "deliverable_edit")).status_code == 404
    assert client.post(url(initiative, "deliverable_submit")).status_code == 404
    assert status_of(deliverable) == D.DRAFT


# --- The public page choice -------------------------------------------------------------------


def test_facilitators_put_an_accepted_deliverable_on_the_public_page_and_take_it_off(
    login, facilitator, initiative
):
    deliverable = complete_deliverable(initiative, status=D.ACCEPTED)
    client = login(facilitator)

    client.post(url(initiative, "deliverable_publish"), {"public": "1"})
    deliverable.refresh_from_db()
    assert deliverable.on_public_page
    client.post(url(initiative, "deliverable_publish"), {"public": "0"})
    deliverable.refresh_from_db()
    assert not deliverable.on_public_page
    assert list(deliverable.events.values_list("message", flat=True)) == [
        "Shown on the lab's public showcase.",
        "Taken off the lab's public showcase.",
    ]


def test_choosing_the_same_again_records_nothing(initiative, facilitator):
    deliverable = complete_deliverable(initiative, status=D.ACCEPTED)

    deliverable_set_public(deliverable=deliverable, user=facilitator, public=True)
    deliverable_set_public(deliverable=deliverable, user=facilitator, public=True)

    assert deliverable.events.count() == 1


@pytest.mark.parametrize("status", [D.DRAFT, D.SUBMITTED, D.CHANGES_REQUESTED])
def test_only_an_accepted_deliverable_goes_public(initiative, facilitator, status):
    deliverable = complete_deliverable(initiative, status=status)

    with pytest.raises(FundingError, match="Only an accepted deliverable"):
        deliverable_set_public(deliverable=deliverable, user=facilitator, public=True)
    deliverable.refresh_from_db()
    assert not deliverable.on_public_page


@pytest.mark.parametrize("who", ["member_a", "member_b", "facilitator2"])
def test_only_facilitators_choose_the_public_page(request, login, who, initiative):
    deliverable = complete_deliverable(initiative, status=D.ACCEPTED)

    response = login(request.getfixturevalue(who)).post(
        url(initiative, "deliverable_publish"), {"public": "1"}
    )

    deliverable.refresh_from_db()
    assert response.status_code == 404 and not deliverable.on_public_page


# --- The page and its history -----------------------------------------------------------------


def test_the_page_shows_status_content_and_history(login, member_a, facilitator, initiative):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)
    DeliverableEvent.objects.create(
        deliverable=deliverable, from_status=D.DRAFT, to_status=D.SUBMITTED, actor=member_a
    )

    page = login(facilitator).get(url(initiative)).content.decode()

    assert "Submitted, awaiting review" in page
    assert "Twelve new mentors" in page and "37" in page
    assert "Draft → Submitted" in page
    assert "Your decision" in page


def test_the_page_before_anything_is_written_invites_the_organization(login, member_a, initiative):
    page = login(member_a).get(url(initiative)).content.decode()

    assert "Not started" in page and "Start the deliverable" in page
    assert "Friday, December 31, 2027" in page


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
def test_the_deliverable_page_is_404_for_peers_outsiders_and_other_labs(
    request, login, who, initiative
):
    complete_deliverable(initiative, status=D.ACCEPTED)

    assert login(request.getfixturevalue(who)).get(url(initiative)).status_code == 404


# --- Attachments ------------------------------------------------------------------------------


def upload(client, application, file, **data):
    return client.post(
        url(application, "deliverable_edit"), {**edit_data(application), **data, "attachment": file}
    )


@pytest.mark.parametrize(
    "file",
    [
        SimpleUploadedFile("report.pdf", PDF),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32),
        SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32),
    ],
    ids=["pdf", "png", "jpeg"],
)
def test_reports_and_pictures_are_attached_under_a_random_name(login, member_a, initiative, file):
    response = upload(login(member_a), initiative, file)

    assert response["Location"] == url(initiative, "deliverable_edit")
    attachment = DeliverableAttachment.objects.get()
    assert attachment.name == file.name and attachment.uploaded_by == member_a
    assert file.name not in attachment.file.name
    assert attachment.file.name.startswith("deliverables/")


@pytest.mark.parametrize(
    ("name", "part"),
    [
        (
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        ),
        (
            "report.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
    ],
)
def test_office_documents_are_recognised_by_content(login, member_a, initiative, name, part):
    upload(login(member_a), initiative, office_file(name, part))

    assert DeliverableAttachment.objects.get().name == name


def test_a_file_whose_content_isnt_a_document_is_refused_with_a_message(
    login, member_a, initiative
):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an executable")

    response = upload(login(member_a), initiative, fake, summary="Kept summary")

    assert response.status_code == 200
    (error,) = response.context["form"].errors["attachment"]
    assert "This file isn't one we accept" in error
    assert "Kept summary" in response.content.decode()
    assert not DeliverableAttachment.objects.exists() and not Deliverable.objects.exists()


def test_a_spreadsheet_is_refused_for_the_deliverable(login, member_a, initiative):
    sheet = office_file(
        "numbers.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    )

    response = upload(login(member_a), initiative, sheet)

    (error,) = response.context["form"].errors["attachment"]
    assert "The final deliverable takes PDF" in error and "an Excel workbook" in error


def test_a_name_that_lies_about_the_kind_is_refused(login, member_a, initiative):
    response = upload(login(member_a), initiative, SimpleUploadedFile("photo.png", PDF))

    (error,) = response.context["form"].errors["attachment"]
    assert "ends in “.png” but it is a PDF" in error


def test_a_file_over_the_size_limit_is_refused_with_the_limit(
    login, member_a, initiative, settings
):
    settings.MLL_MAX_UPLOAD_BYTES = 1024

    response = upload(login(member_a), initiative, SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))

    (error,) = response.context["form"].errors["attachment"]
    assert "the limit is 1.0\xa0KB" in error
    assert not DeliverableAttachment.objects.exists()


def attach(deliverable, name="report.pdf") -> DeliverableAttachment:
    return DeliverableAttachment.objects.create(
        deliverable=deliverable, file=SimpleUploadedFile(name, PDF), name=name, size=len(PDF)
    )


@pytest.mark.parametrize("who", ["member_a", "facilitator", "admin_user"])
def test_the_organization_and_facilitators_download_attachments(request, login, who, initiative):
    attachment = attach(complete_deliverable(initiative))

    response = login(request.getfixturevalue(who)).get(
        url(initiative, "deliverable_attachment", attachment.pk)
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="report.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["member_b", "outsider", "facilitator2"])
def test_attachments_are_404_for_peers_outsiders_and_other_labs(request, login, who, initiative):
    attachment = attach(complete_deliverable(initiative, status=D.ACCEPTED))

    response = login(request.getfixturevalue(who)).get(
        url(initiative, "deliverable_attachment", attachment.pk)
    )

    assert response.status_code == 404


def test_an_attachment_is_reached_only_through_its_own_deliverable(
    login, member_b, initiative, lab, org_b
):
    attachment = attach(complete_deliverable(initiative))
    theirs = fund(lab, org_b)
    complete_deliverable(theirs)

    response = login(member_b).get(url(theirs, "deliverable_attachment", attachment.pk))

    assert response.status_code == 404


def test_attachments_are_removed_while_the_deliverable_is_editable(login, member_a, initiative):
    attachment = attach(complete_deliverable(initiative))

    response = login(member_a).post(url(initiative, "deliverable_attachment_delete", attachment.pk))

    assert response.status_code == 302
    assert not DeliverableAttachment.objects.exists()


def test_attachments_stay_once_submitted(login, member_a, initiative):
    deliverable = complete_deliverable(initiative, status=D.SUBMITTED)
    attachment = attach(deliverable)

    login(member_a).post(url(initiative, "deliverable_attachment_delete", attachment.pk))

    assert DeliverableAttachment.objects.filter(pk=attachment.pk).exists()
    with pytest.raises(FundingError):
        deliverable_attachment_delete(attachment=attachment)


def test_the_removed_file_leaves_the_storage(initiative, django_capture_on_commit_callbacks):
    attachment = attach(complete_deliverable(initiative))
    stored, storage = attachment.file.name, attachment.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        deliverable_attachment_delete(attachment=attachment)

    assert not storage.exists(stored)


@pytest.mark.parametrize("who", ["member_b", "facilitator"])
def test_only_the_organization_removes_attachments(request, login, who, initiative):
    attachment = attach(complete_deliverable(initiative))

    response = login(request.getfixturevalue(who)).post(
        url(initiative, "deliverable_attachment_delete", attachment.pk)
    )

    assert response.status_code == 404
    assert DeliverableAttachment.objects.filter(pk=attachment.pk).exists()


# --- Showcases --------------------------------------------------------------------------------


@pytest.fixture
def accepted_a(initiative):
    deliverable = complete_deliverable(initiative, status=D.ACCEPTED)
    attach(deliverable, "final-report.pdf")
    return deliverable


@pytest.fixture
def accepted_b(lab, org_b, member_b):
    return complete_deliverable(fund(lab, org_b, title="Latinas lead"), status=D.ACCEPTED)


def showcase_url(lab, public=False):
    return reverse("funding:public_showcase" if public else "funding:showcase", args=[lab.slug])


def test_the_cohort_showcase_lists_accepted_deliverables_only(
    login, member_b, accepted_a, accepted_b, lab, org_c
):
    submitted = another_initiative(lab, 1)
    complete_deliverable(submitted, status=D.SUBMITTED)

    page = login(member_b).get(showcase_url(lab)).content.decode()

    assert "Engineers as mentors" in page and "Latinas lead" in page
    assert "Initiative 001" not in page
    assert "Twelve new mentors" in page and "Employee resource groups" in page
    assert "37" in page and "35" in page  # final against target


def test_peers_dont_see_another_organizations_files_in_the_showcase(
    login, member_b, accepted_a, lab
):
    page = login(member_b).get(showcase_url(lab)).content.decode()

    assert "final-report.pdf" not in page and "/deliverable/files/" not in page


@pytest.mark.parametrize("who", ["member_a", "facilitator"])
def test_the_organization_and_facilitators_see_the_file_names(request, login, who, accepted_a, lab):
    page = login(request.getfixturevalue(who)).get(showcase_url(lab)).content.decode()

    assert "final-report.pdf" in page


@pytest.mark.parametrize("who", ["outsider", "facilitator2"])
def test_the_cohort_showcase_is_404_outside_the_lab(request, login, who, accepted_a, lab):
    assert login(request.getfixturevalue(who)).get(showcase_url(lab)).status_code == 404


def test_the_public_showcase_shows_only_what_the_facilitators_chose(
    client, accepted_a, accepted_b, lab
):
    Deliverable.objects.filter(pk=accepted_a.pk).update(on_public_page=True)

    response = client.get(showcase_url(lab, public=True))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Engineers as mentors" in page and "Out in Tech Chicago" in page
    assert "Twelve new mentors" in page and "Employee resource groups" in page
    assert "Latinas lead" not in page
    assert "final-report.pdf" not in page and "/files/" not in page
    assert "20,000" not in page  # no money on the public page


def test_a_published_lab_with_nothing_chosen_says_nothing_yet(client, accepted_a, lab):
    response = client.get(showcase_url(lab, public=True))

    assert response.status_code == 200
    assert "Nothing to show yet" in response.content.decode()


def test_an_unpublished_lab_with_nothing_chosen_is_404(client, accepted_a, lab):
    lab.call_is_published = False
    lab.save(update_fields=["call_is_published"])

    assert client.get(showcase_url(lab, public=True)).status_code == 404


def test_an_unpublished_lab_still_shows_what_the_facilitators_chose(client, accepted_a, lab):
    lab.call_is_published = False
    lab.save(update_fields=["call_is_published"])
    Deliverable.objects.filter(pk=accepted_a.pk).update(on_public_page=True)

    assert client.get(showcase_url(lab, public=True)).status_code == 200


def test_an_unknown_lab_has_no_public_showcase(client, db):
    assert client.get(reverse("funding:public_showcase", args=["nowhere"])).status_code == 404


def test_a_deliverable_no_longer_accepted_leaves_the_public_page(client, accepted_a, lab):
    Deliverable.objects.filter(pk=accepted_a.pk).update(
        on_public_page=True, status=D.CHANGES_REQUESTED
    )

    assert "Engineers as mentors" not in client.get(showcase_url(lab, public=True)).content.decode()


def grow_showcase(lab, size: int) -> None:
    for n in range(Deliverable.objects.filter(status=D.ACCEPTED).count(), size):
        deliverable = complete_deliverable(another_initiative(lab, n), status=D.ACCEPTED)
        deliverable.on_public_page = True
        deliverable.save()
        attach(deliverable)


def test_the_showcases_take_the_same_queries_for_3_or_12_deliverables(
    login, facilitator, lab, initiative, django_assert_max_num_queries
):
    anonymous, cohort = Client(), login(facilitator)
    for size in (3, 12):
        grow_showcase(lab, size)
        with django_assert_max_num_queries(6):
            public = anonymous.get(showcase_url(lab, public=True))
        with django_assert_max_num_queries(9):
            private = cohort.get(showcase_url(lab))
        assert public.content.decode().count("<article") == size
        assert private.content.decode().count("<article") == size
