"""allauth customised through its adapter: sign-up only through a valid invitation."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from participants.models import Invitation
from participants.services import invitation_accept

INVITATION_SESSION_KEY = "mll_invitation_token"
JOINED_SESSION_KEY = "mll_joined_organization_url"


def pending_invitation(request):
    """The usable invitation whose token this browser is carrying, if any."""
    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return None
    return Invitation.objects.usable().by_token(token).select_related("organization").first()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return pending_invitation(request) is not None

    def save_user(self, request, user, form, commit=True):
        invitation = pending_invitation(request)
        if invitation is not None:
            user.name = user.name or invitation.name
        user = super().save_user(request, user, form, commit=commit)
        if commit and invitation is not None and user.email.lower() == invitation.email:
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(INVITATION_SESSION_KEY, None)
            request.session[JOINED_SESSION_KEY] = invitation.organization.get_absolute_url()
        return user

    def get_signup_redirect_url(self, request) -> str:
        """A person who joined through an invitation lands in their organization."""
        return request.session.pop(JOINED_SESSION_KEY, None) or super().get_signup_redirect_url(
            request
        )

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        invitation = pending_invitation(self.request) if self.request else None
        if invitation is not None and email.lower() != invitation.email:
            raise ValidationError(
                f"Use the address your invitation was sent to: {invitation.email}."
            )
        return email
