"""Intervention areas: each organization's weakness and idea, open to the cohort for
comments (feasible? fits the funding?), revised by the organization that wrote it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from funding import services
from funding.access import get_area_for_user, organizations_for_user
from funding.forms import AreaCommentForm, AreaForm
from funding.models import Feasibility
from labs.access import get_lab_for_user


@login_required
def areas(request, slug):
    lab = get_lab_for_user(request.user, slug)
    own = list(organizations_for_user(request.user, lab).values_list("pk", flat=True))
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "areas": lab.intervention_areas.select_related("organization", "author").annotate(
            comment_count=Count("comments")
        ),
        "own_organizations": own,
    }
    return render(request, "funding/area_list.html", context)


@login_required
def area_create(request, slug):
    lab = get_lab_for_user(request.user, slug)
    organizations = organizations_for_user(request.user, lab)
    if not organizations:
        raise Http404("Only the cohort's organizations write intervention areas.")
    form = AreaForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations,
        initial={"organization": organizations[0]},
    )
    if form.is_bound and form.is_valid():
        area = form.save(commit=False)
        area.lab = lab
        area.author = request.user
        if "organization" not in form.fields:
            area.organization = organizations[0]
        area.save()
        messages.success(
            request, f"“{area.title}” is shared with the cohort. Peers can comment on it now."
        )
        return redirect(area)
    context = {"lab": lab, "form": form, "manages": lab.is_facilitated_by(request.user)}
    return render(request, "funding/area_form.html", context)


@login_required
def area(request, slug, pk):
    area = get_area_for_user(request.user, slug, pk)
    form = AreaCommentForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.area_comment(area=area, author=request.user, comment=form.save(commit=False))
        messages.success(request, "Your comment is posted.")
        return redirect(f"{area.get_absolute_url()}#comments")
    comments = list(area.comments.select_related("author"))
    context = {
        "lab": area.lab,
        "manages": area.lab.is_facilitated_by(request.user),
        "area": area,
        "comments": comments,
        "feasibility_counts": [
            (label, sum(1 for c in comments if c.feasibility == value))
            for value, label in Feasibility.choices
        ],
        "fits_counts": (
            sum(1 for c in comments if c.fits_funding is True),
            sum(1 for c in comments if c.fits_funding is False),
        ),
        "can_edit": organizations_for_user(request.user, area.lab)
        .filter(pk=area.organization_id)
        .exists(),
        "form": form,
    }
    return render(request, "funding/area_detail.html", context)


@login_required
def area_edit(request, slug, pk):
    area = get_area_for_user(request.user, slug, pk, write=True)
    form = AreaForm(request.POST if request.method == "POST" else None, instance=area)
    if form.is_bound and form.is_valid():
        if form.has_changed():
            services.area_revise(area=form.save(commit=False))
            messages.success(
                request,
                f"Saved revision {area.revision}. Earlier comments stay, marked with the "
                "revision they were on.",
            )
        else:
            messages.info(request, "Nothing changed, so no new revision.")
        return redirect(area)
    manages = area.lab.is_facilitated_by(request.user)
    context = {"lab": area.lab, "form": form, "area": area, "manages": manages}
    return render(request, "funding/area_form.html", context)
