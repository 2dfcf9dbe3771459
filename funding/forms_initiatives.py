"""Forms of the initiative: the monthly update (one value per success metric, spending per
budget line), replies, the final deliverable with its attachments and the facilitators'
decision. They validate and convert; every error lands beside its field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from funding.models import Application, Deliverable, ProgressUpdate, UpdateReply
from mll.uploads import DOCUMENT_TYPES, sniff_document

MAX_TEXT = 10_000
AMOUNT = {"max_digits": 12, "decimal_places": 2}
# The final deliverable's files: reports, decks and pictures (no spreadsheets).
DELIVERABLE_KINDS = ("pdf", "docx", "pptx", "png", "jpeg")
DELIVERABLE_KINDS_HELP = "PDF, Word (.docx), PowerPoint (.pptx), PNG or JPEG"


def month_value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def parse_month(value: str, choices: list[dt.date]) -> dt.date | None:
    return next((m for m in choices if month_value(m) == value), None)


class ProgressUpdateForm(forms.ModelForm):
    """What happened, blockers, a value for every success metric and this period's spending
    on every budget line (blank is zero). `months` are the ones still open to report; an
    edit keeps its month."""

    month = forms.ChoiceField(label="Month reported on")

    class Meta:
        model = ProgressUpdate
        fields = ["what_happened", "blockers"]
        labels = {"what_happened": "What happened this month", "blockers": "Blockers"}
        help_texts = {
            "what_happened": "Activities, milestones reached, people served.",
            "blockers": "Anything in the way, and any help you need from the facilitators.",
        }
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
            "blockers": forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        }
        error_messages = {"what_happened": {"required": "Say what happened this month."}}

    def __init__(
        self,
        *args,
        application: Application,
        metrics,
        budget_lines,
        months: list[dt.date] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.application = application
        self.metrics = list(metrics)
        self.budget_lines = list(budget_lines)
        self.months = months or []
        if self.instance.pk:
            del self.fields["month"]
        else:
            self.fields["month"].choices = [
                (month_value(m), f"{m:%B %Y}") for m in sorted(self.months, reverse=True)
            ]
        self.fields["what_happened"].max_length = MAX_TEXT
        self.fields["blockers"].max_length = MAX_TEXT
        values, spent = {}, {}
        if self.instance.pk:
            values = {v.metric_id: v.value for v in self.instance.values.all()}
            spent = {s.budget_line_id: s.amount for s in self.instance.spending.all()}
        for metric in self.metrics:
            unit = f" ({metric.unit})" if metric.unit else ""
            self.fields[self.metric_field(metric.pk)] = forms.DecimalField(
                label=f"{metric.name}{unit}",
                **AMOUNT,
                initial=values.get(metric.pk),
                help_text=f"Baseline {metric.baseline.normalize():f}, "
                f"target {metric.target.normalize():f}. The value now.",
                error_messages={"required": f"Give this month's value for “{metric.name}”."},
            )
        currency = application.lab.currency
        for line in self.budget_lines:
            self.fields[self.spending_field(line.pk)] = forms.DecimalField(
                label=f"{line.get_category_display()}: {line.description}",
                **AMOUNT,
                min_value=Decimal("0"),
                required=False,
                initial=spent.get(line.pk),
                help_text=f"Spent this period, in {currency}; leave blank for none. "
                f"Budgeted {line.amount:,.2f} in all.",
                error_messages={"min_value": "Spending can't be negative."},
            )

    @staticmethod
    def metric_field(pk: int) -> str:
        return f"metric_{pk}"

    @staticmethod
    def spending_field(pk: int) -> str:
        return f"spent_{pk}"

    def metric_fields(self) -> list:
        return [(m, self[self.metric_field(m.pk)]) for m in self.metrics]

    def spending_fields(self) -> list:
        return [(line, self[self.spending_field(line.pk)]) for line in self.budget_lines]

    def clean_month(self) -> dt.date:
        month = parse_month(self.cleaned_data["month"], self.months)
        if month is None:
            raise forms.ValidationError("Choose one of the months still open for an update.")
        return month

    def values(self) -> dict[int, Decimal]:
        return {m.pk: self.cleaned_data[self.metric_field(m.pk)] for m in self.metrics}

    def spending(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[self.spending_field(line.pk)] or Decimal("0")
            for line in self.budget_lines
        }


class ReplyForm(forms.ModelForm):
    class Meta:
        model = UpdateReply
        fields = ["body"]
        labels = {"body": "Your reply"}
        help_texts = {"body": "The organization and the lab's facilitators read replies."}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT})}
        error_messages = {"body": {"required": "Write a reply to post."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = MAX_TEXT


def validate_deliverable_file(upload) -> str:
    kind = sniff_document(upload)
    if kind not in DELIVERABLE_KINDS:
        raise forms.ValidationError(
            f"The final deliverable takes {DELIVERABLE_KINDS_HELP}; this is "
            f"{DOCUMENT_TYPES[kind][2]}. Save it as a PDF and upload that."
        )
    return kind


class DeliverableForm(forms.ModelForm):
    """The draft: everything optional here; submitting checks completeness."""

    attachment = forms.FileField(label="Add an attachment", required=False)

    class Meta:
        model = Deliverable
        fields = ["summary", "outcomes", "lessons"]
        labels = {
            "summary": "Summary of the initiative",
            "outcomes": "Outcomes",
            "lessons": "Lessons learned",
        }
        help_texts = {
            "summary": "What you did, for whom, and how. Shown in the cohort's showcase.",
            "outcomes": "What changed for your mentors and mentees.",
            "lessons": "What you would tell another organization starting this.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT})
            for name in ("summary", "outcomes", "lessons")
        }

    def __init__(self, *args, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        for name in ("summary", "outcomes", "lessons"):
            self.fields[name].max_length = MAX_TEXT
        finals = (
            {f.metric_id: f.final_value for f in self.instance.final_metrics.all()}
            if self.instance.pk
            else {}
        )
        for metric in self.metrics:
            unit = f" ({metric.unit})" if metric.unit else ""
            self.fields[self.metric_field(metric.pk)] = forms.DecimalField(
                label=f"{metric.name}{unit}: final value",
                **AMOUNT,
                required=False,
                initial=finals.get(metric.pk),
                help_text=f"Baseline {metric.baseline.normalize():f}, "
                f"target {metric.target.normalize():f}.",
            )
        limit = filesizeformat(settings.MLL_MAX_UPLOAD_BYTES)
        self.fields["attachment"].help_text = f"{DELIVERABLE_KINDS_HELP}; up to {limit}."
        accept = sorted({s for k in DELIVERABLE_KINDS for s in DOCUMENT_TYPES[k][1]})
        self.fields["attachment"].widget.attrs["accept"] = ",".join(accept)

    @staticmethod
    def metric_field(pk: int) -> str:
        return f"final_{pk}"

    def metric_fields(self) -> list:
        return [(m, self[self.metric_field(m.pk)]) for m in self.metrics]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_deliverable_file(upload)
        return upload

    def final_values(self) -> dict[int, Decimal | None]:
        return {m.pk: self.cleaned_data[self.metric_field(m.pk)] for m in self.metrics}


class DecisionForm(forms.Form):
    ACCEPT, CHANGES = "accept", "changes"

    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept the deliverable"), (CHANGES, "Ask for changes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to accept or to ask for changes."},
    )
    feedback = forms.CharField(
        label="Feedback to the organization",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        help_text="E-mailed to the organization. Needed when you ask for changes.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.CHANGES and not cleaned.get("feedback", "").strip():
            self.add_error("feedback", "Say what needs to change.")
        return cleaned
