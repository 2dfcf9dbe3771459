"""A submitted version and what changed since the one before; the facilitators' review,
decision and the award's disbursement schedule."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from funding import services
from funding.access import get_application_for_user
from funding.forms import DecisionForm, DisbursementForm, PaidForm, ReviewForm
from funding.models import Application, ApplicationStatus, Award, Review
from funding.services import FundingError
from funding.views_applications import default_award

# --- Versions -----------------------------------------------------------------------------------

TEXT_FIELDS = [
    ("title", "Title"),
    ("intervention_area", "Intervention area"),
    ("problem", "The problem"),
    ("initiative", "The proposed initiative"),
    ("who_it_serves", "Who it serves"),
    ("expected_outcomes", "Expected outcomes"),
    ("plan", "Month-by-month plan"),
    ("summary", "Public summary"),
]
METRIC_FIELDS = ["name", "unit", "baseline", "target"]
BUDGET_FIELDS = ["category", "description", "amount"]
# Words, runs of white space and punctuation: "mentors," → "mentors, with" adds ", with".
TOKENS = re.compile(r"\w+|\s+|[^\w\s]+")


def _money(value) -> str:
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value or "")


def _number(value) -> str:
    try:
        return f"{Decimal(value).normalize():,f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value or "")


def _readable(content: dict) -> dict:
    """A version's content with its amounts and numbers written for people."""
    return {
        **content,
        "metrics": [
            {**m, "baseline": _number(m.get("baseline")), "target": _number(m.get("target"))}
            for m in content.get("metrics", [])
        ],
        "budget": [{**b, "amount": _money(b.get("amount"))} for b in content.get("budget", [])],
        "budget_total": _money(content.get("budget_total")) if content else "",
    }


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) segments: kind is "same", "removed" or "added"; whitespace is kept."""
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            segments.append(("added", "".join(after[j1:j2])))
    return segments


def rows_diff(old_rows: list[dict], new_rows: list[dict], key, fields: list[str]) -> list[dict]:
    """Rows matched by `key`: each added, removed, changed (with the fields that differ) or
    the same, in the new version's order with the removed ones last."""
    unmatched: dict = {}
    for row in old_rows:
        unmatched.setdefault(key(row), []).append(row)

    def entry(state: str, row: dict, before: dict) -> dict:
        cells = {
            f: {
                "old": before.get(f, ""),
                "new": row.get(f, ""),
                "changed": state == "changed" and str(before.get(f, "")) != str(row.get(f, "")),
            }
            for f in fields
        }
        if state == "changed" and not any(c["changed"] for c in cells.values()):
            state = "same"
        return {"state": state, "row": row, "cells": cells}

    result = []
    for row in new_rows:
        matches = unmatched.get(key(row))
        if matches:
            result.append(entry("changed", row, matches.pop(0)))
        else:
            result.append(entry("added", row, {}))
    for rows in unmatched.values():
        result.extend(entry("removed", row, row) for row in rows)
    return result


def version_diff(old: dict | None, new: dict) -> dict:
    """Field by field: the text fields, the metrics and budget lines, the total and files."""
    old, new = _readable(old or {}) if old else {}, _readable(new)
    fields = []
    for name, label in TEXT_FIELDS:
        before, after = str(old.get(name, "") or ""), str(new.get(name, "") or "")
        fields.append(
            {
                "label": label,
                "text": after,
                "changed": bool(old) and before != after,
                "segments": word_diff(before, after) if old and before != after else [],
            }
        )
    metrics = rows_diff(
        old.get("metrics", []), new.get("metrics", []), lambda m: m.get("name"), METRIC_FIELDS
    )
    budget = rows_diff(
        old.get("budget", []),
        new.get("budget", []),
        lambda b: (b.get("category"), b.get("description")),
        BUDGET_FIELDS,
    )
    old_files, new_files = set(old.get("attachments", [])), set(new.get("attachments", []))
    return {
        "fields": fields,
        "metrics": metrics,
        "budget": budget,
        "metrics_changed": bool(old) and any(r["state"] != "same" for r in metrics),
        "budget_changed": bool(old) and any(r["state"] != "same" for r in budget),
        "total": new.get("budget_total", ""),
        "total_before": old.get("budget_total", ""),
        "files": sorted(new_files),
        "files_added": sorted(new_files - old_files) if old else [],
        "files_removed": sorted(old_files - new_files) if old else [],
        "changed_count": sum(1 for f in fields if f["changed"]),
    }


