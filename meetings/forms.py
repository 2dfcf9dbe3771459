"""Meeting forms: the date and times are typed in the lab's time zone and leave as aware
datetimes; every rule about kinds and organizations answers beside its field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from labs.models import Lab
from meetings.models import AgendaItem, Meeting, MeetingKind
from participants.models import Organization, Participation, ParticipationStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

CURRENT = [s for s in ParticipationStatus.values if s != ParticipationStatus.WITHDRAWN]


# Beyond these years a date is a typo, and near the calendar's ends time zone maths fails.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MeetingForm(forms.ModelForm):
    date = forms.DateField(widget=DATE)
    start_time = forms.TimeField(label="Starts", widget=TIME)
    end_time = forms.TimeField(label="Ends", widget=TIME)

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "topic",
            "description",
            "format",
            "location",
            "video_url",
            "organization",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "video_url": "The link people join from, for virtual and hybrid meetings.",
            "organization": "Only for a 1:1 support session: the organization it is with.",
        }

    def __init__(self, *args, lab: Lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.lab = lab
        self.fields["date"].help_text = f"Date and times in the lab's time zone, {lab.time_zone}."
        taking_part = Participation.objects.filter(lab=lab, status__in=CURRENT)
        # A support session stays editable after its organization withdrew.
        orgs = Organization.objects.filter(
            Q(pk__in=taking_part.values("organization")) | Q(pk=self.instance.organization_id)
        )
        self.fields["organization"].queryset = orgs.order_by("name")
        self.fields["organization"].empty_label = "— none —"
        if self.instance.pk:
            starts = self.instance.starts_at.astimezone(lab.tz)
            ends = self.instance.ends_at.astimezone(lab.tz)
            self.initial.update(date=starts.date(), start_time=starts.time(), end_time=ends.time())
        self._original = (self.instance.starts_at, self.instance.ends_at)
        self._original_audience = (self.instance.kind, self.instance.organization_id)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.")
        return day

    def clean(self):
        cleaned = super().clean()
        kind, org = cleaned.get("kind"), cleaned.get("organization")
        self._check_audience(kind, org)
        if kind == MeetingKind.SUPPORT and not org and "organization" not in self.errors:
            self.add_error("organization", "Choose the organization this support session is with.")
        if kind and kind != MeetingKind.SUPPORT and org:
            self.add_error(
                "organization",
                "Only 1:1 support sessions belong to one organization; leave this blank.",
            )
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", "The meeting must end after it starts.")
            else:
                self.instance.starts_at = dt.datetime.combine(day, start, tzinfo=self.lab.tz)
                self.instance.ends_at = dt.datetime.combine(day, end, tzinfo=self.lab.tz)
        return cleaned

    def _check_audience(self, kind, org) -> None:
        """Who a meeting is for is fixed once people were invited: those already sent its
        calendar file (guests, or another organization) must not get a private session."""
        if not self.instance.pk or not kind:
            return
        was_kind, was_org = self._original_audience
        if (was_kind == MeetingKind.SUPPORT) != (kind == MeetingKind.SUPPORT):
            self.add_error(
                "kind",
                "A 1:1 support session can't become a cohort meeting, or the other way round: "
                "cancel this one and schedule a new one.",
            )
        elif kind == MeetingKind.SUPPORT and org and org.pk != was_org:
            self.add_error(
                "organization", "A support session stays with its organization; schedule a new one."
            )
        elif kind not in MeetingKind.with_guests() and self.instance.guests.exists():
            self.add_error(
                "kind", "This meeting has outside guests; remove them before changing its kind."
            )

    @property
    def changed_fields(self) -> list[str]:
        """The model fields this edit changed, the start and end included."""
        changed = [f for f in self.changed_data if f in self._meta.fields]
        if self.instance.starts_at != self._original[0]:
            changed.append("starts_at")
        if self.instance.ends_at != self._original[1]:
            changed.append("ends_at")
        return changed


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "minutes"]
        labels = {"title": "Item", "minutes": "Minutes"}


AgendaFormSet = forms.inlineformset_factory(
    Meeting, AgendaItem, form=AgendaItemForm, extra=3, can_delete=True
)


def agenda_items(formset) -> tuple[list[AgendaItem], list[AgendaItem]]:
    """A valid agenda formset's items in order, and the saved ones marked for removal."""
    keep, remove = [], []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            if form.instance.pk:
                remove.append(form.instance)
            continue
        keep.append(form.instance)
    return keep, remove


class NotesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["shared_notes", "facilitator_notes"]
        widgets = {
            "shared_notes": forms.Textarea(attrs={"rows": 10}),
            "facilitator_notes": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "shared_notes": "Notes shared with the cohort",
            "facilitator_notes": "Private facilitator notes",
        }
        help_texts = {
            "shared_notes": "Everyone invited to this meeting sees these on the meeting page.",
            "facilitator_notes": "Only the lab's facilitators (and admins) ever see these.",
        }
