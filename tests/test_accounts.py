"""Sign-in, sign-up by invitation only, password reset, profile, two-factor, and the pages'
layout: every allauth page renders inside the site's base template with one h1."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from participants.adapter import INVITATION_SESSION_KEY
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_in(client, password):
    """Sign in and confirm the password again, as allauth asks before security changes."""

    def _sign_in(user):
        client.force_login(user)
        response = client.post(reverse("account_reauthenticate"), {"password": password})
        assert response.status_code == 302
        return client

    return _sign_in


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def assert_in_site_layout(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html
    assert html.count("<h1") == 1


def has_label(html: str, field_id: str) -> bool:
    return re.search(rf'<label[^>]*\bfor="{field_id}"', html) is not None


def field_tag(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, f"no field {field_id}"
    return match.group(0)


# Sign in


def test_it_signs_in_with_email_and_password(client, outsider, password):
    response = client.post(
        reverse("account_login"), {"login": outsider.email, "password": password}
    )

    assert response.status_code == 302
    assert response.url == reverse("labs:home") == "/"
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_it_signs_in_regardless_of_email_case(client, outsider, password):
    response = client.post(
        reverse("account_login"), {"login": outsider.email.upper(), "password": password}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_it_rejects_a_wrong_password_and_keeps_the_email(client, outsider):
    response = client.post(
        reverse("account_login"), {"login": outsider.email, "password": "not-the-password"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "alert-danger" in html
    assert f'value="{outsider.email}"' in html


def test_it_renders_the_login_page_in_the_site_layout(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert_in_site_layout(response)
    assert has_label(html, "id_login")
    assert has_label(html, "id_password")
    assert "form-control" in field_tag(html, "id_login")
    # The "forgot your password?" link is the password's help text, tied to the field.
    assert 'aria-describedby="id_password_helptext"' in field_tag(html, "id_password")
    assert reverse("account_reset_password") in html
    assert 'class="btn btn-primary w-100"' in html
    assert "invitation" in html


def test_it_asks_for_the_authenticator_code_after_the_password(client, outsider, password):
    secret = with_totp(outsider)

    response = client.post(
        reverse("account_login"), {"login": outsider.email, "password": password}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert_in_site_layout(response)
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_it_renders_the_sign_in_by_code_pages(client, outsider, mailoutbox):
    response = client.get(reverse("account_request_login_code"))
    assert_in_site_layout(response)

    response = client.post(
        reverse("account_request_login_code"), {"email": outsider.email}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("account_confirm_login_code")
    assert_in_site_layout(response)
    assert has_label(response.content.decode(), "id_code")
    assert len(mailoutbox) == 1


# Sign up


def test_it_shows_the_closed_page_without_an_invitation(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert_in_site_layout(response)
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert "invitation" in html
    assert "facilitator" in html
    assert 'name="password1"' not in html


def test_it_creates_no_account_without_an_invitation(client, django_user_model):
    client.post(
        reverse("account_signup"),
        {"email": "walk-in@example.org", "password1": "x7!long-pass", "password2": "x7!long-pass"},
    )

    assert not django_user_model.objects.filter(email="walk-in@example.org").exists()


def test_it_signs_up_through_an_invitation(client, django_user_model):
    token = "invite-token-for-signup-abcdefghij"
    invitation = InvitationFactory(token=token, name="Nia Newbie")

    response = client.post(reverse("participants:invitation", args=[token]))
    assert response.url == reverse("account_signup")
    response = client.get(response.url)

    assert_in_site_layout(response)
    assert f'value="{invitation.email}"' in field_tag(response.content.decode(), "id_email")

    passphrase = "a-long-and-new-passphrase"
    response = client.post(
        reverse("account_signup"),
        {"email": invitation.email, "password1": passphrase, "password2": passphrase},
    )

    user = django_user_model.objects.get(email=invitation.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.name == "Nia Newbie"
    assert user.memberships.filter(organization=invitation.organization).exists()


def test_it_prefills_the_invited_email_on_signup(client):
    invitation = InvitationFactory(token="invite-token-for-signup-0123456789")
    session = client.session
    session[INVITATION_SESSION_KEY] = "invite-token-for-signup-0123456789"
    session["account_verified_email"] = invitation.email
    session.save()

    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert_in_site_layout(response)
    assert f'value="{invitation.email}"' in field_tag(html, "id_email")
    assert has_label(html, "id_password1")


# Password reset


def test_it_renders_the_password_reset_page_in_the_site_layout(client):
    response = client.get(reverse("account_reset_password"))

    assert_in_site_layout(response)
    assert has_label(response.content.decode(), "id_email")


def test_it_sends_a_password_reset_email(client, outsider, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": outsider.email})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [outsider.email]
    assert_in_site_layout(client.get(response.url))


def test_it_resets_the_password_from_the_emailed_link(client, outsider, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": outsider.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)

    response = client.get(link.group(1), follow=True)

    assert_in_site_layout(response)
    assert has_label(response.content.decode(), "id_password1")

    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "a-brand-new-long-passphrase", "password2": "a-brand-new-long-passphrase"},
        follow=True,
    )

    assert_in_site_layout(response)
    outsider.refresh_from_db()
    assert outsider.check_password("a-brand-new-long-passphrase")


def test_it_explains_a_bad_reset_link(client):
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})
    )

    assert_in_site_layout(response)
    assert reverse("account_reset_password") in response.content.decode()


# Profile


def test_it_requires_login_for_the_profile(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_shows_the_profile_with_links_to_security_settings(login, member_a):
    response = login(member_a).get(reverse("accounts:profile"))

    html = response.content.decode()
    assert_in_site_layout(response)
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in html
    assert 'aria-label="Account settings"' in html


def test_it_saves_name_pronouns_and_time_zone(login, member_a):
    response = login(member_a).post(
        reverse("accounts:profile"),
        {"name": "Ana Ortiz", "pronouns": "she/her", "time_zone": "Europe/Lisbon"},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    member_a.refresh_from_db()
    assert (member_a.name, member_a.pronouns, member_a.time_zone) == (
        "Ana Ortiz",
        "she/her",
        "Europe/Lisbon",
    )


def test_it_shows_a_bad_time_zone_beside_the_field_and_keeps_the_name(login, member_a):
    old_name = member_a.name

    response = login(member_a).post(
        reverse("accounts:profile"),
        {"name": "Ana Typed This", "pronouns": "", "time_zone": "Mars/Olympus_Mons"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    select = field_tag(html, "id_time_zone")
    assert "is-invalid" in select
    assert "id_time_zone_error" in select
    assert 'id="id_time_zone_error"' in html
    assert 'value="Ana Typed This"' in field_tag(html, "id_name")
    member_a.refresh_from_db()
    assert member_a.name == old_name


# Two-factor authentication


def test_it_sends_a_facilitator_without_mfa_to_set_it_up(settings, login, lab, facilitator):
    settings.MLL_REQUIRE_MFA = True

    response = login(facilitator).get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_it_lets_a_facilitator_with_mfa_through(settings, login, lab, facilitator):
    settings.MLL_REQUIRE_MFA = True
    with_totp(facilitator)

    response = login(facilitator).get(reverse("accounts:profile"))

    assert response.status_code == 200


def test_it_does_not_require_mfa_of_a_plain_member(settings, login, member_a):
    settings.MLL_REQUIRE_MFA = True

    response = login(member_a).get(reverse("accounts:profile"))

    assert response.status_code == 200


def test_it_renders_the_mfa_pages_in_the_site_layout(client, sign_in, member_a):
    sign_in(member_a)

    assert_in_site_layout(client.get(reverse("mfa_index")))
    response = client.get(reverse("mfa_activate_totp"))
    assert_in_site_layout(response)
    html = response.content.decode()
    assert has_label(html, "id_code")
    assert '<label class="form-label" for="authenticator_secret"' in html

    with_totp(member_a)
    for name in (
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
    ):
        assert_in_site_layout(client.get(reverse(name)))


def test_it_activates_totp_and_shows_the_recovery_codes(client, sign_in, member_a):
    sign_in(member_a)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    response = client.post(
        reverse("mfa_activate_totp"), {"code": current_code(secret)}, follow=True
    )

    assert Authenticator.objects.filter(user=member_a, type=Authenticator.Type.TOTP).exists()
    assert_in_site_layout(response)
    assert 'id="recovery_codes"' in response.content.decode()


def test_it_shows_a_wrong_totp_code_beside_the_field(client, sign_in, member_a):
    sign_in(member_a)

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    html = response.content.decode()
    assert response.status_code == 200
    code = field_tag(html, "id_code")
    assert "is-invalid" in code
    assert "id_code_error" in code


def test_it_asks_for_the_password_again_before_security_changes(client, login, member_a):
    login(member_a)

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert_in_site_layout(response)


# The other account pages


@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "account_logout", "mfa_index"]
)
def test_it_renders_the_account_pages_in_the_site_layout(client, login, member_a, name):
    response = login(member_a).get(reverse(name))

    assert_in_site_layout(response)
    assert 'aria-label="Account settings"' in response.content.decode()


def test_it_changes_the_password(client, login, member_a, password):
    response = login(member_a).post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "another-long-passphrase", "password2": "nope"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_tag(html, "id_password2")

    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )

    member_a.refresh_from_db()
    assert member_a.check_password("another-long-passphrase")


def test_it_explains_an_expired_email_confirmation_link(client):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "no-such-key"}))

    assert_in_site_layout(response)


def test_it_signs_out(client, login, member_a):
    response = login(member_a).post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
