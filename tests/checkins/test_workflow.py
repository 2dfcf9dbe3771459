"""The check-in workflow: drafts by several editors, submission and what it needs, the
facilitators' question and acknowledgment; every transition guarded and recorded."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from checkins import services
from checkins.models import (
    CheckIn,
    CheckInEvent,
    CheckInStatus,
    CheckInStory,
    CheckInValue,
    ReminderState,
    StandardMetric,
)
from checkins.services import CheckInError, CheckInIncomplete
from tests.checkins import COMPLETE, NOW, make_checkin
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory

pytestmark = pytest.mark.django_db

S = CheckInStatus


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def checkin(lab, org_a, member_a):
    return make_checkin(lab, org_a)


@pytest.fixture
def submitted(lab, org_a, member_a):
    checkin = make_checkin(lab, org_a, **COMPLETE)
    return services.checkin_submit(checkin=checkin, user=member_a)


def save(checkin, user, *, values=None, **fields):
    for name, value in fields.items():
        setattr(checkin, name, value)
    return services.checkin_save(checkin=checkin, user=user, values=values or {})


def events(checkin):
    return list(checkin.events.values_list("from_status", "to_status", "actor__email"))


# --- Drafts ----------------------------------------------------------------------------------


def test_a_draft_saves_text_values_and_stories(checkin, member_a):
    story = CheckInStory(
        title="Maya's promotion", body="Promoted to senior.", consent_to_share=True
    )

    services.checkin_save(
        checkin=checkin,
        user=member_a,
        values={("standard", StandardMetric.ACTIVE_MENTORS): Decimal("31")},
        stories=[story],
    )

    checkin.refresh_from_db()
    assert checkin.status == S.DRAFT and checkin.submitted_at is None
    assert list(checkin.values.values_list("standard", "value")) == [
        ("active_mentors", Decimal("31"))
    ]
    assert list(checkin.stories.values_list("title", "position")) == [("Maya's promotion", 1)]
    assert not CheckInEvent.objects.exists()  # drafts aren't transitions


def test_a_blank_metric_removes_its_value(checkin, member_a):
    mentors = ("standard", StandardMetric.ACTIVE_MENTORS)
    save(checkin, member_a, values={mentors: Decimal("31")})

    save(checkin, member_a, values={mentors: None})

    assert not CheckInValue.objects.exists()


def test_an_initiative_metric_value_is_stored_against_the_metric(lab, checkin, member_a, org_a):
    application = ApplicationFactory(
        round=FundingRoundFactory(lab=lab), organization=org_a, approved=True
    )
    metric = application.metrics.get()

    save(checkin, member_a, values={("metric", metric.pk): Decimal("33")})

    assert checkin.values.get().metric == metric


def test_several_members_of_the_organization_edit_the_same_draft(checkin, member_a, org_a):
    colleague = MembershipFactory(organization=org_a, role="member").user
    save(checkin, member_a, progress="First paragraph.")

    second = CheckIn.objects.get(pk=checkin.pk)
    save(second, colleague, progress="First paragraph. Second paragraph.")

    assert CheckIn.objects.get(pk=checkin.pk).progress == "First paragraph. Second paragraph."


def test_saving_over_a_colleagues_newer_save_is_refused_and_writes_nothing(
    checkin, member_a, org_a
):
    colleague = MembershipFactory(organization=org_a).user
    opened = services.version_of(checkin)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        save(CheckIn.objects.get(pk=checkin.pk), colleague, progress="Colleague's text.")

    checkin.progress = "My older text."
    with pytest.raises(CheckInError, match="saved this check-in at"):
        services.checkin_save(checkin=checkin, user=member_a, values={}, seen_version=opened)

    assert CheckIn.objects.get(pk=checkin.pk).progress == "Colleague's text."


def test_a_submitted_checkin_cant_be_saved(submitted, member_a):
    submitted.progress = "Changed afterwards."

    with pytest.raises(CheckInError, match="submitted; it can't be changed"):
        services.checkin_save(checkin=submitted, user=member_a, values={})

    assert CheckIn.objects.get(pk=submitted.pk).progress == COMPLETE["progress"]


# --- Submitting ------------------------------------------------------------------------------


def test_submission_says_what_is_missing_field_by_field(checkin, member_a):
    with pytest.raises(CheckInIncomplete) as raised:
        services.checkin_submit(checkin=checkin, user=member_a)

    assert set(raised.value.missing) == {"progress", "funds_spent", "impact"}
    assert "Your draft is saved" in str(raised.value)
    assert CheckIn.objects.get(pk=checkin.pk).status == S.DRAFT
    assert not CheckInEvent.objects.exists()


def test_funds_spent_may_be_zero_but_spending_needs_to_say_on_what(checkin, member_a):
    save(checkin, member_a, **{**COMPLETE, "funds_spent": Decimal("100"), "funds_spent_on": ""})
    with pytest.raises(CheckInIncomplete) as raised:
        services.checkin_submit(checkin=checkin, user=member_a)
    assert set(raised.value.missing) == {"funds_spent_on"}

    save(checkin, member_a, funds_spent=Decimal("0"))
    services.checkin_submit(checkin=checkin, user=member_a)

    assert CheckIn.objects.get(pk=checkin.pk).status == S.SUBMITTED


def test_a_checkin_cant_be_submitted_before_it_opens(lab, org_a, member_a):
    early = make_checkin(lab, org_a, due_in=30, **COMPLETE)

    with pytest.raises(CheckInError, match="opens on March 17, 2030"):
        services.checkin_submit(checkin=early, user=member_a)


def test_the_first_submission_is_stamped_recorded_and_stops_the_reminders(checkin, member_a):
    save(checkin, member_a, **COMPLETE)

    services.checkin_submit(checkin=checkin, user=member_a)

    checkin.refresh_from_db()
    assert (checkin.status, checkin.submitted_at, checkin.submitted_by) == (
        S.SUBMITTED,
        timezone.now(),
        member_a,
    )
    assert events(checkin) == [(S.DRAFT, S.SUBMITTED, member_a.email)]
    assert set(checkin.reminders.values_list("state", flat=True)) == {ReminderState.CANCELLED}


def test_an_overdue_checkin_can_still_be_submitted(lab, org_a, member_a):
    late = make_checkin(lab, org_a, due_in=-20, **COMPLETE)

    services.checkin_submit(checkin=late, user=member_a)

    assert CheckIn.objects.get(pk=late.pk).is_submitted


def test_submitting_twice_is_refused(submitted, member_a):
    with pytest.raises(CheckInError, match="already submitted"):
        services.checkin_submit(checkin=submitted, user=member_a)

    assert len(events(submitted)) == 1


# --- The facilitators' follow-up -------------------------------------------------------------


def test_a_question_reopens_the_checkin_and_emails_the_organization(
    submitted, facilitator, member_a, org_a, django_capture_on_commit_callbacks, mailoutbox
):
    colleague = MembershipFactory(organization=org_a, user__email="cole@orga.example").user

    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_ask_question(
            checkin=submitted, user=facilitator, message="How many of the mentors stayed?"
        )

    submitted.refresh_from_db()
    assert submitted.status == S.QUESTION and submitted.is_editable
    assert submitted.facilitator_message == "How many of the mentors stayed?"
    assert events(submitted)[-1] == (S.SUBMITTED, S.QUESTION, facilitator.email)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([member_a.email, colleague.email])
    assert "question" in message.subject
    assert "How many of the mentors stayed?" in message.body
    assert f"/labs/{submitted.participation.lab.slug}/checkins/{submitted.pk}/edit/" in message.body


def test_a_question_needs_a_message(submitted, facilitator, mailoutbox):
    with pytest.raises(CheckInError, match="Write the question"):
        services.checkin_ask_question(checkin=submitted, user=facilitator, message="   ")

    assert CheckIn.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_a_draft_cant_be_asked_about_or_acknowledged(checkin, facilitator):
    with pytest.raises(CheckInError, match="isn't submitted yet"):
        services.checkin_ask_question(checkin=checkin, user=facilitator, message="Why?")
    with pytest.raises(CheckInError, match="isn't submitted yet"):
        services.checkin_acknowledge(checkin=checkin, user=facilitator)

    assert not CheckInEvent.objects.exists()


def test_answering_the_question_resubmits_without_moving_the_first_submission(
    submitted, facilitator, member_a
):
    first = submitted.submitted_at
    services.checkin_ask_question(checkin=submitted, user=facilitator, message="Stayed?")

    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        save(submitted, member_a, progress="Twenty of twenty-five mentors stayed.")
        services.checkin_submit(checkin=submitted, user=member_a)

    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at == first
    assert events(submitted)[-1] == (S.QUESTION, S.SUBMITTED, member_a.email)
    assert submitted.events.last().message == "Answered the facilitators' question."


def test_a_question_waiting_for_its_answer_cant_be_acknowledged(submitted, facilitator):
    services.checkin_ask_question(checkin=submitted, user=facilitator, message="Stayed?")

    with pytest.raises(CheckInError, match="waiting for the organization's answer"):
        services.checkin_acknowledge(checkin=submitted, user=facilitator)


def test_acknowledging_without_email_is_recorded_and_sends_nothing(
    submitted, facilitator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_acknowledge(checkin=submitted, user=facilitator, message="Thanks!")

    submitted.refresh_from_db()
    assert submitted.status == S.ACKNOWLEDGED and submitted.acknowledged_at == timezone.now()
    assert not submitted.is_editable
    assert events(submitted)[-1] == (S.SUBMITTED, S.ACKNOWLEDGED, facilitator.email)
    assert submitted.events.last().message == "Thanks!"
    assert mailoutbox == []


def test_acknowledging_with_email_tells_the_organization_and_says_so_in_the_record(
    submitted, facilitator, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_acknowledge(
            checkin=submitted, user=facilitator, message="Great growth.", notify=True
        )

    assert [m.to for m in mailoutbox] == [[member_a.email]]
    assert "acknowledged" in mailoutbox[0].subject
    assert "Great growth." in mailoutbox[0].body
    assert "E-mailed to the organization." in submitted.events.last().message


def test_an_acknowledged_checkin_is_final(submitted, facilitator):
    services.checkin_acknowledge(checkin=submitted, user=facilitator)

    with pytest.raises(CheckInError, match="already acknowledged"):
        services.checkin_acknowledge(checkin=submitted, user=facilitator)
    with pytest.raises(CheckInError, match="already acknowledged"):
        services.checkin_ask_question(checkin=submitted, user=facilitator, message="One more?")
