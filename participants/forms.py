from django import forms
from django.core.exceptions import ValidationError

from mll.uploads import validate_pdf
from participants.models import (
    ClientGroup,
    ExpressionOfInterest,
    MembershipRole,
    Organization,
    Participation,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ClientGroupsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ClientGroup.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Client groups served")
        super().__init__(**kwargs)


def _require_some_client_group(form) -> None:
    if (
        not form.cleaned_data.get("client_groups")
        and not form.cleaned_data.get("client_groups_other", "").strip()
    ):
        form.add_error(
            "client_groups", "Tick at least one group, or name it under 'other client groups'."
        )


class InterestForm(forms.ModelForm):
    """The public expression-of-interest form; `nickname` is a honeypot people never see."""

    client_groups = ClientGroupsField()
    nickname = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ExpressionOfInterest
        fields = [
            "organization_name",
            "website",
            "city",
            "state",
            "contact_name",
            "contact_email",
            "client_groups",
            "client_groups_other",
            "mission",
            "program_summary",
            "why_join",
        ]
        widgets = {"mission": TEXTAREA, "program_summary": TEXTAREA, "why_join": TEXTAREA}

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("nickname"))

    def clean(self):
        cleaned = super().clean()
        _require_some_client_group(self)
        return cleaned


class OrganizationInviteForm(forms.Form):
    """Invite an organization's lead to the lab, directly or from an expression of interest."""

    organization_name = forms.CharField(max_length=200, label="Organization")
    client_groups = ClientGroupsField()
    client_groups_other = forms.CharField(
        max_length=300, required=False, label="Other client groups", help_text="Comma-separated."
    )
    name = forms.CharField(max_length=150, label="Contact's name")
    email = forms.EmailField(label="Contact's e-mail")
    confirm_overlap = forms.BooleanField(
        required=False,
        label="Invite anyway: I know they serve a client group another participant serves",
    )

    def __init__(self, *args, interest: ExpressionOfInterest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if interest is not None:
            # The organization comes from the expression of interest as submitted.
            for field in ("organization_name", "client_groups", "client_groups_other"):
                del self.fields[field]

    def clean(self):
        cleaned = super().clean()
        if "client_groups" in self.fields:
            _require_some_client_group(self)
        return cleaned


class OrganizationForm(forms.ModelForm):
    client_groups = ClientGroupsField()

    class Meta:
        model = Organization
        fields = [
            "name",
            "website",
            "city",
            "state",
            "mission",
            "client_groups",
            "client_groups_other",
            "active_mentors",
            "active_mentees",
            "matching_method",
            "program_length",
            "strengths",
            "challenges",
            "needs",
        ]
        widgets = {
            "mission": TEXTAREA,
            "matching_method": TEXTAREA,
            "strengths": TEXTAREA,
            "challenges": TEXTAREA,
            "needs": TEXTAREA,
        }
        help_texts = {
            "active_mentors": "Mentors matched with a mentee right now.",
            "active_mentees": "Mentees matched with a mentor right now.",
        }

    def clean(self):
        cleaned = super().clean()
        _require_some_client_group(self)
        return cleaned


class MemberInviteForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=MembershipRole.choices, initial=MembershipRole.MEMBER)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.organization.memberships.filter(user__email__iexact=email).exists():
            raise ValidationError("This person is already a member.")
        if self.organization.invitations.usable().filter(email=email).exists():
            raise ValidationError("This person already has an invitation waiting.")
        return email


class SignAgreementForm(forms.ModelForm):
    signed_name = forms.CharField(
        max_length=150,
        label="Type your full name to sign",
        help_text="Your typed name is your signature, recorded with the date and version.",
    )
    accept = forms.BooleanField(
        label="I have read the agreement and accept it on behalf of my organization."
    )

    class Meta:
        model = Participation
        fields = ["goals"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"goals": "What your organization wants to achieve in the lab."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].required = True


class GoalsForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["goals"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}


class ContractUploadForm(forms.Form):
    contract_file = forms.FileField(label="Signed contract (PDF)")
    signed_name = forms.CharField(max_length=150, required=False, label="Signed by")

    def clean_contract_file(self):
        upload = self.cleaned_data["contract_file"]
        validate_pdf(upload)
        return upload


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason",
        widget=forms.TextInput,
        error_messages={"required": "Give a reason to withdraw the organization."},
    )
