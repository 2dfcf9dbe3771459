"""Invitations end to end: a facilitator invites, the e-mailed link brings the person in through
sign-up (or sign-in), once, and only the invited address can use it."""

import datetime as dt
import hashlib
import html as html_lib
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from participants.adapter import INVITATION_SESSION_KEY
from participants.models import (
    Invitation,
    Membership,
    MembershipRole,
    Participation,
    ParticipationStatus,
)
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "lantern-orchid-vapor-42"


def invite_path(token: str) -> str:
    return reverse("participants:invitation", args=[token])


def token_from(message) -> str:
    match = re.search(r"/invitations/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invited(login, facilitator, lab, client, django_capture_on_commit_callbacks):
    """A facilitator invites a new organization's lead; returns (invitation, token)."""
    login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:invite", args=[lab.slug]),
            {
                "organization_name": "Code Next Chicago",
                "client_groups": [],
                "client_groups_other": "Foster youth",
                "name": "Nia Newlead",
                "email": "Nia@CodeNext.Example",
            },
        )
    assert response.status_code == 302, response.content.decode()
    client.logout()
    assert len(mail.outbox) == 1
    token = token_from(mail.outbox[0])
    return Invitation.objects.get(email="nia@codenext.example"), token


def sign_up(client, email, password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def test_the_facilitators_invitation_emails_a_working_link(invited):
    invitation, token = invited

    message = mail.outbox[0]
    assert message.to == ["nia@codenext.example"]
    assert f"http://testserver/invitations/{token}/" in message.body
    assert "Code Next Chicago" in message.body
    assert message.alternatives  # the html part of the triad


def test_the_raw_token_is_never_stored_only_its_hash(invited):
    invitation, token = invited

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in repr(stored)


def test_an_anonymous_visitor_sees_the_invitation(client, invited):
    invitation, token = invited

    response = client.get(invite_path(token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Invitation to Code Next Chicago" in html
    assert "nia@codenext.example" in html
    assert "Chicago MLL" in html
    assert "Accept invitation" in html


def test_accepting_anonymously_leads_to_signup_with_the_invited_email(client, invited):
    invitation, token = invited

    response = client.post(invite_path(token))

    assert response.status_code == 302
    assert response.url == reverse("account_signup")
    assert client.session[INVITATION_SESSION_KEY] == token
    signup = client.get(response.url)
    html = signup.content.decode()
    assert signup.status_code == 200
    assert re.search(r'<input[^>]*id="id_email"[^>]*value="nia@codenext.example"', html) or (
        re.search(r'<input[^>]*value="nia@codenext.example"[^>]*id="id_email"', html)
    )


def test_signing_up_through_the_invitation_makes_a_signed_in_lead_of_an_accepted_organization(
    client, invited, lab
):
    invitation, token = invited
    client.post(invite_path(token))

    response = sign_up(client, "nia@codenext.example")

    assert response.status_code == 302
    assert response.url == invitation.organization.get_absolute_url(), response.url
    person = User.objects.get(email="nia@codenext.example")
    assert person.name == "Nia Newlead"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert EmailAddress.objects.get(user=person).verified
    assert not mail.outbox[1:]  # no confirmation e-mail round-trip
    membership = Membership.objects.get(user=person)
    assert membership.organization == invitation.organization
    assert membership.role == MembershipRole.LEAD
    participation = Participation.objects.get(lab=lab, organization=invitation.organization)
    assert participation.status == ParticipationStatus.ACCEPTED
    event = participation.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("invited", "accepted", person)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == person
    assert INVITATION_SESSION_KEY not in client.session
    assert client.get(reverse("labs:detail", args=[lab.slug])).status_code == 200


def test_signing_up_with_another_address_is_refused_beside_the_email_field(client, invited):
    invitation, token = invited
    client.post(invite_path(token))

    response = sign_up(client, "someone.else@example.org")

    html = html_lib.unescape(response.content.decode())
    assert response.status_code == 200
    assert not User.objects.filter(email="someone.else@example.org").exists()
    error = re.search(r'id="error_\d+_id_email"[^>]*>(.*?)</span>', html, re.S)
    assert error, "no error beside the e-mail field"
    assert "Use the address your invitation was sent to: nia@codenext.example." in error.group(1)
    invitation.refresh_from_db()
    assert invitation.is_usable()


def test_signup_without_an_invitation_is_closed(client):
    response = sign_up(client, "walk-in@example.org")

    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(email="walk-in@example.org").exists()


def test_signup_closes_once_the_invitation_in_the_session_is_revoked(client, invited):
    invitation, token = invited
    client.post(invite_path(token))
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())

    response = sign_up(client, "nia@codenext.example")

    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(email="nia@codenext.example").exists()


def test_the_link_shows_already_used_after_acceptance_and_does_nothing(client, invited):
    invitation, token = invited
    client.post(invite_path(token))
    sign_up(client, "nia@codenext.example")
    client.logout()

    response = client.get(invite_path(token))
    again = client.post(invite_path(token))

    assert "already used" in response.content.decode()
    assert "Accept invitation" not in response.content.decode()
    assert again.status_code == 200
    assert "already used" in again.content.decode()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_expired_link_is_refused(client, org_a):
    invitation = InvitationFactory(organization=org_a, token="expired-token-0123456789")

    with time_machine.travel(invitation.expires_at + dt.timedelta(minutes=1)):
        shown = client.get(invite_path("expired-token-0123456789"))
        response = client.post(invite_path("expired-token-0123456789"))
        signup = sign_up(client, invitation.email)

    assert "has expired" in shown.content.decode()
    assert response.status_code == 200
    assert INVITATION_SESSION_KEY not in client.session
    assert "account/signup_closed.html" in [t.name for t in signup.templates]
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_revoked_link_is_refused(client, org_a):
    invitation = InvitationFactory(
        organization=org_a, token="revoked-token-0123456789", revoked_at=timezone.now()
    )

    shown = client.get(invite_path("revoked-token-0123456789"))
    client.post(invite_path("revoked-token-0123456789"))
    signup = sign_up(client, invitation.email)

    assert "was revoked" in shown.content.decode()
    assert "Accept invitation" not in shown.content.decode()
    assert "account/signup_closed.html" in [t.name for t in signup.templates]
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_unknown_token_is_not_found(client):
    assert client.get(invite_path("no-such-token")).status_code == 404
    assert client.post(invite_path("no-such-token")).status_code == 404


def test_an_existing_user_is_sent_to_sign_in_and_then_accepts(client, org_a, password):
    person = UserFactory(email="known@orga.example")
    invitation = InvitationFactory(
        organization=org_a,
        email="known@orga.example",
        role=MembershipRole.MEMBER,
        token="known-person-token-0123456789",
    )
    path = invite_path("known-person-token-0123456789")

    response = client.post(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?{urlencode({'next': path})}"
    assert not User.objects.filter(email="known@orga.example").exclude(pk=person.pk).exists()
    signed_in = client.post(response.url, {"login": person.email, "password": password})
    assert signed_in.status_code == 302
    assert signed_in.url == path
    assert "Accept invitation" in client.get(path).content.decode()
    accepted = client.post(path)
    assert accepted.status_code == 302
    assert accepted.url == reverse("participants:organization", args=[org_a.pk])
    membership = Membership.objects.get(user=person, organization=org_a)
    assert membership.role == MembershipRole.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_an_existing_user_is_matched_regardless_of_email_case(client, org_a):
    UserFactory(email="known@orga.example")
    InvitationFactory(organization=org_a, email="known@orga.example", token="case-token-012345")

    response = client.post(invite_path("case-token-012345"))

    assert response.url.startswith(reverse("account_login"))


def test_a_signed_in_person_with_another_address_cannot_accept(login, outsider, org_a):
    invitation = InvitationFactory(organization=org_a, token="not-for-oscar-0123456789")
    client = login(outsider)

    shown = client.get(invite_path("not-for-oscar-0123456789"))
    response = client.post(invite_path("not-for-oscar-0123456789"), follow=True)

    assert f"You're signed in as {outsider.email}" in shown.content.decode()
    assert "Accept invitation" not in shown.content.decode()
    assert f"This invitation is for {invitation.email}" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.is_usable()


def test_a_signed_in_invitee_accepts_with_one_click(login, org_a, lab):
    person = UserFactory(email="colleague@orga.example")
    InvitationFactory(
        organization=org_a,
        email="colleague@orga.example",
        role=MembershipRole.MEMBER,
        token="one-click-token-0123456789",
    )
    client = login(person)

    response = client.post(invite_path("one-click-token-0123456789"))

    assert response.status_code == 302
    assert Membership.objects.get(user=person, organization=org_a).role == MembershipRole.MEMBER


def test_a_lead_invites_a_colleague_who_joins_as_a_member(
    login, member_a, org_a, client, django_capture_on_commit_callbacks
):
    login(member_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:member_invite", args=[org_a.pk]),
            {"name": "Cole League", "email": "cole@orga.example", "role": "member"},
        )
    assert response.status_code == 302
    token = token_from(mail.outbox[0])
    client.logout()

    client.post(invite_path(token))
    sign_up(client, "cole@orga.example")

    person = User.objects.get(email="cole@orga.example")
    assert Membership.objects.get(user=person, organization=org_a).role == MembershipRole.MEMBER
    assert (
        Participation.objects.get(organization=org_a).status == ParticipationStatus.ACTIVE
    )  # a colleague joining doesn't move the organization's status


def test_a_lead_cannot_invite_someone_already_a_member_or_already_invited(login, member_a, org_a):
    MembershipFactory(organization=org_a, user__email="already@orga.example")
    InvitationFactory(organization=org_a, email="waiting@orga.example")
    client = login(member_a)
    url = reverse("participants:member_invite", args=[org_a.pk])

    member = client.post(url, {"name": "A", "email": "Already@orga.example", "role": "member"})
    waiting = client.post(url, {"name": "W", "email": "waiting@orga.example", "role": "member"})

    assert "already a member" in member.content.decode()
    assert "already has an invitation waiting" in waiting.content.decode()
    assert Invitation.objects.filter(organization=org_a).count() == 1


def test_a_lead_revokes_a_waiting_invitation(login, member_a, org_a):
    invitation = InvitationFactory(organization=org_a, token="to-revoke-0123456789")
    client = login(member_a)

    response = client.post(
        reverse("participants:invitation_revoke", args=[org_a.pk, invitation.pk]), follow=True
    )

    assert f"Invitation for {invitation.email} revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    client.logout()
    assert "was revoked" in client.get(invite_path("to-revoke-0123456789")).content.decode()
