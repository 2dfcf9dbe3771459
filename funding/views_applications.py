"""The lab's funding overview and round, and an organization's application: start, edit
(narrative, success metrics, budget, attachments), submit, withdraw and read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from funding import services
from funding.access import (
    get_application_attachment_for_user,
    get_application_for_user,
    organizations_for_user,
)
from funding.forms import (
    MORE_ROWS,
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    CriterionFormSet,
    DecisionForm,
    DisbursementForm,
    MessageForm,
    MetricFormSet,
    RoundForm,
    StartForm,
)
from funding.models import (
    Application,
    ApplicationStatus,
    Award,
    FundingRound,
    Review,
    ReviewScore,
)
from funding.services import FundingError
from labs.access import get_lab_for_user
from mll.downloads import serve_private_file


def _initiatives_url(lab) -> str | None:
    """The initiatives page, once that part of the app exists."""
    try:
        return reverse("funding:initiatives", args=[lab.slug])
    except NoReverseMatch:
        return None


def _with_totals(applications):
    return applications.select_related("organization", "award").annotate(
        requested=Sum("budget_lines__amount")
    )


# --- The lab's funding --------------------------------------------------------------------------


@login_required
def overview(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    funding_round = (
        FundingRound.objects.select_related("lab")
        .filter(lab=lab)
        .prefetch_related("criteria")
        .first()
    )
    context = {
        "lab": lab,
        "manages": manages,
        "round": funding_round,
        "round_open": funding_round is not None and funding_round.is_open(),
        "initiatives_url": _initiatives_url(lab),
    }
    if manages:
        context["pool"] = services.pool_summary(lab)
        if funding_round is not None:
            context["applications"] = _with_totals(funding_round.applications.all())
    organizations = list(organizations_for_user(request.user, lab))
    if organizations and funding_round is not None:
        mine = _with_totals(funding_round.applications.filter(organization__in=organizations))
        by_org = {a.organization_id: a for a in mine}
        context["own"] = [(org, by_org.get(org.pk)) for org in organizations]
        context["can_start"] = timezone.now() < funding_round.deadline
    return render(request, "funding/funding_overview.html", context)


@login_required
def round_edit(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    funding_round = FundingRound.objects.select_related("lab").filter(lab=lab).first()
    data = request.POST if request.method == "POST" else None
    if funding_round is None:
        form = RoundForm(data, instance=FundingRound(lab=lab), lab=lab)
        if form.is_bound and form.is_valid():
            try:
                services.round_create(funding_round=form.save(commit=False))
            except FundingError as error:
                messages.error(request, f"{error} Here it is; nothing was changed.")
                return redirect("funding:round_edit", lab.slug)
            messages.success(
                request,
                "The funding round is set, with the guide's four rubric criteria. "
                "Adjust the criteria below if you like.",
            )
            return redirect("funding:round_edit", lab.slug)
        context = {"lab": lab, "manages": True, "form": form, "criteria": None}
        return render(request, "funding/round_form.html", context)
    form = RoundForm(data, instance=funding_round, lab=lab)
    criteria = CriterionFormSet(data, instance=funding_round, prefix="criteria")
    if request.GET.get("more"):
        criteria.extra = MORE_ROWS
    if data is not None and form.is_valid() and criteria.is_valid():
        with transaction.atomic():
            form.save()
            criteria.save()
        if "more" in request.POST:
            messages.success(request, "Saved. Empty rows are added below.")
            return redirect(reverse("funding:round_edit", args=[lab.slug]) + "?more=1#criteria")
        messages.success(request, "The funding round is saved.")
        return redirect("funding:overview", lab.slug)
    context = {"lab": lab, "manages": True, "form": form, "criteria": criteria}
    return render(request, "funding/round_form.html", context)


# --- Starting and reading an application ------------------------------------------------------


@require_POST
@login_required
def application_start(request, slug):
    lab = get_lab_for_user(request.user, slug)
    funding_round = get_object_or_404(FundingRound, lab=lab)
    organizations = organizations_for_user(request.user, lab)
    if not organizations:
        raise Http404("Only the cohort's organizations apply.")
    data = request.POST.copy()
    if not data.get("organization") and len(organizations) == 1:
        data["organization"] = organizations[0].pk
    form = StartForm(data, organizations=organizations)
    if not form.is_valid():
        messages.error(request, "Choose which of your organizations the application is for.")
        return redirect("funding:overview", lab.slug)
    try:
        application, created = services.application_start(
            funding_round=funding_round,
            organization=form.cleaned_data["organization"],
            user=request.user,
        )
    except FundingError as error:
        messages.error(request, str(error))
        return redirect("funding:overview", lab.slug)
    if created:
        messages.success(request, "Your draft is started. Save as often as you like.")
        return redirect("funding:application_edit", lab.slug, application.pk)
    messages.info(request, "Your organization already has an application in this round.")
    return redirect(application)


def _disbursement_figures(award: Award | None, disbursements: list) -> dict | None:
    if award is None:
        return None
    planned = sum((d.amount for d in disbursements), start=0)
    paid = sum((d.amount for d in disbursements if d.paid_on), start=0)
    return {
        "award": award.amount,
        "planned": planned,
        "paid": paid,
        "to_pay": award.amount - paid,
        "unscheduled": award.amount - planned,
    }


@login_required
def application(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk)
    lab = application.lab
    manages = lab.is_facilitated_by(request.user)
    is_member = application.organization.memberships.filter(user=request.user).exists()
    budget = list(application.budget_lines.all())
    award = Award.objects.filter(application=application).first()
    disbursements = list(award.disbursements.select_related("recorded_by")) if award else []
    context = {
        "lab": lab,
        "manages": manages,
        "is_member": is_member,
        "application": application,
        "round": application.round,
        "round_open": application.round.is_open(),
        "metrics": list(application.metrics.all()),
        "budget": budget,
        "budget_total": sum((line.amount for line in budget), start=0),
        "attachments": list(application.attachments.all()),
        "events": application.events.select_related("actor"),
        "versions": list(application.versions.defer("content").select_related("submitted_by")),
        "missing": services.missing_for_submission(application)
        if is_member and application.is_editable
        else [],
        "award": award,
        "disbursements": disbursements,
        "figures": _disbursement_figures(award, disbursements),
    }
    if manages:
        context.update(_facilitator_context(application, award))
    return render(request, "funding/application_detail.html", context)


def _facilitator_context(application: Application, award: Award | None) -> dict:
    """Reviews, the decision form and the tranche form: the facilitators' part of the page."""
    criteria = list(application.round.criteria.all())
    reviews = list(
        Review.objects.filter(application=application)
        .select_related("reviewer", "version")
        .prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
        )
        .order_by("-version__number", "created_at")
    )
    awaiting = application.status in ApplicationStatus.awaiting_review()
    context = {"criteria": criteria, "reviews": reviews, "awaiting_review": awaiting}
    if awaiting:
        context["decision_form"] = DecisionForm(
            application=application, initial={"amount": default_award(application)}
        )
    if award is not None:
        context["disbursement_form"] = DisbursementForm(
            initial={"planned_on": application.lab.today()}
        )
        context["today"] = application.lab.today()
    return context


