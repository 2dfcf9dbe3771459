"""The final deliverable (its page, the organization's draft with attachments, submission, the
facilitators' decision and the public-page choice) and the showcases: the cohort's, and the
public one with only what the facilitators chose."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from funding import services_initiatives as services
from funding.forms_initiatives import DecisionForm, DeliverableForm
from funding.models import Deliverable, DeliverableStatus, FinalMetric
from funding.services import FundingError
from funding.views_initiatives import get_initiative_for_user, is_member
from labs.access import get_lab_for_user
from labs.models import Lab
from mll.downloads import serve_private_file
from participants.models import Membership

D = DeliverableStatus


def _deliverable_of(application) -> Deliverable | None:
    deliverable = Deliverable.objects.filter(application=application).first()
    if deliverable is not None:
        deliverable.application = application
    return deliverable


def _final_metrics():
    return Prefetch(
        "final_metrics",
        queryset=FinalMetric.objects.select_related("metric").order_by(
            "metric__position", "metric"
        ),
    )


# --- The deliverable page -----------------------------------------------------------------------


def _deliverable_page(request, application, decision_form=None):
    lab = application.lab
    manages = lab.is_facilitated_by(request.user)
    member = is_member(request.user, application.organization_id)
    deliverable = _deliverable_of(application)
    can_decide = manages and deliverable is not None and deliverable.status == D.SUBMITTED
    finals = {}
    if deliverable is not None:
        finals = {f.metric_id: f.final_value for f in deliverable.final_metrics.all()}
    context = {
        "lab": lab,
        "manages": manages,
        "application": application,
        "deliverable": deliverable,
        "is_member": member,
        "due": services.deliverable_due(lab),
        "results": [
            {"metric": m, "final_value": finals.get(m.pk)} for m in application.metrics.all()
        ],
        "attachments": list(deliverable.attachments.all()) if deliverable else [],
        "events": list(deliverable.events.select_related("actor")) if deliverable else [],
        "missing": services.missing_for_deliverable(deliverable)
        if member and deliverable and deliverable.is_editable
        else [],
        "decision_form": decision_form or (DecisionForm() if can_decide else None),
    }
    return render(request, "funding/deliverable_detail.html", context)


@login_required
def deliverable(request, slug, pk):
    return _deliverable_page(request, get_initiative_for_user(request.user, slug, pk))


@login_required
def deliverable_edit(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk, member=True)
    current = _deliverable_of(application)
    if current is not None and not current.is_editable:
        messages.info(request, f"The deliverable is {current.get_status_display().lower()}.")
        return redirect("funding:deliverable", application.lab.slug, application.pk)
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = DeliverableForm(
        *data,
        instance=current or Deliverable(application=application),
        metrics=application.metrics.all(),
    )
    if form.is_bound and form.is_valid():
        attachment = form.cleaned_data["attachment"]
        try:
            saved = current or services.deliverable_start(
                application=application, user=request.user
            )
            services.deliverable_save(
                deliverable=saved,
                user=request.user,
                summary=form.cleaned_data["summary"],
                outcomes=form.cleaned_data["outcomes"],
                lessons=form.cleaned_data["lessons"],
                final_values=form.final_values(),
                attachment=attachment,
            )
        except FundingError as error:
            form.add_error(None, str(error))
        else:
            if attachment:
                messages.success(request, f"Saved, and attached {attachment.name}.")
                return redirect("funding:deliverable_edit", application.lab.slug, application.pk)
            messages.success(request, "Saved the draft. Submit it when it's complete.")
            return redirect("funding:deliverable", application.lab.slug, application.pk)
    context = {
        "lab": application.lab,
        "manages": False,
        "application": application,
        "deliverable": current,
        "form": form,
        "attachments": list(current.attachments.all()) if current else [],
        "due": services.deliverable_due(application.lab),
    }
    return render(request, "funding/deliverable_form.html", context)


@login_required
@require_POST
def deliverable_attachment_delete(request, slug, pk, attachment_pk):
    application = get_initiative_for_user(request.user, slug, pk, member=True)
    current = _deliverable_of(application)
    if current is None:
        raise Http404
    attachment = get_object_or_404(current.attachments, pk=attachment_pk)
    attachment.deliverable = current
    try:
        services.deliverable_attachment_delete(attachment=attachment)
    except FundingError as error:
        messages.error(request, str(error))
        return redirect("funding:deliverable", application.lab.slug, application.pk)
    messages.success(request, f"Removed {attachment.name}.")
    return redirect("funding:deliverable_edit", application.lab.slug, application.pk)


@login_required
def deliverable_attachment(request, slug, pk, attachment_pk):
    application = get_initiative_for_user(request.user, slug, pk)
    current = _deliverable_of(application)
    if current is None:
        raise Http404
    attachment = get_object_or_404(current.attachments, pk=attachment_pk)
    return serve_private_file(attachment.file, download_name=PurePath(attachment.name).stem)


@login_required
@require_POST
def deliverable_submit(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk, member=True)
    current = _deliverable_of(application)
    if current is None:
        messages.error(request, "Write the deliverable first, then submit it.")
        return redirect("funding:deliverable_edit", application.lab.slug, application.pk)
    try:
        services.deliverable_submit(deliverable=current, user=request.user)
    except FundingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Submitted. The facilitators are e-mailed and will accept it or ask for changes.",
        )
    return redirect("funding:deliverable", application.lab.slug, application.pk)


@login_required
@require_POST
def deliverable_decide(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk, manage=True)
    current = _deliverable_of(application)
    if current is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _deliverable_page(request, application, decision_form=form)
    feedback = form.cleaned_data["feedback"].strip()
    try:
        if form.cleaned_data["decision"] == DecisionForm.ACCEPT:
            services.deliverable_accept(deliverable=current, user=request.user, message=feedback)
            done = "Accepted the deliverable."
        else:
            services.deliverable_request_changes(
                deliverable=current, user=request.user, message=feedback
            )
            done = "Asked for changes."
    except FundingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{done} The organization is e-mailed.")
    return redirect("funding:deliverable", application.lab.slug, application.pk)


@login_required
@require_POST
def deliverable_publish(request, slug, pk):
    application = get_initiative_for_user(request.user, slug, pk, manage=True)
    current = _deliverable_of(application)
    if current is None:
        raise Http404
    public = request.POST.get("public") == "1"
    try:
        services.deliverable_set_public(deliverable=current, user=request.user, public=public)
    except FundingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "It now appears on the lab's public showcase."
            if public
            else "It no longer appears on the lab's public showcase.",
        )
    return redirect("funding:deliverable", application.lab.slug, application.pk)


# --- Showcases ----------------------------------------------------------------------------------


def _accepted(lab: Lab):
    return (
        Deliverable.objects.filter(application__round__lab=lab, status=D.ACCEPTED)
        .select_related("application__organization")
        .prefetch_related(_final_metrics())
        .order_by("application__organization__name", "pk")
    )


@login_required
def showcase(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    mine = set(Membership.objects.filter(user=request.user).values_list("organization", flat=True))
    deliverables = list(_accepted(lab).prefetch_related("attachments"))
    for item in deliverables:
        # Files stay private to the organization and the facilitators.
        item.private_access = manages or item.application.organization_id in mine
    context = {"lab": lab, "manages": manages, "deliverables": deliverables}
    return render(request, "funding/showcase.html", context)


def public_showcase(request, slug):
    lab = get_object_or_404(Lab, slug=slug)
    deliverables = list(_accepted(lab).filter(on_public_page=True))
    if not deliverables and not lab.call_is_published:
        raise Http404
    return render(
        request, "funding/showcase_public.html", {"lab": lab, "deliverables": deliverables}
    )
