"""Funding forms. Drafts accept missing fields; a row of a metric or budget table is checked
only once something is typed in it, and then says beside the field what it still needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from funding.models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    AreaComment,
    BudgetLine,
    Disbursement,
    Feasibility,
    FundingRound,
    InterventionArea,
    RubricCriterion,
    SuccessMetric,
)
from labs.models import Lab
from mll.uploads import DOCUMENT_TYPES, DOCUMENT_TYPES_HELP, sniff_document

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_year(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


# --- The round ------------------------------------------------------------------------------


class RoundForm(forms.ModelForm):
    """The deadline is typed as a date and a time in the lab's time zone."""

    deadline_date = forms.DateField(label="Deadline", widget=DATE)
    deadline_time = forms.TimeField(
        label="Time of day", widget=TIME, initial=dt.time(23, 59), help_text="Lab time."
    )

    class Meta:
        model = FundingRound
        fields = ["opens_on", "max_award", "guidance"]
        widgets = {
            "opens_on": DATE,
            "max_award": MONEY_INPUT,
            "guidance": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"opens_on": "Opens on"}
        help_texts = {
            "max_award": "Leave blank for no limit below the lab's pool.",
            "guidance": "What applicants should know: priorities, what the money may pay for.",
        }

    def __init__(self, *args, lab: Lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.lab = lab
        self.fields["deadline_time"].help_text = f"In the lab's time zone, {lab.time_zone}."
        if self.instance.pk:
            deadline = self.instance.deadline.astimezone(lab.tz)
            self.initial.update(deadline_date=deadline.date(), deadline_time=deadline.time())

    def clean_opens_on(self):
        return _check_year(self.cleaned_data["opens_on"])

    def clean_deadline_date(self):
        return _check_year(self.cleaned_data["deadline_date"])

    def clean_max_award(self):
        max_award = self.cleaned_data["max_award"]
        if max_award is not None and max_award > self.lab.funding_pool:
            raise ValidationError(
                f"The lab's whole pool is {self.lab.funding_pool:,.2f} {self.lab.currency}; "
                "an award can't be more."
            )
        return max_award

    def clean(self):
        cleaned = super().clean()
        opens, day, time = (
            cleaned.get("opens_on"),
            cleaned.get("deadline_date"),
            cleaned.get("deadline_time"),
        )
        if day and time:
            self.instance.deadline = dt.datetime.combine(day, time, tzinfo=self.lab.tz)
            if opens and day < opens:
                self.add_error("deadline_date", "The deadline must be on or after the opening.")
        return cleaned


class CriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["name", "description", "max_score", "position"]
        labels = {"name": "Criterion", "max_score": "Highest score", "position": "Order"}
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "max": 999})}
        help_texts = {"position": "Lower numbers come first."}


class BaseCriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        if not kept:
            raise ValidationError("Keep at least one criterion: reviewers score against them.")
        names = [form.cleaned_data["name"].strip().lower() for form in kept]
        if len(names) != len(set(names)):
            raise ValidationError("Two criteria have the same name; make each one distinct.")


CriterionFormSet = forms.inlineformset_factory(
    FundingRound,
    RubricCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
)


# --- Intervention areas ---------------------------------------------------------------------


class AreaForm(forms.ModelForm):
    class Meta:
        model = InterventionArea
        fields = ["organization", "title", "weakness", "idea"]
        widgets = {
            "weakness": forms.Textarea(attrs={"rows": 5}),
            "idea": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "weakness": "What in your mentorship program falls short today, and for whom.",
            "idea": "What you would do about it. Peers and facilitators will comment.",
        }

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None or len(organizations) <= 1:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations
            self.fields["organization"].empty_label = None
            self.fields["organization"].help_text = "You belong to several organizations here."