def default_award(application: Application):
    """The budget total, capped at the round's maximum award."""
    total = application.budget_total()
    max_award = application.round.max_award
    amount = min(total, max_award) if max_award is not None else total
    return amount.quantize(Decimal("0.01"))


# --- Editing --------------------------------------------------------------------------------


def _refuse_if_locked(request, application: Application):
    if application.is_editable:
        return None
    messages.error(
        request,
        f"This application is {application.get_status_display().lower()}; it can't be edited now.",
    )
    return redirect(application)


@login_required
def application_edit(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, member=True)
    if locked := _refuse_if_locked(request, application):
        return locked
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, instance=application)
    metrics = MetricFormSet(data, instance=application, prefix="metrics")
    budget = BudgetFormSet(data, instance=application, prefix="budget")
    more = request.GET.get("more")
    if more in ("metrics", "budget"):
        (metrics if more == "metrics" else budget).extra = MORE_ROWS
    unsaved = []
    if data is not None:
        unsaved = _save_draft(application, form, metrics, budget)
        if unsaved is None:
            messages.error(request, "Someone submitted this application meanwhile; see it here.")
            return redirect(application)
        if not unsaved:
            target = reverse("funding:application_edit", args=[slug, pk])
            more = request.POST.get("more")
            if more in ("metrics", "budget"):
                messages.success(request, "Draft saved. Empty rows are added below.")
                return redirect(f"{target}?more={more}#{more}")
            messages.success(request, "Draft saved.")
            if "save_and_view" in request.POST:
                return redirect(application)
            return redirect(target)
    context = {
        "lab": application.lab,
        "manages": application.lab.is_facilitated_by(request.user),
        "application": application,
        "form": form,
        "metrics": metrics,
        "budget": budget,
        "budget_total": application.budget_total(),
        "attachments": list(application.attachments.all()),
        "attachment_form": AttachmentForm(auto_id="attachment_%s"),
        "round": application.round,
        "unsaved": unsaved,
    }
    return render(request, "funding/application_form.html", context)


