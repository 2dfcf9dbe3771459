from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from labs import services
from labs.access import get_lab_for_user, get_milestone_for_user
from labs.forms import AgreementForm, LabForm, MilestoneForm, SourceFormSet
from labs.models import PARTICIPATING_STATUSES, Lab
from labs.panels import panels_for
from mll.downloads import serve_private_file


@login_required
def home(request):
    user = request.user
    labs = Lab.objects.visible_to(user).annotate(
        participant_count=Count(
            "participations", filter=Q(participations__status__in=PARTICIPATING_STATUSES)
        )
    )
    facilitated = set(user.facilitated_labs.values_list("pk", flat=True))
    fallback = "Admin" if user.is_staff else "Participant"
    rows = [(lab, "Facilitator" if lab.pk in facilitated else fallback) for lab in labs]
    context = {"rows": rows, "may_create": user.may_create_labs()}
    return render(request, "labs/lab_list.html", context)


@login_required
def lab_create(request):
    if not request.user.may_create_labs():
        raise Http404
    form = LabForm(request.POST or None, user=request.user)
    sources = SourceFormSet(request.POST or None, prefix="sources")
    if request.method == "POST" and form.is_valid() and sources.is_valid():
        lab = services.lab_create(lab=form.save(commit=False), created_by=request.user)
        form.save_m2m()
        sources.instance = lab
        sources.save()
        messages.success(
            request, f"{lab.name} is set up with the guide's timeline. Review it next."
        )
        return redirect("labs:timeline", lab.slug)
    return render(request, "labs/lab_form.html", {"form": form, "sources": sources})


@login_required
def lab_edit(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    previous = Lab.objects.get(pk=lab.pk)
    form = LabForm(request.POST or None, instance=lab, user=request.user)
    sources = SourceFormSet(request.POST or None, instance=lab, prefix="sources")
    if request.method == "POST" and form.is_valid() and sources.is_valid():
        try:
            with transaction.atomic():
                moved = services.lab_update(lab=form.save(commit=False), previous=previous)
                form.save_m2m()
                sources.save()
        except services.PoolTooSmall as error:
            form.add_error("funding_pool", str(error))
        else:
            note = f" {moved} upcoming milestone(s) moved with the new dates." if moved else ""
            messages.success(request, f"Saved.{note}")
            return redirect(lab)
    return render(request, "labs/lab_form.html", {"form": form, "sources": sources, "lab": lab})


@login_required
def lab_detail(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    today = lab.today()
    milestones = list(lab.milestones.all())
    pending = sorted((m for m in milestones if not m.is_done), key=lambda m: m.due_date)
    context = {
        "lab": lab,
        "manages": manages,
        "today": today,
        "timeline": lab.timeline,
        "phase": lab.timeline.current_phase(today),
        "overdue": [m for m in pending if m.due_date < today],
        "next_due": [m for m in pending if m.due_date >= today][:5],
        "done_count": len(milestones) - len(pending),
        "milestone_count": len(milestones),
        "panels": panels_for(lab=lab, user=request.user, manages=manages),
    }
    return render(request, "labs/lab_detail.html", context)


@login_required
def lab_timeline(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    form = MilestoneForm(request.POST or None) if manages else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            form.instance.lab = lab
            services.milestone_add(milestone=form.instance)
            messages.success(request, f"Added “{form.instance.title}”.")
            return redirect("labs:timeline", lab.slug)
    context = {
        "lab": lab,
        "manages": manages,
        "today": lab.today(),
        "timeline": lab.timeline,
        "milestones": lab.milestones.select_related("completed_by"),
        "form": form,
    }
    return render(request, "labs/milestone_list.html", context)


@login_required
def milestone_edit(request, slug, pk):
    milestone = get_milestone_for_user(request.user, slug, pk)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved “{milestone.title}”.")
        return redirect("labs:timeline", slug)
    return render(request, "labs/milestone_form.html", {"form": form, "lab": milestone.lab})


@require_POST
@login_required
def milestone_toggle(request, slug, pk):
    milestone = get_milestone_for_user(request.user, slug, pk)
    services.milestone_set_done(milestone=milestone, user=request.user, done=not milestone.is_done)
    state = "done" if milestone.is_done else "not done"
    messages.success(request, f"“{milestone.title}” marked {state}.")
    return redirect(f"{milestone.lab.get_absolute_url()}timeline/#milestone-{milestone.pk}")


@require_POST
@login_required
def milestone_move(request, slug, pk, direction):
    if direction not in ("up", "down"):
        raise Http404
    milestone = get_milestone_for_user(request.user, slug, pk)
    services.milestone_move(milestone=milestone, direction=-1 if direction == "up" else 1)
    return redirect(f"{milestone.lab.get_absolute_url()}timeline/#milestone-{milestone.pk}")


@require_POST
@login_required
def milestone_delete(request, slug, pk):
    milestone = get_milestone_for_user(request.user, slug, pk)
    milestone.delete()
    messages.success(request, f"Removed “{milestone.title}”.")
    return redirect("labs:timeline", slug)


@login_required
def lab_agreement(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    form = AgreementForm(request.POST or None, request.FILES or None, instance=lab)
    if request.method == "POST" and form.is_valid():
        services.lab_agreement_update(
            lab=form.save(commit=False),
            text_changed="agreement_text" in form.changed_data,
            file_changed="agreement_file" in form.changed_data,
        )
        messages.success(request, f"Agreement saved as version {lab.agreement_version}.")
        return redirect("participants:list", lab.slug)
    return render(request, "labs/lab_agreement_form.html", {"form": form, "lab": lab})


@login_required
def lab_agreement_file(request, slug):
    lab = get_lab_for_user(request.user, slug)
    name = f"{lab.slug}-agreement-v{lab.agreement_version}"
    return serve_private_file(lab.agreement_file, download_name=name)