@login_required
def version(request, slug, pk, number):
    application = get_application_for_user(request.user, slug, pk)
    version = get_object_or_404(application.versions.select_related("submitted_by"), number=number)
    previous = application.versions.filter(number=number - 1).first()
    context = {
        "lab": application.lab,
        "manages": application.lab.is_facilitated_by(request.user),
        "application": application,
        "version": version,
        "previous": previous,
        "later": application.versions.filter(number=number + 1).exists(),
        "diff": version_diff(previous.content if previous else None, version.content),
    }
    return render(request, "funding/version_detail.html", context)


# --- Review and decision ------------------------------------------------------------------------


def _closed_to_review(request, application: Application):
    if application.status in ApplicationStatus.awaiting_review():
        return None
    messages.info(
        request,
        f"This application is {application.get_status_display().lower()}; reviews and "
        "decisions are open only while it awaits one.",
    )
    return redirect(application)


@login_required
def review(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, manage=True)
    if closed := _closed_to_review(request, application):
        return closed
    version = application.versions.order_by("-number").first()
    existing = (
        Review.objects.filter(version=version, reviewer=request.user)
        .prefetch_related("scores")
        .first()
    )
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        criteria=application.round.criteria.all(),
        review=existing,
    )
    if form.is_bound and form.is_valid():
        try:
            services.review_save(
                application=application,
                reviewer=request.user,
                comment=form.cleaned_data["comment"],
                scores=form.scores(),
            )
        except FundingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your review of version {version.number} is saved.")
            return redirect(f"{application.get_absolute_url()}#reviews")
    context = {
        "lab": application.lab,
        "manages": True,
        "application": application,
        "version": version,
        "existing": existing,
        "form": form,
    }
    return render(request, "funding/review_form.html", context)


DECIDED = {
    "approve": "Approved with an award of {amount}. The organization is told by e-mail.",
    "request_changes": "Changes requested. The organization is told by e-mail.",
    "decline": "Declined. The organization is told by e-mail.",
}


@login_required
def decide(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, manage=True)
    if request.method != "POST" and (closed := _closed_to_review(request, application)):
        return closed
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        application=application,
        initial={"amount": default_award(application)},
    )
    if form.is_bound and form.is_valid():
        decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
        amount = form.cleaned_data["amount"]
        try:
            if decision == "approve":
                services.application_approve(
                    application=application, user=request.user, amount=amount, message=message
                )
            elif decision == "request_changes":
                services.application_request_changes(
                    application=application, user=request.user, message=message
                )
            else:
                services.application_decline(
                    application=application, user=request.user, message=message
                )
        except FundingError as error:
            form.add_error("amount" if decision == "approve" else None, str(error))
        else:
            shown = f"{amount:,.2f} {application.lab.currency}" if amount else ""
            messages.success(request, DECIDED[decision].format(amount=shown))
            return redirect(application)
    context = {
        "lab": application.lab,
        "manages": True,
        "application": application,
        "form": form,
        "budget_total": application.budget_total(),
        "pool": services.pool_summary(application.lab),
    }
    return render(request, "funding/decision_form.html", context)


# --- Disbursements ------------------------------------------------------------------------------


def _award_for(request, slug, pk) -> tuple[Application, Award]:
    application = get_application_for_user(request.user, slug, pk, manage=True)
    return application, get_object_or_404(
        Award.objects.select_related("lab"), application=application
    )


def _to_disbursements(application: Application):
    return redirect(f"{application.get_absolute_url()}#disbursements")


@login_required
def disbursement_plan(request, slug, pk):
    application, award = _award_for(request, slug, pk)
    form = DisbursementForm(
        request.POST if request.method == "POST" else None,
        initial={"planned_on": application.lab.today()},
    )
    if form.is_bound and form.is_valid():
        try:
            tranche = services.disbursement_plan(award=award, disbursement=form.save(commit=False))
        except FundingError as error:
            form.add_error("amount", str(error))
        else:
            messages.success(
                request,
                f"Planned {tranche.amount:,.2f} {award.lab.currency} for "
                f"{tranche.planned_on:%B %-d, %Y}.",
            )
            return _to_disbursements(application)
    context = {"lab": application.lab, "manages": True, "application": application}
    context.update(form=form, award=award)
    return render(request, "funding/disbursement_form.html", context)


@require_POST
@login_required
def disbursement_paid(request, slug, pk, disbursement_pk):
    application, award = _award_for(request, slug, pk)
    disbursement = get_object_or_404(award.disbursements, pk=disbursement_pk)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            services.disbursement_mark_paid(
                disbursement=disbursement, user=request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except FundingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Marked {disbursement.amount:,.2f} {award.lab.currency} as paid."
            )
        return _to_disbursements(application)
    context = {"lab": application.lab, "manages": True, "application": application}
    context.update(form=form, award=award, disbursement=disbursement)
    return render(request, "funding/disbursement_paid.html", context)
