"""The funded initiatives: the cohort's list, each initiative's private page (award, budget
versus actual, metrics, the months of Phase 2 and their updates), and the monthly updates
with the facilitators' replies. The final deliverable and the showcase: views_deliverables."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from funding import services_initiatives as services
from funding.access import get_application_for_user
from funding.forms_initiatives import ProgressUpdateForm, ReplyForm, month_value, parse_month
from funding.models import Application, Award, Deliverable, ProgressUpdate
from funding.services import FundingError
from labs.access import get_lab_for_user
from participants.models import Membership

# --- Access: the initiative's private records are its organization's and facilitators' ---------


def get_initiative_for_user(
    user, lab_slug: str, pk: int, *, manage: bool = False, member: bool = False
) -> Application:
    """An approved application with its private records (manage=True: facilitators only;
    member=True: the organization's members only). Anything else is a 404."""
    application = get_application_for_user(user, lab_slug, pk, manage=manage, member=member)
    if not application.is_initiative:
        raise Http404
    return application


def get_update_for_user(
    user, lab_slug: str, pk: int, update_pk: int, *, member: bool = False
) -> ProgressUpdate:
    application = get_initiative_for_user(user, lab_slug, pk, member=member)
    updates = application.progress_updates.select_related("author")
    update = get_object_or_404(updates, pk=update_pk)
    update.application = application
    return update


def is_member(user, organization_id: int) -> bool:
    return Membership.objects.filter(user=user, organization_id=organization_id).exists()


# --- The cohort's list -------------------------------------------------------------------------


@login_required
def initiatives(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    funded = (
        Application.objects.initiatives()
        .filter(round__lab=lab)
        .select_related("organization", "deliverable")
        .annotate(last_reported=Max("progress_updates__month"))
        .order_by("organization__name", "pk")
    )
    mine = set(Membership.objects.filter(user=request.user).values_list("organization", flat=True))
    today = lab.today()
    rows = [
        {
            "application": a,
            "status": services.initiative_status(
                a, lab=lab, last_reported=a.last_reported, today=today
            ),
            "can_open": manages or a.organization_id in mine,
        }
        for a in funded
    ]
    context = {
        "lab": lab,
        "manages": manages,
        "rows": rows,
        "due": services.deliverable_due(lab),
        "months": services.phase2_months(lab),
    }
    return render(request, "funding/initiative_list.html", context)


# --- One initiative -----------------------------------------------------------------------------


@login_required
def initiative(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk)
    lab = application.lab
    award = Award.objects.filter(application=application).prefetch_related("disbursements").first()
    updates = list(
        application.progress_updates.select_related("author").annotate(reply_count=Count("replies"))
    )
    budget_rows, budget_total = services.budget_vs_actual(application)
    member = is_member(request.user, application.organization_id)
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "application": application,
        "is_member": member,
        "award": award,
        "budget_rows": budget_rows,
        "budget_total": budget_total,
        "metric_rows": services.metric_progress(application),
        "month_rows": services.month_rows(lab, updates),
        "to_report": services.months_to_report(lab, [u.month for u in updates]) if member else [],
        "deliverable": Deliverable.objects.filter(application=application).first(),
        "deliverable_due": services.deliverable_due(lab),
    }
    return render(request, "funding/initiative_detail.html", context)


# --- Monthly updates ----------------------------------------------------------------------------


def _form(request, application, *, update=None, months=None, initial=None):
    data = request.POST if request.method == "POST" else None
    return ProgressUpdateForm(
        data,
        instance=update,
        initial=initial,
        application=application,
        metrics=application.metrics.all(),
        budget_lines=application.budget_lines.all(),
        months=months,
    )


def _save(request, form, application, update=None):
    try:
        return services.progress_update_save(
            application=application,
            user=request.user,
            what_happened=form.cleaned_data["what_happened"],
            blockers=form.cleaned_data["blockers"],
            values=form.values(),
            spending=form.spending(),
            month=form.cleaned_data.get("month"),
            update=update,
        )
    except FundingError as error:
        form.add_error(None, str(error))
        return None


@login_required
def update_create(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk, member=True)
    lab = application.lab
    reported = application.progress_updates.values_list("month", flat=True)
    months = services.months_to_report(lab, reported)
    if not months:
        messages.info(request, "Every month of Phase 2 so far has its update; edit one instead.")
        return redirect("funding:initiative", lab.slug, application.pk)
    chosen = parse_month(request.GET.get("month", ""), months) or months[0]
    form = _form(request, application, months=months, initial={"month": month_value(chosen)})
    if form.is_bound and form.is_valid():
        update = _save(request, form, application)
        if update is not None:
            messages.success(request, f"Posted the update for {update.month:%B %Y}.")
            return redirect(update)
    context = {"lab": lab, "manages": False, "application": application, "form": form}
    return render(request, "funding/update_form.html", context)


@login_required
def update_edit(request, slug, pk, update_pk):
    update = get_update_for_user(request.user, slug, pk, update_pk, member=True)
    application = update.application
    form = _form(request, application, update=update)
    if form.is_bound and form.is_valid() and _save(request, form, application, update):
        messages.success(request, f"Saved the update for {update.month:%B %Y}.")
        return redirect(update)
    context = {
        "lab": application.lab,
        "manages": False,
        "application": application,
        "update": update,
        "form": form,
    }
    return render(request, "funding/update_form.html", context)


def _update_page(request, update, reply_form=None):
    application = update.application
    lab = application.lab
    member = is_member(request.user, application.organization_id)
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "application": application,
        "update": update,
        "is_member": member,
        "values": update.values.select_related("metric").order_by("metric__position", "metric"),
        "spending": update.spending.select_related("budget_line").order_by(
            "budget_line__position", "budget_line"
        ),
        "replies": update.replies.select_related("author"),
        "reply_form": reply_form or ReplyForm(),
    }
    return render(request, "funding/update_detail.html", context)


@login_required
def update(request, slug, pk, update_pk):
    return _update_page(request, get_update_for_user(request.user, slug, pk, update_pk))


@login_required
@require_POST
def update_reply(request, slug, pk, update_pk):
    update = get_update_for_user(request.user, slug, pk, update_pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            body = form.cleaned_data["body"]
            services.update_reply(update=update, author=request.user, body=body)
        except FundingError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, "Reply posted.")
            return redirect(f"{update.get_absolute_url()}#replies-heading")
    return _update_page(request, update, reply_form=form)
