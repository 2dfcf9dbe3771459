"""The report's filters: only the labs a person may report on are ever offered."""

from __future__ import annotations

from django import forms

from impact.reports import ReportFilters
from labs.models import Lab
from participants.models import ClientGroup


class ReportFilterForm(forms.Form):
    lab = forms.ChoiceField(label="Lab", required=False)
    year = forms.TypedChoiceField(
        label="Year the lab started", required=False, coerce=int, empty_value=None
    )
    client_group = forms.ChoiceField(label="Organizations serving", required=False)

    def __init__(self, data, *, labs: list[Lab], client_groups: list[ClientGroup]):
        super().__init__(data)
        self._labs = {lab.slug: lab for lab in labs}
        self._groups = {group.slug: group for group in client_groups}
        years = sorted({lab.start_date.year for lab in labs}, reverse=True)
        self.fields["lab"].choices = [("", "All labs")] + [
            (lab.slug, lab.name) for lab in sorted(labs, key=lambda lab: lab.name.lower())
        ]
        self.fields["year"].choices = [("", "Any year")] + [(y, str(y)) for y in years]
        self.fields["client_group"].choices = [("", "Any client group")] + [
            (group.slug, group.name) for group in client_groups
        ]
        self.fields["year"].error_messages["invalid_choice"] = (
            "No lab you can see started in that year; choose one from the list."
        )
        self.fields["client_group"].error_messages["invalid_choice"] = (
            "That client group isn't in the list; choose one from it."
        )

    def select_fields(self) -> list[tuple]:
        """Each field with its options as (value, label, selected), rendered by a plain
        loop: a select of a thousand labs stays fast."""
        result = []
        for name in ("lab", "year", "client_group"):
            field = self[name]
            chosen = str(self.data.get(name, ""))
            options = [(str(v), label, str(v) == chosen) for v, label in field.field.choices]
            result.append((field, options))
        return result

    def asks_for_another_lab(self) -> bool:
        """A lab that isn't offered: missing or not this person's, the same 404 either way."""
        return self.is_bound and bool(self.data.get("lab")) and "lab" in self.errors

    def filters(self) -> ReportFilters:
        """What was chosen, leaving out any field with an error (shown beside it)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ReportFilters(
            lab=self._labs.get(data.get("lab") or ""),
            year=data.get("year"),
            client_group=self._groups.get(data.get("client_group") or ""),
        )