def _save_draft(application, form, metrics, budget) -> list[str] | None:
    """Save every part that is valid, so what was typed there is kept even when another part
    needs attention; the names of the parts not saved. None when the application stopped
    being editable meanwhile (another member submitted it)."""
    parts = {"the text": form, "the success metrics": metrics, "the budget": budget}
    valid = {name: part.is_valid() for name, part in parts.items()}
    with transaction.atomic():
        status = Application.objects.select_for_update().values_list("status", flat=True)
        if status.get(pk=application.pk) not in ApplicationStatus.editable():
            return None
        if valid["the text"]:
            # Only the narrative: this copy's status and decision fields were read before
            # the lock and may be stale (submitted and sent back meanwhile).
            form.instance.save(update_fields=[*form._meta.fields, "updated_at"])
        for name in ("the success metrics", "the budget"):
            if valid[name]:
                parts[name].save_rows()
    return [name for name, ok in valid.items() if not ok]


@require_POST
@login_required
def application_submit(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, member=True)
    try:
        version = services.application_submit(application=application, user=request.user)
    except FundingError as error:
        messages.error(request, str(error))
    else:
        verb = "Resubmitted" if version.number > 1 else "Submitted"
        messages.success(
            request,
            f"{verb} as version {version.number}. The facilitators are told by e-mail; "
            "you'll hear from them here and by e-mail.",
        )
    return redirect(application)


@login_required
def application_withdraw(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, member=True)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.application_withdraw(
                application=application,
                user=request.user,
                message=form.cleaned_data["message"],
            )
        except FundingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The application is withdrawn.")
        return redirect(application)
    context = {"lab": application.lab, "application": application, "form": form}
    return render(request, "funding/application_withdraw.html", {**context, "manages": False})


# --- Attachments ----------------------------------------------------------------------------

MEANWHILE = "Someone submitted this application meanwhile; see it here."


def _still_editable(application: Application) -> bool:
    """Lock the application's row (in the caller's transaction) and say whether it is still
    editable: another member may have submitted it since this request read it, and the files
    of a submitted version must stay as they were."""
    status = Application.objects.select_for_update().values_list("status", flat=True)
    return status.get(pk=application.pk) in ApplicationStatus.editable()


@require_POST
@login_required
def attachment_upload(request, slug, pk):
    application = get_application_for_user(request.user, slug, pk, member=True)
    if locked := _refuse_if_locked(request, application):
        return locked
    form = AttachmentForm(request.POST, request.FILES, auto_id="attachment_%s")
    if form.is_valid():
        with transaction.atomic():
            if not _still_editable(application):
                messages.error(request, MEANWHILE)
                return redirect(application)
            attachment = form.save(commit=False)
            attachment.application = application
            attachment.uploaded_by = request.user
            attachment.save()
        messages.success(request, f"{attachment.name} is attached.")
        edit = reverse("funding:application_edit", args=[slug, pk])
        return redirect(f"{edit}#attachments")
    context = {"lab": application.lab, "application": application, "form": form}
    return render(
        request, "funding/application_attachment_form.html", {**context, "manages": False}
    )


@login_required
def attachment_download(request, slug, pk, attachment_pk):
    attachment = get_application_attachment_for_user(request.user, slug, pk, attachment_pk)
    return serve_private_file(attachment.file, download_name=PurePath(attachment.name).stem)


@require_POST
@login_required
def attachment_delete(request, slug, pk, attachment_pk):
    application = get_application_for_user(request.user, slug, pk, member=True)
    if locked := _refuse_if_locked(request, application):
        return locked
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    stored = attachment.file
    with transaction.atomic():
        if not _still_editable(application):
            messages.error(request, MEANWHILE)
            return redirect(application)
        attachment.delete()
        # The file goes once the row is surely gone.
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
    messages.success(request, f"{attachment.name} is removed.")
    edit = reverse("funding:application_edit", args=[slug, pk])
    return redirect(f"{edit}#attachments")
