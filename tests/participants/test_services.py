"""Recruiting and onboarding services: interest review, invitations, the participation status
machine with its audit rows, agreements with their baseline, and competing participants."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from participants import services
from participants.models import (
    AgreementSignature,
    ClientGroup,
    ExpressionOfInterest,
    InterestStatus,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
    ParticipationStatus,
    SignatureKind,
)
from participants.services import ALLOWED_TRANSITIONS, TransitionError
from tests.factories import (
    InterestFactory,
    InvitationFactory,
    LabFactory,
    MembershipFactory,
    ParticipationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


S = ParticipationStatus


@pytest.fixture
def participation_a(org_a, lab):
    return Participation.objects.get(lab=lab, organization=org_a)


def at(participation, status):
    Participation.objects.filter(pk=participation.pk).update(status=status)
    participation.refresh_from_db()
    return participation


def groups(*slugs):
    return ClientGroup.objects.filter(slug__in=slugs)


# --- The status machine --------------------------------------------------------------------


def test_it_lets_no_status_leave_completed_or_withdrawn():
    assert ALLOWED_TRANSITIONS[S.COMPLETED] == set()
    assert ALLOWED_TRANSITIONS[S.WITHDRAWN] == set()
    assert set(ALLOWED_TRANSITIONS) == set(S.values)


def test_it_activates_a_participation_that_signed(participation_a, facilitator):
    at(participation_a, S.AGREEMENT_SIGNED)

    services.participation_activate(participation=participation_a, user=facilitator)

    participation_a.refresh_from_db()
    assert participation_a.status == S.ACTIVE
    event = participation_a.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        S.AGREEMENT_SIGNED,
        S.ACTIVE,
        facilitator,
    )


def test_it_completes_an_active_participation(participation_a, facilitator):
    services.participation_complete(participation=participation_a, user=facilitator)

    participation_a.refresh_from_db()
    assert participation_a.status == S.COMPLETED
    event = participation_a.events.get()
    assert (event.from_status, event.to_status, event.actor) == (S.ACTIVE, S.COMPLETED, facilitator)


@pytest.mark.parametrize("status", [S.INVITED, S.ACCEPTED, S.AGREEMENT_SIGNED, S.ACTIVE])
def test_it_withdraws_from_every_open_status_and_records_the_reason(
    participation_a, facilitator, status
):
    at(participation_a, status)

    services.participation_withdraw(
        participation=participation_a, user=facilitator, reason="Lost their program staff"
    )

    participation_a.refresh_from_db()
    assert participation_a.status == S.WITHDRAWN
    event = participation_a.events.get()
    assert (event.from_status, event.to_status, event.actor) == (status, S.WITHDRAWN, facilitator)
    assert event.note == "Lost their program staff"


def test_it_updates_the_callers_copy_of_the_participation(participation_a, facilitator):
    services.participation_complete(participation=participation_a, user=facilitator)

    assert participation_a.status == S.COMPLETED


REFUSED = [
    ("activate", S.INVITED, "invited; it can't become active"),
    ("activate", S.ACCEPTED, "accepted; it can't become active"),
    ("activate", S.ACTIVE, "active; it can't become active"),
    ("activate", S.COMPLETED, "completed; it can't become active"),
    ("activate", S.WITHDRAWN, "withdrawn; it can't become active"),
    ("complete", S.INVITED, "invited; it can't become completed"),
    ("complete", S.ACCEPTED, "accepted; it can't become completed"),
    ("complete", S.AGREEMENT_SIGNED, "agreement signed; it can't become completed"),
    ("complete", S.COMPLETED, "completed; it can't become completed"),
    ("complete", S.WITHDRAWN, "withdrawn; it can't become completed"),
    ("withdraw", S.COMPLETED, "completed; it can't become withdrawn"),
    ("withdraw", S.WITHDRAWN, "withdrawn; it can't become withdrawn"),
]


@pytest.mark.parametrize(("action", "status", "message"), REFUSED)
def test_it_refuses_a_transition_from_the_wrong_status_with_a_clear_message(
    participation_a, facilitator, action, status, message
):
    at(participation_a, status)
    service = getattr(services, f"participation_{action}")

    with pytest.raises(TransitionError) as error:
        service(participation=participation_a, user=facilitator)

    assert str(error.value) == f"Out in Tech Chicago is {message}."
    participation_a.refresh_from_db()
    assert participation_a.status == status
    assert not participation_a.events.exists()


def test_it_judges_a_transition_by_the_stored_status_not_a_stale_copy(participation_a, facilitator):
    stale = Participation.objects.get(pk=participation_a.pk)
    services.participation_complete(participation=participation_a, user=facilitator)

    with pytest.raises(TransitionError):
        services.participation_withdraw(participation=stale, user=facilitator)

    assert Participation.objects.get(pk=participation_a.pk).status == S.COMPLETED


def test_withdrawing_revokes_the_labs_pending_invitations_for_that_organization(
    participation_a, facilitator, lab, lab2, org_a, org_b
):
    pending = InvitationFactory(organization=org_a, lab=lab)
    colleague = InvitationFactory(organization=org_a, lab=None, role=MembershipRole.MEMBER)
    elsewhere = InvitationFactory(organization=org_a, lab=lab2)
    other_org = InvitationFactory(organization=org_b, lab=lab)
    used = InvitationFactory(organization=org_a, lab=lab, accepted_at=timezone.now())

    services.participation_withdraw(participation=participation_a, user=facilitator, reason="x")

    for invitation in (pending, colleague, elsewhere, other_org, used):
        invitation.refresh_from_db()
    assert pending.status == "revoked"
    assert colleague.is_usable()
    assert elsewhere.is_usable()
    assert other_org.is_usable()
    assert used.status == "accepted"
    assert used.revoked_at is None


# --- Agreements ------------------------------------------------------------------------------


def test_a_lead_signs_the_agreement_which_records_version_goals_and_baseline(
    participation_a, member_a, org_a, lab
):
    at(participation_a, S.ACCEPTED)
    Organization.objects.filter(pk=org_a.pk).update(active_mentors=12, active_mentees=30)

    signature = services.participation_sign_agreement(
        participation=participation_a,
        user=member_a,
        signed_name="  Ana Lead  ",
        goals="Recruit more mentors.",
    )

    participation_a.refresh_from_db()
    assert participation_a.status == S.AGREEMENT_SIGNED
    assert participation_a.goals == "Recruit more mentors."
    assert signature.kind == SignatureKind.TYPED
    assert signature.signed_name == "Ana Lead"
    assert signature.agreement_version == lab.agreement_version == 1
    assert signature.signed_by == member_a
    assert participation_a.baseline_active_mentors == 12
    assert participation_a.baseline_active_mentees == 30
    assert participation_a.baseline_recorded_at is not None
    event = participation_a.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        S.ACCEPTED,
        S.AGREEMENT_SIGNED,
        member_a,
    )
    assert event.note == "Accepted online (version 1)"


def test_the_baseline_is_a_snapshot_that_later_profile_edits_leave_alone(
    participation_a, member_a, org_a
):
    at(participation_a, S.ACCEPTED)
    services.participation_sign_agreement(
        participation=participation_a, user=member_a, signed_name="Ana", goals="g"
    )

    org_a.active_mentors = 999
    org_a.save()

    participation_a.refresh_from_db()
    assert participation_a.baseline_active_mentors == 25


def test_re_signing_a_newer_version_keeps_the_status_and_the_first_baseline(
    participation_a, member_a, org_a, lab
):
    at(participation_a, S.ACCEPTED)
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        services.participation_sign_agreement(
            participation=participation_a, user=member_a, signed_name="Ana", goals="g"
        )
    services.participation_activate(participation=participation_a, user=member_a)
    first_baseline = Participation.objects.get(pk=participation_a.pk).baseline_recorded_at
    lab.agreement_version = 2
    lab.save()
    Organization.objects.filter(pk=org_a.pk).update(active_mentors=100)
    participation_a = Participation.objects.get(pk=participation_a.pk)

    signature = services.participation_sign_agreement(
        participation=participation_a, user=member_a, signed_name="Ana", goals="g2"
    )

    participation_a.refresh_from_db()
    assert signature.agreement_version == 2
    assert participation_a.status == S.ACTIVE
    assert participation_a.baseline_active_mentors == 25
    assert participation_a.baseline_recorded_at == first_baseline
    assert participation_a.signed_agreement == signature
    assert participation_a.events.count() == 2  # signed, activated: no event for re-signing


def test_a_member_who_isnt_the_lead_cannot_sign(participation_a, org_a):
    at(participation_a, S.ACCEPTED)
    colleague = MembershipFactory(organization=org_a, role=MembershipRole.MEMBER).user

    with pytest.raises(TransitionError, match="Only the organization's lead can sign"):
        services.participation_sign_agreement(
            participation=participation_a, user=colleague, signed_name="C", goals="g"
        )

    participation_a.refresh_from_db()
    assert participation_a.status == S.ACCEPTED
    assert participation_a.goals == ""
    assert not AgreementSignature.objects.exists()


def test_the_lead_of_another_organization_cannot_sign(participation_a, member_b):
    at(participation_a, S.ACCEPTED)

    with pytest.raises(TransitionError, match="Only the organization's lead"):
        services.participation_sign_agreement(
            participation=participation_a, user=member_b, signed_name="B", goals="g"
        )

    assert not AgreementSignature.objects.exists()


def test_nobody_signs_before_the_agreement_is_published(member_a, org_a):
    draft_lab = LabFactory(agreement_version=0)
    participation = ParticipationFactory(lab=draft_lab, organization=org_a, status=S.ACCEPTED)

    with pytest.raises(TransitionError, match="haven't published this lab's agreement"):
        services.participation_sign_agreement(
            participation=participation, user=member_a, signed_name="Ana", goals="g"
        )

    participation.refresh_from_db()
    assert participation.status == S.ACCEPTED
    assert participation.goals == ""
    assert not AgreementSignature.objects.exists()


@pytest.mark.parametrize("status", [S.INVITED, S.COMPLETED, S.WITHDRAWN])
def test_it_refuses_a_signature_in_a_status_that_cannot_sign(participation_a, member_a, status):
    at(participation_a, status)

    with pytest.raises(TransitionError, match="can't sign the agreement now"):
        services.participation_sign_agreement(
            participation=participation_a, user=member_a, signed_name="Ana", goals="g"
        )

    assert not AgreementSignature.objects.exists()
    assert Participation.objects.get(pk=participation_a.pk).status == status


def test_a_facilitator_files_a_paper_contract_which_counts_as_signing(
    participation_a, facilitator, lab
):
    at(participation_a, S.ACCEPTED)

    signature = services.participation_upload_contract(
        participation=participation_a,
        user=facilitator,
        contract_file=ContentFile(b"%PDF-1.4 signed", name="contract.pdf"),
        signed_name="Ana Lead",
    )

    participation_a.refresh_from_db()
    assert participation_a.status == S.AGREEMENT_SIGNED
    assert signature.kind == SignatureKind.UPLOADED
    assert signature.agreement_version == lab.agreement_version
    assert signature.signed_by == facilitator
    assert participation_a.baseline_active_mentors == 25
    assert participation_a.events.get().note == "Signed contract uploaded (version 1)"


# --- Expressions of interest -----------------------------------------------------------------


def test_an_interest_is_stored_with_its_groups_and_the_facilitators_are_told(
    lab, facilitator, django_capture_on_commit_callbacks
):
    interest = InterestFactory.build(lab=lab, contact_email="Jo@Applicant.Example")

    with django_capture_on_commit_callbacks(execute=True):
        services.interest_submit(interest=interest, client_groups=groups("veterans"))

    interest.refresh_from_db()
    assert interest.status == InterestStatus.NEW
    assert interest.contact_email == "jo@applicant.example"
    assert [g.slug for g in interest.client_groups.all()] == ["veterans"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [facilitator.email]
    assert interest.organization_name in mail.outbox[0].subject


def test_it_refuses_an_interest_once_the_call_closed(lab):
    lab.call_deadline = lab.today() - dt.timedelta(days=1)
    lab.save()
    interest = InterestFactory.build(lab=lab)

    with pytest.raises(TransitionError, match="closed"):
        services.interest_submit(interest=interest, client_groups=groups("veterans"))

    assert interest.pk is None


@pytest.mark.parametrize(
    ("service", "status", "to"),
    [
        ("interest_shortlist", InterestStatus.NEW, InterestStatus.SHORTLISTED),
        ("interest_shortlist", InterestStatus.DECLINED, InterestStatus.SHORTLISTED),
        ("interest_decline", InterestStatus.NEW, InterestStatus.DECLINED),
        ("interest_decline", InterestStatus.SHORTLISTED, InterestStatus.DECLINED),
    ],
)
def test_it_reviews_an_interest_and_records_who_did(lab, facilitator, service, status, to):
    interest = InterestFactory(lab=lab, status=status)

    getattr(services, service)(interest=interest, user=facilitator)

    assert interest.status == to
    assert interest.reviewed_by == facilitator
    assert interest.reviewed_at is not None


@pytest.mark.parametrize(
    ("service", "status", "message"),
    [
        ("interest_shortlist", InterestStatus.SHORTLISTED, "shortlisted; it can't be marked"),
        ("interest_shortlist", InterestStatus.INVITED, "invited; it can't be marked shortlisted"),
        ("interest_decline", InterestStatus.DECLINED, "declined; it can't be marked declined"),
        ("interest_decline", InterestStatus.INVITED, "invited; it can't be marked declined"),
    ],
)
def test_it_refuses_a_review_in_the_wrong_status(lab, facilitator, service, status, message):
    interest = InterestFactory(lab=lab, status=status)

    with pytest.raises(TransitionError, match=message):
        getattr(services, service)(interest=interest, user=facilitator)

    interest.refresh_from_db()
    assert interest.status == status
    assert interest.reviewed_by is None


# --- Invitations -----------------------------------------------------------------------------


def test_inviting_from_an_interest_creates_the_organization_as_it_described_itself(
    lab, facilitator, django_capture_on_commit_callbacks
):
    interest = InterestFactory(
        lab=lab,
        status=InterestStatus.SHORTLISTED,
        organization_name="Vets Who Code Chicago",
        website="https://vets.example",
        city="Chicago",
        state="IL",
        mission="Veterans into software.",
        client_groups_other="Military spouses",
    )
    interest.client_groups.set(groups("veterans"))

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.organization_invite(
            lab=lab,
            invited_by=facilitator,
            email="Lead@Vets.Example",
            name="Val Lead",
            interest=interest,
        )

    org = invitation.organization
    assert (org.name, org.website, org.city, org.state, org.mission) == (
        "Vets Who Code Chicago",
        "https://vets.example",
        "Chicago",
        "IL",
        "Veterans into software.",
    )
    assert [g.slug for g in org.client_groups.all()] == ["veterans"]
    assert org.other_client_groups() == ["Military spouses"]
    interest.refresh_from_db()
    assert interest.status == InterestStatus.INVITED
    assert interest.organization == org
    assert interest.reviewed_by == facilitator
    participation = Participation.objects.get(lab=lab, organization=org)
    assert participation.status == S.INVITED
    event = participation.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.INVITED, facilitator)
    assert invitation.email == "lead@vets.example"
    assert invitation.role == MembershipRole.LEAD
    assert invitation.lab == lab
    assert invitation.invited_by == facilitator
    assert invitation.is_usable()
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@vets.example"]
    assert f"/invitations/{token}/" in mail.outbox[0].body


def test_a_new_interest_can_be_invited_without_shortlisting_first(lab, facilitator):
    interest = InterestFactory(lab=lab, client_groups_other="Farmers")

    invitation, _ = services.organization_invite(
        lab=lab, invited_by=facilitator, email="x@example.org", interest=interest
    )

    interest.refresh_from_db()
    assert interest.status == InterestStatus.INVITED
    assert invitation.organization.name == interest.organization_name


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (InterestStatus.DECLINED, "This expression of interest was declined; shortlist it first."),
        (InterestStatus.INVITED, "This organization has already been invited."),
    ],
)
def test_it_refuses_to_invite_from_a_declined_or_already_invited_interest(
    lab, facilitator, status, message
):
    interest = InterestFactory(lab=lab, status=status)
    orgs_before = Organization.objects.count()

    with pytest.raises(TransitionError) as error:
        services.organization_invite(
            lab=lab, invited_by=facilitator, email="x@example.org", interest=interest
        )

    assert str(error.value) == message
    assert Organization.objects.count() == orgs_before
    assert not Invitation.objects.exists()
    interest.refresh_from_db()
    assert interest.status == status


def test_a_second_invite_from_a_stale_copy_of_the_interest_is_refused(lab, facilitator):
    interest = InterestFactory(lab=lab, status=InterestStatus.SHORTLISTED)
    stale = ExpressionOfInterest.objects.get(pk=interest.pk)
    services.organization_invite(
        lab=lab, invited_by=facilitator, email="lead@new.example", interest=interest
    )

    with pytest.raises(TransitionError, match="already been invited"):
        services.organization_invite(
            lab=lab, invited_by=facilitator, email="lead@new.example", interest=stale
        )

    assert Organization.objects.filter(name=interest.organization_name).count() == 1
    assert Invitation.objects.count() == 1


def test_inviting_directly_creates_the_organization_with_its_client_groups(lab, facilitator):
    invitation, _ = services.organization_invite(
        lab=lab,
        invited_by=facilitator,
        email="lead@new.example",
        organization_name="Code Next",
        client_groups=groups("youth-and-students"),
        client_groups_other="Foster youth",
    )

    org = invitation.organization
    assert org.name == "Code Next"
    assert [g.slug for g in org.client_groups.all()] == ["youth-and-students"]
    assert org.client_groups_other == "Foster youth"
    assert Participation.objects.get(lab=lab, organization=org).status == S.INVITED


def test_it_refuses_to_invite_an_organization_that_withdrew(
    participation_a, lab, org_a, facilitator
):
    at(participation_a, S.WITHDRAWN)

    with pytest.raises(TransitionError, match="withdrew from this lab"):
        services.organization_invite(
            lab=lab, invited_by=facilitator, email="again@orga.example", organization=org_a
        )

    assert not Invitation.objects.exists()


def test_a_withdrawn_interest_invite_leaves_the_interest_untouched(
    participation_a, lab, org_a, facilitator
):
    at(participation_a, S.WITHDRAWN)
    interest = InterestFactory(lab=lab, status=InterestStatus.SHORTLISTED)

    with pytest.raises(TransitionError):
        services.organization_invite(
            lab=lab,
            invited_by=facilitator,
            email="again@orga.example",
            organization=org_a,
            interest=interest,
        )

    interest.refresh_from_db()
    assert interest.status == InterestStatus.SHORTLISTED
    assert interest.organization is None


def test_a_lead_invites_a_colleague_to_the_organization_only(org_a, member_a):
    invitation, token = services.member_invite(
        organization=org_a,
        invited_by=member_a,
        email="Colleague@OrgA.Example",
        role=MembershipRole.MEMBER,
    )

    assert invitation.lab is None
    assert invitation.email == "colleague@orga.example"
    assert invitation.role == MembershipRole.MEMBER
    assert Invitation.objects.by_token(token).get() == invitation


def test_accepting_makes_the_person_a_member_and_the_organization_accepted(lab, facilitator):
    invitation, _ = services.organization_invite(
        lab=lab,
        invited_by=facilitator,
        email="lead@new.example",
        name="Lee Lead",
        organization_name="Code Next",
        client_groups=groups("youth-and-students"),
    )
    person = UserFactory(email="lead@new.example", name="")

    membership = services.invitation_accept(invitation=invitation, user=person)

    assert membership.organization == invitation.organization
    assert membership.role == MembershipRole.LEAD
    person.refresh_from_db()
    assert person.name == "Lee Lead"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == person
    participation = Participation.objects.get(lab=lab, organization=invitation.organization)
    assert participation.status == S.ACCEPTED
    event = participation.events.last()
    assert (event.from_status, event.to_status, event.actor) == (S.INVITED, S.ACCEPTED, person)


def test_accepting_a_lead_invitation_promotes_an_existing_member(org_a):
    colleague = MembershipFactory(organization=org_a, role=MembershipRole.MEMBER).user
    invitation = InvitationFactory(organization=org_a, email=colleague.email)

    services.invitation_accept(invitation=invitation, user=colleague)

    assert Membership.objects.get(user=colleague, organization=org_a).is_lead


def test_accepting_a_member_invitation_never_demotes_a_lead(org_a, member_a):
    invitation = InvitationFactory(
        organization=org_a, email=member_a.email, role=MembershipRole.MEMBER
    )

    services.invitation_accept(invitation=invitation, user=member_a)

    assert Membership.objects.get(user=member_a, organization=org_a).is_lead


def test_accepting_leaves_a_participation_already_past_invited_alone(lab, org_a, member_a):
    invitation = InvitationFactory(organization=org_a, lab=lab, email="new@orga.example")
    person = UserFactory(email="new@orga.example")

    services.invitation_accept(invitation=invitation, user=person)

    participation = Participation.objects.get(lab=lab, organization=org_a)
    assert participation.status == S.ACTIVE
    assert not participation.events.exists()


def test_it_refuses_a_second_use_of_an_invitation(org_a):
    invitation = InvitationFactory(organization=org_a, email="once@orga.example")
    person = UserFactory(email="once@orga.example")
    services.invitation_accept(invitation=invitation, user=person)

    with pytest.raises(TransitionError, match="already used, revoked or has expired"):
        services.invitation_accept(invitation=invitation, user=person)


def test_it_refuses_an_invitation_for_someone_else(org_a, outsider):
    invitation = InvitationFactory(organization=org_a, email="someone@orga.example")

    with pytest.raises(TransitionError, match="This invitation is for someone@orga.example"):
        services.invitation_accept(invitation=invitation, user=outsider)

    assert not Membership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.is_usable()


def test_it_matches_the_invited_address_regardless_of_case(org_a):
    invitation = InvitationFactory(organization=org_a, email="case@orga.example")
    person = UserFactory(email="Case@OrgA.Example")

    services.invitation_accept(invitation=invitation, user=person)

    assert Membership.objects.filter(user=person, organization=org_a).exists()


def test_it_refuses_an_expired_invitation(org_a):
    invitation = InvitationFactory(organization=org_a, email="late@orga.example")
    person = UserFactory(email="late@orga.example")

    with (
        time_machine.travel(invitation.expires_at + dt.timedelta(seconds=1)),
        pytest.raises(TransitionError, match="expired"),
    ):
        services.invitation_accept(invitation=invitation, user=person)

    assert not Membership.objects.filter(user=person).exists()


def test_it_refuses_a_revoked_invitation_and_a_second_revocation(org_a):
    invitation = InvitationFactory(organization=org_a, email="gone@orga.example")
    person = UserFactory(email="gone@orga.example")
    services.invitation_revoke(invitation=invitation)

    with pytest.raises(TransitionError):
        services.invitation_accept(invitation=invitation, user=person)
    with pytest.raises(TransitionError, match="already used, revoked or has expired"):
        services.invitation_revoke(invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert not Membership.objects.filter(user=person).exists()


# --- Competing participants ------------------------------------------------------------------


def lab_participations(lab):
    return lab.participations.select_related("organization").prefetch_related(
        "organization__client_groups"
    )


def test_it_reports_two_participants_sharing_a_vocabulary_group(lab, org_a, org_b):
    org_b.client_groups.add(*groups("lgbtqia-technologists"))

    overlaps = services.lab_overlaps(lab_participations(lab))

    assert [str(o) for o in overlaps] == [
        "Latinas Building Tech and Out in Tech Chicago both serve LGBTQIA+ technologists"
    ]


def test_it_reports_the_same_free_text_group_regardless_of_case_and_spaces(lab, org_a, org_b):
    Organization.objects.filter(pk=org_a.pk).update(client_groups_other="Foster youth, Farmers")
    Organization.objects.filter(pk=org_b.pk).update(client_groups_other=" FOSTER YOUTH ")

    overlaps = services.lab_overlaps(lab_participations(lab))

    assert len(overlaps) == 1
    assert overlaps[0].organizations == ("Latinas Building Tech", "Out in Tech Chicago")
    assert overlaps[0].client_group.casefold() == "foster youth"


def test_a_typed_group_matches_the_same_ticked_vocabulary_group(lab, org_a, org_b):
    Organization.objects.filter(pk=org_b.pk).update(client_groups_other="lgbtqia+ Technologists")

    overlaps = services.lab_overlaps(lab_participations(lab))

    assert [o.organizations for o in overlaps] == [("Latinas Building Tech", "Out in Tech Chicago")]


def test_it_reports_no_overlap_between_different_groups(lab, org_a, org_b):
    assert services.lab_overlaps(lab_participations(lab)) == []


def test_it_ignores_withdrawn_participants_when_looking_for_overlaps(lab, org_a, org_b):
    org_b.client_groups.add(*groups("lgbtqia-technologists"))
    Participation.objects.filter(organization=org_b).update(status=S.WITHDRAWN)

    assert services.lab_overlaps(lab_participations(lab)) == []


def test_it_ignores_participants_of_other_labs(lab, org_a, org_c):
    org_c.client_groups.add(*groups("lgbtqia-technologists"))

    assert services.lab_overlaps(lab_participations(lab)) == []


def test_an_organization_naming_a_group_twice_does_not_compete_with_itself(lab, org_a):
    org_a.client_groups.add(*groups("veterans"))
    Organization.objects.filter(pk=org_a.pk).update(client_groups_other="Veterans, youth, Youth")

    assert services.lab_overlaps(lab_participations(lab)) == []


def test_a_participant_naming_a_group_twice_is_listed_once_against_a_candidate(lab, org_a):
    org_a.client_groups.add(*groups("veterans"))
    Organization.objects.filter(pk=org_a.pk).update(client_groups_other="Veterans")

    overlaps = services.candidate_overlaps(
        name="New Org",
        client_groups=groups("veterans"),
        other_groups=[],
        participations=lab_participations(lab),
    )

    assert [o.organizations for o in overlaps] == [("New Org", "Out in Tech Chicago")]


def test_it_finds_the_participants_an_interest_would_compete_with(lab, org_a, org_b):
    interest = InterestFactory(lab=lab, organization_name="Queer Coders", client_groups_other="")
    interest.client_groups.set(groups("lgbtqia-technologists", "veterans"))

    overlaps = services.candidate_overlaps(
        name=interest.organization_name,
        client_groups=interest.client_groups.all(),
        other_groups=interest.other_client_groups(),
        participations=lab_participations(lab),
    )

    assert [str(o) for o in overlaps] == [
        "Queer Coders and Out in Tech Chicago both serve LGBTQIA+ technologists"
    ]


def test_candidate_overlaps_match_free_text_case_insensitively(lab, org_a):
    Organization.objects.filter(pk=org_a.pk).update(client_groups_other="Trans technologists")

    overlaps = services.candidate_overlaps(
        name="New Org",
        client_groups=ClientGroup.objects.none(),
        other_groups=services.split_other_groups("trans TECHNOLOGISTS, farmers"),
        participations=lab_participations(lab),
    )

    assert [o.organizations for o in overlaps] == [("New Org", "Out in Tech Chicago")]


def test_candidate_overlaps_ignore_withdrawn_participants_and_the_candidate_itself(
    lab, org_a, org_b
):
    Participation.objects.filter(organization=org_b).update(status=S.WITHDRAWN)
    wanted = groups("lgbtqia-technologists", "latina-women")

    assert (
        services.candidate_overlaps(
            name=org_a.name,
            client_groups=wanted,
            other_groups=[],
            participations=lab_participations(lab),
            exclude_org_id=org_a.pk,
        )
        == []
    )
