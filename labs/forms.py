from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import User
from labs.models import Lab, LiteratureSource, Milestone, default_checkin_offsets
from mll.uploads import validate_pdf

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MonthOffsetsField(forms.CharField):
    """ "6, 12, 18" ⇄ [6, 12, 18]: months after the program ends."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        try:
            months = sorted({int(p) for p in parts})
        except ValueError:
            raise ValidationError(
                "Write whole numbers of months separated by commas, like 6, 12, 18."
            ) from None
        if not months:
            raise ValidationError("Give at least one check-in, like 6, 12, 18.")
        if months[0] < 1 or months[-1] > 60:
            raise ValidationError("Check-ins fall between 1 and 60 months after the program.")
        if len(months) > 6:
            raise ValidationError("Six check-ins at most.")
        return months


# Beyond these years a date is a typo (and the timeline's month arithmetic would overflow).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class LabForm(forms.ModelForm):
    checkin_offsets = MonthOffsetsField(
        label="Check-ins (months after the program ends)",
        # A declared field doesn't inherit the model default: a new lab starts from the guide's.
        initial=default_checkin_offsets,
        help_text="Comma-separated. The guide's default is 6, 12, 18.",
    )

    class Meta:
        model = Lab
        fields = [
            "name",
            "city",
            "description",
            "objectives",
            "goals",
            "participation_criteria",
            "literature_notes",
            "funding_pool",
            "currency",
            "start_date",
            "time_zone",
            "pre_program_months",
            "phase1_months",
            "phase2_months",
            "checkin_offsets",
            "meeting_frequency",
            "meeting_week_of_month",
            "meeting_weekday",
            "meeting_time",
            "meeting_duration_minutes",
            "meeting_format",
            "meeting_location",
            "call_is_published",
            "call_deadline",
            "how_to_apply",
            "facilitators",
        ]
        widgets = {
            "start_date": DATE,
            "call_deadline": DATE,
            "meeting_time": TIME,
            "description": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "participation_criteria": forms.Textarea(attrs={"rows": 4}),
            "literature_notes": forms.Textarea(attrs={"rows": 5}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
            "facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_staff:
            eligible = Q(is_active=True, can_create_labs=True)
            if self.instance.pk:
                eligible |= Q(pk__in=self.instance.facilitators.values("pk"))
            self.fields["facilitators"].queryset = User.objects.filter(eligible)
            self.fields[
                "facilitators"
            ].help_text = (
                "People who run this lab. To list someone, tick 'may create labs' in the admin."
            )
        else:
            del self.fields["facilitators"]

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise ValidationError(f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.")
        return start

    def clean(self):
        cleaned = super().clean()
        start, deadline = cleaned.get("start_date"), cleaned.get("call_deadline")
        if start and deadline and deadline > start:
            self.add_error(
                "call_deadline", "Expressions of interest should close before Phase 1 starts."
            )
        return cleaned


SourceFormSet = forms.inlineformset_factory(
    Lab,
    LiteratureSource,
    fields=["title", "url", "notes"],
    widgets={"notes": forms.Textarea(attrs={"rows": 2})},
    extra=2,
    can_delete=True,
)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "description"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Lab
        fields = ["agreement_text", "agreement_file"]
        widgets = {"agreement_text": forms.Textarea(attrs={"rows": 12})}
        help_texts = {"agreement_file": "Optional. A PDF of the contract, up to 10 MB."}

    def clean_agreement_file(self):
        upload = self.cleaned_data.get("agreement_file")
        if upload and hasattr(upload, "content_type"):
            validate_pdf(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("agreement_text") and not cleaned.get("agreement_file"):
            raise ValidationError("Write the agreement or upload it as a PDF.")
        return cleaned
