"""The participants pages: the public call, who may open what, forms that keep what people
typed, contracts on disk, the competing-participants warning, and query counts that stay flat."""

import datetime as dt
import html as html_lib
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import (
    AgreementSignature,
    ClientGroup,
    ExpressionOfInterest,
    InterestStatus,
    Invitation,
    MembershipRole,
    Organization,
    Participation,
    ParticipationStatus,
    SignatureKind,
)
from participants.views import INTEREST_LIMIT_PER_HOUR
from tests.factories import (
    InterestFactory,
    InvitationFactory,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def group_pk(slug: str) -> str:
    return str(ClientGroup.objects.get(slug=slug).pk)


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def error_beside(response, field: str) -> str:
    """The error crispy renders right under a field, tied to it by id."""
    match = re.search(
        rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|p|div)>', text(response), re.S
    )
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def input_value(response, field: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', response.content.decode())
    assert tag, f"no input {field}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html_lib.unescape(value.group(1)) if value else ""


@pytest.fixture
def participation_a(lab, org_a):
    return Participation.objects.get(lab=lab, organization=org_a)


@pytest.fixture
def colleague_a(org_a):
    """A member of org A who isn't its lead."""
    return MembershipFactory(
        organization=org_a, role=MembershipRole.MEMBER, user__email="cal@orga.example"
    ).user


# --- The public call ---------------------------------------------------------------------------


def interest_data(**overrides) -> dict:
    data = {
        "organization_name": "Vets Who Code Chicago",
        "website": "https://vets.example",
        "city": "Chicago",
        "state": "IL",
        "contact_name": "Val Vet",
        "contact_email": "val@vets.example",
        "client_groups": [group_pk("veterans")],
        "client_groups_other": "Military spouses",
        "mission": "Veterans into software careers.",
        "program_summary": "30 mentors matched by stack.",
        "why_join": "To learn from peers.",
        "nickname": "",
    }
    data.update(overrides)
    return data


def call_url(lab) -> str:
    return reverse("participants:call", args=[lab.slug])


def test_the_published_call_renders_with_its_form(client, lab):
    response = client.get(call_url(lab))

    assert response.status_code == 200
    assert "Chicago MLL" in text(response)
    assert 'name="organization_name"' in text(response)


@pytest.mark.parametrize("who", [None, "outsider", "facilitator2"])
def test_an_unpublished_call_is_not_found(client, lab, who, request):
    lab.call_is_published = False
    lab.save()
    if who:
        client.force_login(request.getfixturevalue(who))

    assert client.get(call_url(lab)).status_code == 404
    assert client.get(reverse("participants:call_thanks", args=[lab.slug])).status_code == 404


@pytest.mark.parametrize("who", ["facilitator", "admin_user"])
def test_the_labs_facilitator_previews_an_unpublished_call(login, lab, who, request):
    lab.call_is_published = False
    lab.save()
    client = login(request.getfixturevalue(who))

    response = client.get(call_url(lab))

    assert response.status_code == 200
    assert "Preview: this call isn't published yet" in text(response)


def test_an_unknown_call_is_not_found(client):
    assert client.get(reverse("participants:call", args=["no-such-lab"])).status_code == 404


def test_submitting_interest_stores_it_and_emails_the_facilitators(
    client, lab, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(call_url(lab), interest_data())

    assert response.status_code == 302
    assert response.url == reverse("participants:call_thanks", args=[lab.slug])
    interest = ExpressionOfInterest.objects.get()
    assert interest.lab == lab
    assert interest.organization_name == "Vets Who Code Chicago"
    assert interest.status == InterestStatus.NEW
    assert [g.slug for g in interest.client_groups.all()] == ["veterans"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [facilitator.email]
    assert client.get(response.url).status_code == 200


def test_an_invalid_interest_keeps_every_typed_value_and_marks_the_fields(client, lab):
    response = client.post(
        call_url(lab),
        interest_data(client_groups=[], client_groups_other="", contact_email="not-an-email"),
    )

    assert response.status_code == 200
    assert not ExpressionOfInterest.objects.exists()
    assert "Tick at least one group" in error_beside(response, "client_groups")
    assert "valid email" in error_beside(response, "contact_email")
    assert input_value(response, "organization_name") == "Vets Who Code Chicago"
    assert input_value(response, "website") == "https://vets.example"
    assert input_value(response, "city") == "Chicago"
    assert input_value(response, "state") == "IL"
    assert input_value(response, "contact_name") == "Val Vet"
    assert input_value(response, "contact_email") == "not-an-email"
    assert "Veterans into software careers.</textarea>" in text(response)
    assert "30 mentors matched by stack.</textarea>" in text(response)
    assert "To learn from peers.</textarea>" in text(response)


def test_an_invalid_interest_keeps_the_ticked_groups(client, lab):
    response = client.post(call_url(lab), interest_data(mission=""))

    assert response.status_code == 200
    tag = re.search(
        rf'<input[^>]*value="{group_pk("veterans")}"[^>]*>', response.content.decode()
    ).group(0)
    assert "checked" in tag
    assert error_beside(response, "mission")


def test_the_honeypot_thanks_a_bot_but_stores_nothing(
    client, lab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(call_url(lab), interest_data(nickname="bot"))

    assert response.status_code == 302
    assert response.url == reverse("participants:call_thanks", args=[lab.slug])
    assert not ExpressionOfInterest.objects.exists()
    assert not mail.outbox


def test_it_refuses_the_sixth_submission_within_the_hour_from_one_address(client, lab):
    for n in range(INTEREST_LIMIT_PER_HOUR):
        response = client.post(call_url(lab), interest_data(organization_name=f"Org {n}"))
        assert response.status_code == 302

    response = client.post(call_url(lab), interest_data(organization_name="Org 6"))

    assert INTEREST_LIMIT_PER_HOUR == 5
    assert response.status_code == 200
    assert "Too many submissions from your network" in text(response)
    assert input_value(response, "organization_name") == "Org 6"
    assert ExpressionOfInterest.objects.count() == 5
    other = client.post(call_url(lab), interest_data(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302
    assert ExpressionOfInterest.objects.count() == 6


def test_a_closed_call_shows_no_form_and_takes_no_interest(client, lab):
    lab.call_deadline = lab.today() - dt.timedelta(days=1)
    lab.save()

    shown = client.get(call_url(lab))
    posted = client.post(call_url(lab), interest_data())

    assert "This call is closed" in text(shown)
    assert 'name="organization_name"' not in text(shown)
    assert posted.status_code == 200
    assert not ExpressionOfInterest.objects.exists()


def test_the_call_is_open_through_its_deadline_day(client, lab):
    lab.call_deadline = lab.today()
    lab.save()

    response = client.post(call_url(lab), interest_data())

    assert response.status_code == 302
    assert ExpressionOfInterest.objects.count() == 1


# --- Who may open what -------------------------------------------------------------------------


@pytest.fixture
def world(lab, org_a, org_b, member_a, member_b, facilitator, participation_a):
    interest = InterestFactory(lab=lab)
    signature = AgreementSignature.objects.create(
        participation=participation_a,
        kind=SignatureKind.UPLOADED,
        agreement_version=1,
        contract_file=ContentFile(PDF, name="contract.pdf"),
        signed_by=facilitator,
    )
    invitation = InvitationFactory(organization=org_a, email="waiting@orga.example")
    return SimpleNamespace(
        lab=lab,
        org=org_a,
        participation=participation_a,
        interest=interest,
        signature=signature,
        invitation=invitation,
    )


VIEWS = {
    "list": ("get", lambda w: reverse("participants:list", args=[w.lab.slug])),
    "interest_list": ("get", lambda w: reverse("participants:interest_list", args=[w.lab.slug])),
    "interest_detail": (
        "get",
        lambda w: reverse("participants:interest_detail", args=[w.lab.slug, w.interest.pk]),
    ),
    "interest_review": (
        "post",
        lambda w: reverse(
            "participants:interest_review", args=[w.lab.slug, w.interest.pk, "shortlist"]
        ),
    ),
    "invite": ("get", lambda w: reverse("participants:invite", args=[w.lab.slug])),
    "participation": (
        "get",
        lambda w: reverse("participants:participation", args=[w.lab.slug, w.participation.pk]),
    ),
    "contract": (
        "get",
        lambda w: reverse("participants:contract", args=[w.lab.slug, w.participation.pk]),
    ),
    "signature_file": (
        "get",
        lambda w: reverse(
            "participants:signature_file",
            args=[w.lab.slug, w.participation.pk, w.signature.pk],
        ),
    ),
    "transition": (
        "post",
        lambda w: reverse(
            "participants:transition", args=[w.lab.slug, w.participation.pk, "complete"]
        ),
    ),
    "sign": ("get", lambda w: reverse("participants:sign", args=[w.lab.slug])),
    "organization": ("get", lambda w: reverse("participants:organization", args=[w.org.pk])),
    "organization_edit": (
        "get",
        lambda w: reverse("participants:organization_edit", args=[w.org.pk]),
    ),
    "member_invite": ("get", lambda w: reverse("participants:member_invite", args=[w.org.pk])),
    "invitation_revoke": (
        "post",
        lambda w: reverse("participants:invitation_revoke", args=[w.org.pk, w.invitation.pk]),
    ),
}

WHO = [
    "facilitator",
    "admin_user",
    "member_a",
    "colleague_a",
    "member_b",
    "facilitator2",
    "outsider",
]

# ok: the page (or its redirect after the action); 404: hidden, same as missing.
# member_b leads org B in the same lab; colleague_a is org A's non-lead member;
# facilitator2 runs another lab. Anonymous people are sent to sign in everywhere.
MATRIX = {
    #                   fac    admin  mem_a  coll_a  mem_b  fac2   outsider
    "list": ["ok", "ok", "ok", "ok", "ok", 404, 404],
    "interest_list": ["ok", "ok", 404, 404, 404, 404, 404],
    "interest_detail": ["ok", "ok", 404, 404, 404, 404, 404],
    "interest_review": ["ok", "ok", 404, 404, 404, 404, 404],
    "invite": ["ok", "ok", 404, 404, 404, 404, 404],
    "participation": ["ok", "ok", "ok", "ok", 404, 404, 404],
    "contract": ["ok", "ok", 404, 404, 404, 404, 404],
    "signature_file": ["ok", "ok", "ok", "ok", 404, 404, 404],
    "transition": ["ok", "ok", 404, 404, 404, 404, 404],
    # Signing is for the user's own organization: member_b reaches org B's page, not org A's.
    "sign": [404, 404, "ok", "ok", "ok", 404, 404],
    "organization": ["ok", "ok", "ok", "ok", 404, 404, 404],
    "organization_edit": [404, "ok", "ok", "ok", 404, 404, 404],
    "member_invite": [404, "ok", "ok", 404, 404, 404, 404],
    "invitation_revoke": [404, "ok", "ok", 404, 404, 404, 404],
}

CASES = [
    pytest.param(view, who, expected, id=f"{view}-{who}")
    for view, row in MATRIX.items()
    for who, expected in zip(WHO, row, strict=True)
]


@pytest.mark.parametrize(("view", "who", "expected"), CASES)
def test_the_permission_matrix(client, world, request, view, who, expected):
    method, url = VIEWS[view]
    client.force_login(request.getfixturevalue(who))

    response = getattr(client, method)(url(world))

    if expected == 404:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("view", list(VIEWS))
def test_anonymous_people_are_sent_to_sign_in(client, world, view):
    method, url = VIEWS[view]

    response = getattr(client, method)(url(world))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


def test_the_matrix_covers_every_participants_view():
    from participants.urls import urlpatterns

    public = {"call", "call_thanks", "invitation"}
    assert {p.name for p in urlpatterns} == set(VIEWS) | public


def test_the_sign_page_shows_member_b_their_own_organization(login, world, member_b):
    client = login(member_b)

    response = client.get(reverse("participants:sign", args=[world.lab.slug]))

    assert "for Latinas Building Tech" in text(response)
    assert "Out in Tech Chicago" not in text(response)


def test_a_forbidden_post_changes_nothing(login, world, member_a, member_b):
    client = login(member_a)
    client.post(VIEWS["transition"][1](world))
    client.post(VIEWS["interest_review"][1](world))
    login(member_b).post(VIEWS["invitation_revoke"][1](world))

    world.participation.refresh_from_db()
    world.interest.refresh_from_db()
    world.invitation.refresh_from_db()
    assert world.participation.status == ParticipationStatus.ACTIVE
    assert world.interest.status == InterestStatus.NEW
    assert world.invitation.is_usable()


def test_an_interest_of_another_lab_is_not_found_in_this_one(login, lab, lab2, facilitator):
    elsewhere = InterestFactory(lab=lab2)
    client = login(facilitator)

    response = client.get(reverse("participants:interest_detail", args=[lab.slug, elsewhere.pk]))

    assert response.status_code == 404


def test_a_participation_is_not_reached_through_another_labs_address(
    login, lab2, facilitator2, participation_a
):
    client = login(facilitator2)

    response = client.get(
        reverse("participants:participation", args=[lab2.slug, participation_a.pk])
    )

    assert response.status_code == 404


def test_a_signature_is_not_reached_through_another_participation(login, world, member_b, org_b):
    client = login(member_b)
    participation_b = Participation.objects.get(organization=org_b)

    response = client.get(
        reverse(
            "participants:signature_file",
            args=[world.lab.slug, participation_b.pk, world.signature.pk],
        )
    )

    assert response.status_code == 404


def test_an_invitation_is_not_revoked_through_another_organization(login, world, member_b, org_b):
    client = login(member_b)

    response = client.post(
        reverse("participants:invitation_revoke", args=[org_b.pk, world.invitation.pk])
    )

    assert response.status_code == 404
    world.invitation.refresh_from_db()
    assert world.invitation.is_usable()


def test_members_of_a_withdrawn_organization_lose_the_lab(login, lab, member_a, participation_a):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.WITHDRAWN)
    client = login(member_a)

    assert client.get(reverse("participants:list", args=[lab.slug])).status_code == 404
    assert client.get(reverse("participants:sign", args=[lab.slug])).status_code == 404
    assert (
        client.get(
            reverse("participants:participation", args=[lab.slug, participation_a.pk])
        ).status_code
        == 404
    )


def test_a_non_lead_member_edits_the_profile_but_cannot_invite(login, colleague_a, org_a):
    client = login(colleague_a)

    page = client.get(reverse("participants:organization", args=[org_a.pk]))
    saved = client.post(
        reverse("participants:organization_edit", args=[org_a.pk]),
        organization_data(org_a, mission="Updated by a colleague."),
    )
    invite = client.post(
        reverse("participants:member_invite", args=[org_a.pk]),
        {"name": "X", "email": "x@orga.example", "role": "lead"},
    )

    assert "Edit profile" in text(page)
    assert "Invite a colleague" not in text(page)
    assert saved.status_code == 302
    org_a.refresh_from_db()
    assert org_a.mission == "Updated by a colleague."
    assert invite.status_code == 404
    assert not Invitation.objects.exists()


def test_a_facilitator_reads_an_organization_but_cannot_edit_it(login, facilitator, org_a):
    client = login(facilitator)

    page = client.get(reverse("participants:organization", args=[org_a.pk]))
    edit = client.post(
        reverse("participants:organization_edit", args=[org_a.pk]),
        organization_data(org_a, mission="Changed by the facilitator"),
    )

    assert page.status_code == 200
    assert "Edit profile" not in text(page)
    assert edit.status_code == 404
    org_a.refresh_from_db()
    assert org_a.mission != "Changed by the facilitator"


# --- The participants page ---------------------------------------------------------------------


@pytest.fixture
def cohort(lab, org_a, org_b, participation_a):
    """Org A signed, org B still invited and overlapping with A, a withdrawn org D."""
    Participation.objects.filter(pk=participation_a.pk).update(
        status=ParticipationStatus.AGREEMENT_SIGNED
    )
    Participation.objects.filter(organization=org_b).update(status=ParticipationStatus.INVITED)
    org_b.client_groups.add(ClientGroup.objects.get(slug="lgbtqia-technologists"))
    Organization.objects.filter(pk=org_b.pk).update(mission="Latinas into engineering.")
    gone = OrganizationFactory(name="Departed Mentors")
    ParticipationFactory(lab=lab, organization=gone, status=ParticipationStatus.WITHDRAWN)
    InvitationFactory(organization=org_b, lab=lab, email="pending@orgb.example")


def test_members_see_the_cohorts_public_profiles_but_not_others_statuses(
    login, lab, member_a, cohort
):
    client = login(member_a)

    response = client.get(reverse("participants:list", args=[lab.slug]))

    html = text(response)
    assert response.status_code == 200
    assert "Latinas Building Tech" in html
    assert "Latinas into engineering." in html
    assert "LGBTQIA+ technologists" in html
    assert ">Agreement signed</span>" in html  # their own organization's status
    assert ">Invited</span>" not in html  # org B's
    assert "Departed Mentors" not in html
    assert "Possible competition" not in html
    assert "Agreement:" not in html
    assert "pending@orgb.example" not in html
    assert "Invite an organization" not in html


def test_facilitators_see_statuses_overlaps_withdrawn_and_waiting_invitations(
    login, lab, facilitator, cohort
):
    client = login(facilitator)

    response = client.get(reverse("participants:list", args=[lab.slug]))

    html = text(response)
    assert ">Agreement signed</span>" in html
    assert ">Invited</span>" in html
    assert ">Withdrawn</span>" in html
    assert "Possible competition" in html
    assert "Latinas Building Tech and Out in Tech Chicago both serve LGBTQIA+ technologists" in html
    assert "Departed Mentors" in html
    assert "pending@orgb.example" in html
    assert "Agreement: not signed" in html


def test_the_lab_dashboard_shows_the_overlap_to_its_facilitator_only(
    login, lab, facilitator, member_a, cohort
):
    facilitator_view = login(facilitator).get(reverse("labs:detail", args=[lab.slug]))
    member_view = login(member_a).get(reverse("labs:detail", args=[lab.slug]))

    assert "Possible competition" in text(facilitator_view)
    assert "Possible competition" not in text(member_view)
    assert "Out in Tech Chicago in this lab" in text(member_view)


# --- Inviting with the overlap warning ---------------------------------------------------------


def invite_data(**overrides) -> dict:
    data = {
        "organization_name": "Queer Coders",
        "client_groups": [group_pk("lgbtqia-technologists")],
        "client_groups_other": "",
        "name": "Quinn Lead",
        "email": "quinn@queer.example",
    }
    data.update(overrides)
    return data


def test_inviting_a_competing_organization_needs_confirmation(
    login, lab, facilitator, org_a, django_capture_on_commit_callbacks
):
    client = login(facilitator)
    url = reverse("participants:invite", args=[lab.slug])

    refused = client.post(url, invite_data())

    assert refused.status_code == 200
    assert "Confirm you mean to invite a competing organization." in error_beside(
        refused, "confirm_overlap"
    )
    assert "Queer Coders and Out in Tech Chicago both serve LGBTQIA+ technologists" in text(refused)
    assert input_value(refused, "organization_name") == "Queer Coders"
    assert not Invitation.objects.exists()
    assert not Organization.objects.filter(name="Queer Coders").exists()

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(url, invite_data(confirm_overlap="on"))

    assert accepted.status_code == 302
    assert accepted.url == reverse("participants:list", args=[lab.slug])
    invitation = Invitation.objects.get()
    assert invitation.organization.name == "Queer Coders"
    assert mail.outbox[0].to == ["quinn@queer.example"]
    page = client.get(accepted.url)
    assert "Invitation sent to quinn@queer.example." in text(page)
    assert "Possible competition" in text(page)


def test_inviting_a_non_competing_organization_needs_no_confirmation(
    login, lab, facilitator, org_a
):
    client = login(facilitator)

    response = client.post(
        reverse("participants:invite", args=[lab.slug]),
        invite_data(client_groups=[group_pk("veterans")]),
    )

    assert response.status_code == 302
    assert Invitation.objects.count() == 1


def test_the_invite_form_asks_for_a_client_group(login, lab, facilitator):
    client = login(facilitator)

    response = client.post(
        reverse("participants:invite", args=[lab.slug]),
        invite_data(client_groups=[], email="bad"),
    )

    assert "Tick at least one group" in error_beside(response, "client_groups")
    assert error_beside(response, "email")
    assert not Invitation.objects.exists()


def test_inviting_from_a_competing_interest_needs_confirmation(
    login, lab, facilitator, org_a, django_capture_on_commit_callbacks
):
    interest = InterestFactory(lab=lab, organization_name="Queer Coders")
    interest.client_groups.add(ClientGroup.objects.get(slug="lgbtqia-technologists"))
    client = login(facilitator)
    url = reverse("participants:interest_detail", args=[lab.slug, interest.pk])

    shown = client.get(url)
    refused = client.post(url, {"name": "Quinn", "email": "quinn@queer.example"})
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            url, {"name": "Quinn", "email": "quinn@queer.example", "confirm_overlap": "on"}
        )

    assert "Possible competition" in text(shown)
    assert "Confirm you mean" in error_beside(refused, "confirm_overlap")
    assert accepted.status_code == 302
    interest.refresh_from_db()
    assert interest.status == InterestStatus.INVITED
    assert interest.organization.name == "Queer Coders"
    assert len(mail.outbox) == 1


def test_inviting_from_a_declined_interest_shows_why_it_cannot(login, lab, facilitator):
    interest = InterestFactory(lab=lab, status=InterestStatus.DECLINED)
    client = login(facilitator)

    response = client.post(
        reverse("participants:interest_detail", args=[lab.slug, interest.pk]),
        {"name": "X", "email": "x@example.org"},
    )

    assert response.status_code == 200
    assert "This expression of interest was declined; shortlist it first." in text(response)
    assert not Invitation.objects.exists()


def test_a_facilitator_shortlists_and_declines_interest(login, lab, facilitator):
    interest = InterestFactory(lab=lab)
    client = login(facilitator)

    shortlisted = client.post(
        reverse("participants:interest_review", args=[lab.slug, interest.pk, "shortlist"]),
        follow=True,
    )
    again = client.post(
        reverse("participants:interest_review", args=[lab.slug, interest.pk, "shortlist"]),
        follow=True,
    )
    bogus = client.post(
        reverse("participants:interest_review", args=[lab.slug, interest.pk, "approve"])
    )

    assert f"{interest.organization_name}: Shortlisted." in text(shortlisted)
    assert "it can't be marked shortlisted" in text(again)
    assert bogus.status_code == 404
    interest.refresh_from_db()
    assert interest.status == InterestStatus.SHORTLISTED


def test_the_interest_list_filters_by_status(login, lab, facilitator):
    InterestFactory(lab=lab, organization_name="Fresh Org")
    InterestFactory(lab=lab, organization_name="Declined Org", status=InterestStatus.DECLINED)
    client = login(facilitator)

    response = client.get(reverse("participants:interest_list", args=[lab.slug]), {"status": "new"})

    assert "Fresh Org" in text(response)
    assert "Declined Org" not in text(response)


# --- Transitions and agreements through the pages -----------------------------------------------


def test_a_facilitator_withdraws_an_organization_with_a_reason(
    login, lab, facilitator, participation_a
):
    client = login(facilitator)
    url = reverse("participants:transition", args=[lab.slug, participation_a.pk, "withdraw"])

    no_reason = client.post(url, {"reason": "  "})
    participation_a.refresh_from_db()
    assert participation_a.status == ParticipationStatus.ACTIVE
    assert no_reason.status_code == 200
    assert no_reason.context["withdraw_form"].errors["reason"] == [
        "Give a reason to withdraw the organization."
    ]
    assert "is-invalid" in no_reason.content.decode()

    response = client.post(url, {"reason": "Program paused"}, follow=True)

    participation_a.refresh_from_db()
    assert participation_a.status == ParticipationStatus.WITHDRAWN
    assert "Out in Tech Chicago: Withdrawn." in text(response)
    assert "Program paused" in text(response)


def test_a_refused_transition_shows_its_reason(login, lab, facilitator, participation_a):
    client = login(facilitator)

    response = client.post(
        reverse("participants:transition", args=[lab.slug, participation_a.pk, "activate"]),
        follow=True,
    )

    assert "Out in Tech Chicago is active; it can't become active." in text(response)


def test_an_unknown_transition_is_not_found(login, lab, facilitator, participation_a):
    client = login(facilitator)

    response = client.post(
        reverse("participants:transition", args=[lab.slug, participation_a.pk, "promote"])
    )

    assert response.status_code == 404


def test_members_record_goals_and_facilitators_cannot_post_them(
    login, lab, member_a, facilitator, participation_a
):
    url = reverse("participants:participation", args=[lab.slug, participation_a.pk])

    saved = login(member_a).post(url, {"goals": "Double our mentors."})
    refused = login(facilitator).post(url, {"goals": "Overwritten"})

    assert saved.status_code == 302
    assert refused.status_code == 404
    participation_a.refresh_from_db()
    assert participation_a.goals == "Double our mentors."


def test_the_lead_signs_the_agreement_through_the_page(login, lab, member_a, participation_a):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.ACCEPTED)
    client = login(member_a)
    url = reverse("participants:sign", args=[lab.slug])

    unticked = client.post(url, {"goals": "More mentors", "signed_name": "Ana Lead"})
    response = client.post(
        url, {"goals": "More mentors", "signed_name": "Ana Lead", "accept": "on"}
    )

    assert unticked.status_code == 200
    assert error_beside(unticked, "accept")
    assert response.status_code == 302
    assert response.url == lab.get_absolute_url()
    participation_a.refresh_from_db()
    assert participation_a.status == ParticipationStatus.AGREEMENT_SIGNED
    assert participation_a.signatures.get().signed_name == "Ana Lead"
    assert "Signed by “Ana Lead”" in text(client.get(url))


def test_a_colleague_who_isnt_lead_is_told_the_lead_signs(login, lab, colleague_a, participation_a):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.ACCEPTED)
    client = login(colleague_a)
    url = reverse("participants:sign", args=[lab.slug])

    page = client.get(url)
    response = client.post(url, {"goals": "g", "signed_name": "Cal", "accept": "on"})

    assert "Your organization's lead signs the agreement." in text(page)
    assert 'name="signed_name"' not in text(page)
    assert response.status_code == 200
    assert not AgreementSignature.objects.exists()
    participation_a.refresh_from_db()
    assert participation_a.status == ParticipationStatus.ACCEPTED
    assert participation_a.goals == ""


# --- Forms: profile, contract upload, download -------------------------------------------------


def organization_data(org, **overrides) -> dict:
    data = {
        "name": org.name,
        "website": org.website,
        "city": org.city,
        "state": org.state,
        "mission": org.mission,
        "client_groups": [str(g.pk) for g in org.client_groups.all()],
        "client_groups_other": org.client_groups_other,
        "active_mentors": "25",
        "active_mentees": "40",
        "matching_method": "",
        "program_length": "",
        "strengths": "",
        "challenges": "",
        "needs": "",
    }
    data.update(overrides)
    return data


def test_the_profile_form_marks_bad_input_and_keeps_what_was_typed(login, member_a, org_a):
    client = login(member_a)

    response = client.post(
        reverse("participants:organization_edit", args=[org_a.pk]),
        organization_data(
            org_a,
            name="Out in Tech Chicago (renamed)",
            website="not a website",
            active_mentors="-3",
            active_mentees="forty",
            matching_method="Speed-matching nights",
        ),
    )

    assert response.status_code == 200
    assert "Some fields need attention" in text(response)
    assert "greater than or equal to 0" in error_beside(response, "active_mentors")
    assert "whole number" in error_beside(response, "active_mentees")
    assert "valid URL" in error_beside(response, "website")
    assert input_value(response, "name") == "Out in Tech Chicago (renamed)"
    assert input_value(response, "website") == "not a website"
    assert input_value(response, "active_mentors") == "-3"
    assert input_value(response, "active_mentees") == "forty"
    assert "Speed-matching nights</textarea>" in text(response)
    org_a.refresh_from_db()
    assert org_a.name == "Out in Tech Chicago"
    assert org_a.active_mentors == 25


def test_the_profile_form_needs_a_client_group(login, member_a, org_a):
    client = login(member_a)

    response = client.post(
        reverse("participants:organization_edit", args=[org_a.pk]),
        organization_data(org_a, client_groups=[], client_groups_other=""),
    )

    assert "Tick at least one group" in error_beside(response, "client_groups")
    assert org_a.client_groups.count() == 1


def test_the_profile_form_saves_good_input(login, member_a, org_a):
    client = login(member_a)

    response = client.post(
        reverse("participants:organization_edit", args=[org_a.pk]),
        organization_data(
            org_a,
            website="orga.example",
            active_mentors="30",
            client_groups=[group_pk("veterans")],
        ),
    )

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.website == "https://orga.example"
    assert org_a.active_mentors == 30
    assert [g.slug for g in org_a.client_groups.all()] == ["veterans"]


def upload(name: str, content: bytes, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_contract_upload_refuses_a_file_that_isnt_a_pdf(
    login, lab, facilitator, participation_a
):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.ACCEPTED)
    client = login(facilitator)

    response = client.post(
        reverse("participants:contract", args=[lab.slug, participation_a.pk]),
        {"contract_file": upload("contract.pdf", b"<html>not a pdf</html>"), "signed_name": "Ana"},
    )

    assert response.status_code == 200
    assert "This file isn't a PDF" in error_beside(response, "contract_file")
    assert input_value(response, "signed_name") == "Ana"
    assert not AgreementSignature.objects.exists()


def test_the_contract_upload_refuses_a_file_over_the_limit(
    login, lab, facilitator, participation_a, settings
):
    settings.MLL_MAX_UPLOAD_BYTES = 10
    client = login(facilitator)

    response = client.post(
        reverse("participants:contract", args=[lab.slug, participation_a.pk]),
        {"contract_file": upload("contract.pdf", PDF)},
    )

    assert "the limit is" in error_beside(response, "contract_file")
    assert not AgreementSignature.objects.exists()


def test_the_contract_upload_files_a_pdf_under_a_random_name(
    login, lab, facilitator, participation_a
):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.ACCEPTED)
    client = login(facilitator)

    response = client.post(
        reverse("participants:contract", args=[lab.slug, participation_a.pk]),
        {"contract_file": upload("Ana Signed Contract.PDF", PDF), "signed_name": "Ana Lead"},
    )

    assert response.status_code == 302
    signature = AgreementSignature.objects.get()
    assert re.fullmatch(r"contracts/[0-9a-f]{32}\.pdf", signature.contract_file.name)
    assert "Ana" not in signature.contract_file.name
    assert signature.contract_file.read() == PDF
    participation_a.refresh_from_db()
    assert participation_a.status == ParticipationStatus.AGREEMENT_SIGNED


def test_the_contract_upload_refuses_an_invited_organization(
    login, lab, facilitator, participation_a
):
    Participation.objects.filter(pk=participation_a.pk).update(status=ParticipationStatus.INVITED)
    client = login(facilitator)

    response = client.post(
        reverse("participants:contract", args=[lab.slug, participation_a.pk]),
        {"contract_file": upload("c.pdf", PDF)},
    )

    assert response.status_code == 200
    assert "can't sign the agreement now" in text(response)
    assert not AgreementSignature.objects.exists()


def test_two_uploads_of_the_same_name_get_different_files(world, facilitator):
    other = AgreementSignature.objects.create(
        participation=world.participation,
        kind=SignatureKind.UPLOADED,
        agreement_version=1,
        contract_file=ContentFile(PDF, name="contract.pdf"),
    )

    assert other.contract_file.name != world.signature.contract_file.name


def test_the_contract_downloads_as_an_attachment_that_is_never_sniffed(login, world, member_a):
    client = login(member_a)

    response = client.get(VIEWS["signature_file"][1](world))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{world.lab.slug}-contract-v1.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_a_signature_without_a_file_has_nothing_to_download(login, world, member_a):
    typed = AgreementSignature.objects.create(
        participation=world.participation,
        kind=SignatureKind.TYPED,
        agreement_version=1,
        signed_name="Ana",
    )
    client = login(member_a)

    response = client.get(
        reverse(
            "participants:signature_file", args=[world.lab.slug, world.participation.pk, typed.pk]
        )
    )

    assert response.status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def grow(lab, n: int = 20) -> None:
    """n more organizations, each with client groups, a signature, members and an invitation."""
    vocabulary = list(ClientGroup.objects.all())
    for i in range(n):
        org = OrganizationFactory(client_groups_other=f"Group {i}, Shared group")
        org.client_groups.add(
            vocabulary[i % len(vocabulary)], vocabulary[(i + 1) % len(vocabulary)]
        )
        participation = ParticipationFactory(
            lab=lab, organization=org, status=ParticipationStatus.AGREEMENT_SIGNED
        )
        AgreementSignature.objects.create(
            participation=participation,
            kind=SignatureKind.TYPED,
            agreement_version=1,
            signed_name=f"Lead {i}",
        )
        MembershipFactory(organization=org)
        InvitationFactory(organization=org, lab=lab)
        interest = InterestFactory(lab=lab, client_groups_other=f"Group {i}")
        interest.client_groups.add(vocabulary[i % len(vocabulary)])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("facilitator", lambda lab: reverse("participants:list", args=[lab.slug])),
    ("member_a", lambda lab: reverse("participants:list", args=[lab.slug])),
    ("facilitator", lambda lab: reverse("participants:interest_list", args=[lab.slug])),
    ("facilitator", lambda lab: reverse("labs:detail", args=[lab.slug])),
    ("member_a", lambda lab: reverse("labs:detail", args=[lab.slug])),
]


