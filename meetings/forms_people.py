"""Forms for the people side of a meeting: attendance, guests, the discussion, attachments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from meetings.models import Attachment, Attendance, AttendanceStatus, Guest, Meeting, Post
from meetings.services import CURRENT
from mll.uploads import DOCUMENT_TYPES, DOCUMENT_TYPES_HELP, sniff_document
from participants.models import Membership, Organization

NOT_RECORDED = ""
POST_MAX_LENGTH = 5000


@dataclass
class AttendanceGroup:
    organization: Organization
    rows: list = field(default_factory=list)  # (membership, bound field)


class AttendanceForm(forms.Form):
    """One status select per expected person, prefilled with what is recorded."""

    def __init__(
        self,
        *args,
        memberships: Iterable[Membership],
        records: Iterable[Attendance],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        recorded = {r.user_id: r.status for r in records}
        self.memberships: list[Membership] = []
        seen: set[int] = set()
        for membership in memberships:
            # Someone in two participating organizations is recorded once, for the first.
            if membership.user_id in seen:
                continue
            seen.add(membership.user_id)
            self.memberships.append(membership)
            self.fields[self.field_name(membership.user_id)] = forms.ChoiceField(
                label=f"Attendance of {membership.user.display_name}",
                choices=[(NOT_RECORDED, "Not recorded"), *AttendanceStatus.choices],
                required=False,
                initial=recorded.get(membership.user_id, NOT_RECORDED),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    @staticmethod
    def field_name(user_id: int) -> str:
        return f"person_{user_id}"

    def groups(self) -> list[AttendanceGroup]:
        groups: dict[int, AttendanceGroup] = {}
        for membership in self.memberships:
            group = groups.setdefault(
                membership.organization_id, AttendanceGroup(membership.organization)
            )
            group.rows.append((membership, self[self.field_name(membership.user_id)]))
        return sorted(groups.values(), key=lambda g: g.organization.name.lower())

    def statuses(self) -> dict[int, str]:
        return {m.user_id: self.cleaned_data[self.field_name(m.user_id)] for m in self.memberships}


class GuestForm(forms.ModelForm):
    class Meta:
        model = Guest
        fields = ["name", "email", "role", "organization"]
        labels = {"email": "E-mail", "organization": "Contact of"}
        help_texts = {
            "email": "The invitation and a private link to answer yes or no go here.",
            "organization": "The participant whose mentor, mentee or stakeholder this is.",
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        orgs = Organization.objects.filter(
            participations__lab_id=meeting.lab_id, participations__status__in=CURRENT
        ).order_by("name")
        self.fields["organization"].queryset = orgs
        self.fields["organization"].empty_label = "— None —"
        self.fields["organization"].required = False

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.meeting.guests.filter(email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already invited to this meeting.")
        return email


class PostForm(forms.ModelForm):
    body = forms.CharField(
        label="Your takeaway or advice",
        max_length=POST_MAX_LENGTH,
        help_text="Everyone who may see this meeting reads it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write something to post."},
    )

    class Meta:
        model = Post
        fields = ["body"]


class AttachmentForm(forms.ModelForm):
    """A slide deck, handout, sheet or picture, recognised by its content."""

    class Meta:
        model = Attachment
        fields = ["file"]
        labels = {"file": "File"}
        error_messages = {"file": {"required": "Choose a file to upload."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.MLL_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = f"{DOCUMENT_TYPES_HELP}; up to {limit}."
        accept = sorted({s for _, suffixes, _ in DOCUMENT_TYPES.values() for s in suffixes})
        self.fields["file"].widget.attrs["accept"] = ",".join(accept)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        kind = sniff_document(upload)
        self.instance.content_type = DOCUMENT_TYPES[kind][0]
        self.instance.size = upload.size
        self.instance.name = (upload.name or "attachment")[-200:]
        return upload
