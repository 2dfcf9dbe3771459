"""Check-in forms: the report itself, its metrics (each beside its baseline and target), the
stories, and the facilitators' question and acknowledgment."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator

from checkins.models import CheckIn, CheckInStory, StandardMetric
from checkins.services import MetricKey, MetricRow, version_of

MAX_VALUE = Decimal("9999999999.99")  # the columns hold 12 digits, 2 after the point


class CheckInForm(forms.ModelForm):
    # What the editor saw when the page opened: saving over a colleague's newer save is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CheckIn
        fields = ["progress", "funds_spent", "funds_spent_on", "funds_remaining", "impact"]
        widgets = {
            "progress": forms.Textarea(attrs={"rows": 6}),
            "funds_spent_on": forms.Textarea(attrs={"rows": 4}),
            "funds_remaining": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "progress": "Progress since the program",
            "funds_spent": "Amount of the award spent so far",
            "funds_spent_on": "What the funds were spent on",
            "funds_remaining": "What remains, and the plan for it",
            "impact": "Long-term impact",
        }
        help_texts = {
            "progress": "What your initiative and your mentorship program have done since the "
            "lab ended.",
            "funds_spent": "In total since the award, not since the last check-in. Enter 0 if "
            "none was spent.",
            "funds_spent_on": "The main items, e.g. recruiting events, mentor stipends.",
            "funds_remaining": "Optional: anything unspent and what you will do with it.",
            "impact": "Lasting changes for your mentors, mentees and organization. Add stories "
            "below.",
        }

    def __init__(self, *args, award: Decimal | None = None, currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        self.fields["version"].initial = version_of(self.instance)
        spent = self.fields["funds_spent"]
        spent.max_value = MAX_VALUE
        spent.validators.append(MaxValueValidator(MAX_VALUE))
        spent.widget.attrs.update(min="0", step="0.01", inputmode="decimal")
        if currency:
            spent.label = f"{spent.label} ({currency})"

    def clean_funds_spent(self):
        spent = self.cleaned_data["funds_spent"]
        if spent is not None and self.award is not None and spent > self.award:
            self.add_error(
                "funds_spent",
                f"That is more than the award of {self.award:,.2f}. Enter the amount of the "
                "award spent; other funding can go in the narrative.",
            )
        return spent


class MetricsForm(forms.Form):
    """One optional number per metric; blank means not reported this time."""

    def __init__(self, *args, rows: list[MetricRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            # Counts and shares can't be negative; an initiative's own measure might be.
            standard = row.key[0] == "standard"
            top = Decimal(100) if row.key == ("standard", StandardMetric.MENTOR_RETENTION) else None
            self.fields[row.name] = forms.DecimalField(
                label=f"{row.label}{f' ({row.unit})' if row.unit else ''}",
                required=False,
                max_digits=12,
                decimal_places=2,
                max_value=top if top is not None else MAX_VALUE,
                min_value=Decimal(0) if standard else -MAX_VALUE,
                initial=row.value,
                help_text=row.help_text,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
            # The baseline and target beside the input are read with it.
            described = [f"id_{self.add_prefix(row.name)}_context"]
            if row.help_text:
                described.append(f"id_{self.add_prefix(row.name)}_helptext")
            self.fields[row.name].widget.attrs["aria-describedby"] = " ".join(described)

    def pairs(self):
        """(bound field, row) for the template: the input beside its baseline and target."""
        return [(self[row.name], row) for row in self.rows]

    def values(self) -> dict[MetricKey, Decimal | None]:
        return {row.key: self.cleaned_data.get(row.name) for row in self.rows}


class StoryForm(forms.ModelForm):
    class Meta:
        model = CheckInStory
        fields = ["title", "body", "consent_to_share"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"title": "Story title", "body": "The story"}


StoryFormSet = forms.inlineformset_factory(
    CheckIn, CheckInStory, form=StoryForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


def story_changes(formset) -> tuple[list[CheckInStory], list[CheckInStory]]:
    """A valid story formset's stories in order, and the saved ones marked for removal."""
    keep, remove = [], []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset._should_delete_form(form):
            if form.instance.pk:
                remove.append(form.instance)
            continue
        keep.append(form.save(commit=False))
    return keep, remove


class QuestionForm(forms.Form):
    message = forms.CharField(
        label="Your question",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The organization's members are e-mailed it, and the check-in opens for "
        "them to answer and submit again.",
    )


class AcknowledgeForm(forms.Form):
    message = forms.CharField(
        label="Note to the organization (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notify = forms.BooleanField(
        label="E-mail the organization that its check-in was acknowledged",
        required=False,
        initial=True,
    )