class AreaCommentForm(forms.ModelForm):
    fits_funding = forms.NullBooleanField(
        label="Does it fit the funding available?",
        required=False,
        widget=forms.RadioSelect(
            choices=[("unknown", "No opinion"), ("true", "Yes"), ("false", "No")]
        ),
    )

    class Meta:
        model = AreaComment
        fields = ["body", "feasibility", "fits_funding"]
        labels = {"body": "Your comment", "feasibility": "Is it feasible?"}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "feasibility": forms.RadioSelect,
        }
        error_messages = {"body": {"required": "Write your comment."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feasibility"].choices = [("", "No opinion"), *Feasibility.choices]
        self.fields["feasibility"].required = False
        if self.initial.get("fits_funding") is None:
            self.initial["fits_funding"] = "unknown"


# --- Applications ---------------------------------------------------------------------------


class StartForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ApplicationForm(forms.ModelForm):
    """The narrative. Every field may stay blank in a draft; submission checks completeness."""

    class Meta:
        model = Application
        fields = [
            "title",
            "intervention_area",
            "problem",
            "initiative",
            "who_it_serves",
            "expected_outcomes",
            "plan",
            "summary",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ["problem", "initiative", "who_it_serves", "expected_outcomes"]
        } | {
            "plan": forms.Textarea(attrs={"rows": 8}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"intervention_area": "Intervention area it grows from"}
        help_texts = {
            "plan": "Month by month: what happens when (e.g. “Month 1: partners”).",
            "summary": "Two or three sentences the whole cohort may read once it is funded.",
            "who_it_serves": "The mentors and mentees it is for.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application = self.instance
        self.fields["intervention_area"].queryset = InterventionArea.objects.filter(
            lab=application.round.lab, organization=application.organization
        ).order_by("title")
        self.fields["intervention_area"].empty_label = "— not chosen yet —"


class MetricForm(forms.ModelForm):
    class Meta:
        model = SuccessMetric
        fields = ["name", "unit", "baseline", "target"]
        labels = {"name": "Measure"}
        widgets = {
            "baseline": forms.NumberInput(attrs={"step": "any"}),
            "target": forms.NumberInput(attrs={"step": "any"}),
        }
        error_messages = {
            "name": {"required": "Name what you measure, or clear this row."},
            "baseline": {"required": "Give today's value (the baseline)."},
            "target": {"required": "Give the value you aim for."},
        }


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]
        widgets = {"amount": MONEY_INPUT}
        error_messages = {
            "category": {"required": "Choose a category, or clear this row."},
            "description": {"required": "Say what this pays for."},
            "amount": {"required": "Give the amount."},
        }


class RowsFormSet(forms.BaseInlineFormSet):
    """Rows keep the order shown; blank extra rows are ignored."""

    def rows(self) -> tuple[list, list]:
        """The rows to keep (in order) and the saved rows marked for removal."""
        keep, remove = [], []
        for form in self.forms:
            if self.can_delete and form.cleaned_data.get("DELETE"):
                if form.instance.pk:
                    remove.append(form.instance)
                continue
            if form.instance.pk or form.has_changed():
                keep.append(form.save(commit=False))
        return keep, remove

    def save_rows(self) -> None:
        keep, remove = self.rows()
        for obj in remove:
            obj.delete()
        for position, obj in enumerate(keep, start=1):
            obj.position = position
            obj.save()


MetricFormSet = forms.inlineformset_factory(
    Application, SuccessMetric, form=MetricForm, formset=RowsFormSet, extra=1, can_delete=True
)
BudgetFormSet = forms.inlineformset_factory(
    Application, BudgetLine, form=BudgetLineForm, formset=RowsFormSet, extra=1, can_delete=True
)
MORE_ROWS = 3


class AttachmentForm(forms.ModelForm):
    """A supporting document, recognised by its content, within the size limit."""

    class Meta:
        model = ApplicationAttachment
        fields = ["file"]
        labels = {"file": "Add a file"}
        error_messages = {"file": {"required": "Choose a file to upload."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.MLL_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = f"{DOCUMENT_TYPES_HELP}; up to {limit}."
        accept = sorted({s for _, suffixes, _ in DOCUMENT_TYPES.values() for s in suffixes})
        self.fields["file"].widget.attrs["accept"] = ",".join(accept)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        sniff_document(upload)
        self.instance.size = upload.size
        self.instance.name = (upload.name or "attachment")[-200:]
        return upload


class MessageForm(forms.Form):
    message = forms.CharField(
        label="Message (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Review and decision --------------------------------------------------------------------


class ReviewForm(forms.Form):
    """A score and a note per rubric criterion, and an overall comment."""

    comment = forms.CharField(
        label="Overall comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only the lab's facilitators see reviews.",
    )

    def __init__(self, *args, criteria, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        given = {s.criterion_id: s for s in review.scores.all()} if review else {}
        if review is not None:
            self.fields["comment"].initial = review.comment
        for criterion in self.criteria:
            score_name, note_name = f"score_{criterion.pk}", f"note_{criterion.pk}"
            self.fields[score_name] = forms.TypedChoiceField(
                label=f"Score (0–{criterion.max_score})",
                choices=[("", "—")] + [(n, n) for n in range(criterion.max_score + 1)],
                coerce=int,
                error_messages={"required": f"Score “{criterion.name}”."},
            )
            self.fields[note_name] = forms.CharField(label="Note", required=False, max_length=300)
            if criterion.pk in given:
                self.fields[score_name].initial = given[criterion.pk].score
                self.fields[note_name].initial = given[criterion.pk].note

    def rows(self):
        """(criterion, score field, note field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"note_{c.pk}"])
            for c in self.criteria
        }


DECISIONS = [
    ("approve", "Approve with an award"),
    ("request_changes", "Ask for changes"),
    ("decline", "Decline"),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label="Award",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=MONEY_INPUT,
    )
    message = forms.CharField(
        label="Message to the organization",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="E-mailed to the organization's members with the decision.",
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        lab = application.round.lab
        self.fields["amount"].label = f"Award ({lab.currency})"
        self.fields["amount"].help_text = "Only when approving. Full or partial."

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if self.application.status not in ApplicationStatus.awaiting_review():
            raise ValidationError(
                f"This application is {self.application.get_status_display().lower()}; "
                "there is nothing to decide now."
            )
        if decision == "approve" and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Give the amount awarded.")
        if decision in ("request_changes", "decline") and not cleaned.get("message", "").strip():
            self.add_error("message", "Tell the organization why; the message goes with it.")
        return cleaned


class DisbursementForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ["planned_on", "amount"]
        labels = {"planned_on": "Planned date"}
        widgets = {"planned_on": DATE, "amount": MONEY_INPUT}

    def clean_planned_on(self):
        return _check_year(self.cleaned_data["planned_on"])


class PaidForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=DATE)

    def clean_paid_on(self):
        return _check_year(self.cleaned_data["paid_on"])
