"""The impact report (page, CSV, XLSX) and one organization's impact page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from impact import exports
from impact.access import get_participation_for_user, reportable_labs
from impact.forms import ReportFilterForm
from impact.organization import organization_impact
from impact.reports import Report, build_report
from impact.tables import SMALL_GROUP
from labs.access import get_lab_for_user
from participants.models import ClientGroup


def _report(request: HttpRequest) -> tuple[Report, ReportFilterForm]:
    """The report the filters ask for, over the labs this person reports on."""
    labs = reportable_labs(request.user)
    form = ReportFilterForm(request.GET, labs=labs, client_groups=list(ClientGroup.objects.all()))
    filters = form.filters()
    if form.asks_for_another_lab():
        raise Http404
    return build_report(user=request.user, visible=labs, filters=filters), form


@login_required
def report(request):
    report, form = _report(request)
    context = {"report": report, "form": form, "small_group": SMALL_GROUP}
    return render(request, "impact/impact_report.html", context)


@login_required
def export_csv(request):
    return exports.report_csv(_report(request)[0])


@login_required
def export_xlsx(request):
    return exports.report_xlsx(_report(request)[0])


@login_required
def organization(request, slug, participation_pk):
    participation = get_participation_for_user(request.user, slug, participation_pk)
    lab = participation.lab
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "participation": participation,
        "organization": participation.organization,
        **organization_impact(participation),
    }
    return render(request, "impact/organization_impact.html", context)


@login_required
def mine(request, slug):
    """From the lab dashboard: facilitators to the lab's report, members to their own page."""
    lab = get_lab_for_user(request.user, slug)
    if lab.is_facilitated_by(request.user):
        return redirect(f"{reverse('impact:report')}?lab={lab.slug}")
    participation = (
        lab.participations.filter(organization__memberships__user=request.user)
        .order_by("organization__name")
        .first()
    )
    if participation is None:
        raise Http404
    return redirect("impact:organization", lab.slug, participation.pk)