@pytest.mark.parametrize(
    ("who", "url"),
    PAGES,
    ids=[
        "participants-facilitator",
        "participants-member",
        "interest",
        "dashboard-facilitator",
        "dashboard-member",
    ],
)
def test_the_page_keeps_a_fixed_number_of_queries_as_the_cohort_grows(
    client, lab, org_a, org_b, request, who, url, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    InterestFactory(lab=lab).client_groups.add(ClientGroup.objects.first())
    client.get(url(lab))  # warm caches (content types, sessions) before measuring
    small = count_queries(client, url(lab))
    grow(lab)

    with django_assert_max_num_queries(small):
        response = client.get(url(lab))

    assert response.status_code == 200
    assert Participation.objects.filter(lab=lab).count() == 22


def test_the_bigger_cohort_is_really_on_the_page(login, lab, facilitator, org_a):
    grow(lab, 3)
    client = login(facilitator)

    participants = text(client.get(reverse("participants:list", args=[lab.slug])))
    interests = text(client.get(reverse("participants:interest_list", args=[lab.slug])))

    assert participants.count("Agreement: v1") == 3
    assert "both serve Shared group" in participants
    assert interests.count("Applicant Org") >= 3


def test_another_labs_facilitator_is_not_given_a_draft_lab(login, facilitator2):
    draft = LabFactory(call_is_published=False)

    assert login(facilitator2).get(call_url(draft)).status_code == 404
