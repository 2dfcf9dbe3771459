"""Check-in pages: the lab's check-ins (a matrix for facilitators, the organization's own for
members), one check-in read-only, the organization's form, the facilitators' question and
acknowledgment, and the due-and-overdue board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from checkins import services
from checkins.access import get_checkin_for_user
from checkins.forms import (
    AcknowledgeForm,
    CheckInForm,
    MetricsForm,
    QuestionForm,
    StoryFormSet,
    story_changes,
)
from checkins.models import CheckIn, CheckInStatus, ReminderState
from checkins.services import CheckInError, CheckInIncomplete
from labs.access import get_lab_for_user
from labs.models import Lab
from participants.models import Participation, ParticipationStatus

BOARD_PER_PAGE = 50


# --- The lab's check-ins ---------------------------------------------------------------------


@login_required
def lab_checkins(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    checkins = list(
        CheckIn.objects.visible_to(request.user)
        .filter(participation__lab=lab)
        .select_related("participation__organization")
    )
    participations = Participation.objects.filter(lab=lab).select_related("organization")
    if not manages:
        participations = participations.filter(organization__memberships__user=request.user)
    participations = [
        p
        for p in participations
        if p.status == ParticipationStatus.COMPLETED
        or any(c.participation_id == p.pk for c in checkins)
    ]
    offsets = sorted(set(lab.checkin_offsets) | {c.months for c in checkins})
    today = lab.today()
    cells = {(c.participation_id, c.months): c.at(today) for c in checkins}
    rows = [(p, [cells.get((p.pk, m)) for m in offsets]) for p in participations]
    context = {
        "lab": lab,
        "manages": manages,
        "offsets": offsets,
        "dates": dict(lab.timeline.checkin_dates),
        "rows": rows,
        "today": today,
        "not_completed": Participation.objects.filter(lab=lab)
        .exclude(status__in=[ParticipationStatus.COMPLETED, ParticipationStatus.WITHDRAWN])
        .count()
        if manages
        else 0,
        "counts": _counts(checkins, today),
    }
    return render(request, "checkins/checkin_list.html", context)


def _counts(checkins: list[CheckIn], today) -> dict[str, int]:
    counts: dict[str, int] = {}
    for checkin in checkins:
        key = checkin.state_key(today)
        counts[key] = counts.get(key, 0) + 1
    return counts


# --- One check-in ----------------------------------------------------------------------------


def _initiative_context(checkin: CheckIn) -> dict:
    initiative = services.initiative_for(checkin.participation)
    return {
        "initiative": initiative,
        "award": services.award_amount(initiative),
        "reported_spent": services.reported_spending(initiative),
        "rows": services.metric_rows(checkin, initiative),
    }


@login_required
def checkin_detail(request, slug, pk):
    checkin = get_checkin_for_user(request.user, slug, pk)
    lab = checkin.participation.lab
    manages = lab.is_facilitated_by(request.user)
    is_member = checkin.participation.organization.memberships.filter(user=request.user).exists()
    context = {
        "checkin": checkin.at(lab.today()),
        "lab": lab,
        "manages": manages,
        "may_edit": is_member and checkin.is_editable,
        "stories": checkin.stories.all(),
        "events": checkin.events.select_related("actor"),
        "question_form": QuestionForm() if manages else None,
        "acknowledge_form": AcknowledgeForm() if manages else None,
        **_initiative_context(checkin),
    }
    return render(request, "checkins/checkin_detail.html", context)


@login_required
def checkin_edit(request, slug, pk):
    checkin = get_checkin_for_user(request.user, slug, pk, write=True)
    if not checkin.is_editable:
        messages.info(
            request,
            f"This check-in is {checkin.get_status_display().lower()}; it can't be changed now.",
        )
        return redirect(checkin)
    extra = _initiative_context(checkin)
    data = request.POST if request.method == "POST" else None
    form, metrics, stories = _edit_forms(data, checkin, extra)
    if data is not None and form.is_valid() and metrics.is_valid() and stories.is_valid():
        keep, remove = story_changes(stories)
        try:
            services.checkin_save(
                checkin=form.save(commit=False),
                user=request.user,
                values=metrics.values(),
                stories=keep,
                remove_stories=remove,
                seen_version=form.cleaned_data["version"],
            )
        except CheckInError as error:
            # The newest version goes into the form: saving again knowingly replaces it.
            form, metrics, stories = _edit_forms(_with_version(data, checkin), checkin, extra)
            form.is_valid()
            form.add_error(None, str(error))
            return _render_edit(request, checkin, form, metrics, stories, extra)
        action = data.get("action", "save")
        if action == "submit":
            return _submit(request, checkin, extra)
        messages.success(request, "Draft saved. Everyone in your organization can edit it.")
        if action == "add_story":
            return redirect(f"{request.path}#stories-heading")
        return redirect(checkin)
    return _render_edit(request, checkin, form, metrics, stories, extra)


def _edit_forms(data, checkin: CheckIn, extra: dict):
    lab = checkin.participation.lab
    form = CheckInForm(data, instance=checkin, award=extra["award"], currency=lab.currency)
    metrics = MetricsForm(data, rows=extra["rows"], prefix="metrics")
    stories = StoryFormSet(data, instance=checkin, prefix="stories")
    return form, metrics, stories


def _with_version(data, checkin: CheckIn):
    data = data.copy()
    data["version"] = services.version_of(CheckIn.objects.get(pk=checkin.pk))
    return data


def _submit(request, checkin: CheckIn, extra: dict):
    try:
        services.checkin_submit(checkin=checkin, user=request.user)
    except CheckInIncomplete as error:
        # Saved as a draft: show what's missing beside each field, the stories as saved.
        form, metrics, _ = _edit_forms(_with_version(request.POST, checkin), checkin, extra)
        stories = StoryFormSet(instance=checkin, prefix="stories")
        form.is_valid()
        metrics.is_valid()
        for name, message in error.missing.items():
            form.add_error(name, message)
        return _render_edit(request, checkin, form, metrics, stories, extra, incomplete=error)
    except CheckInError as error:
        messages.warning(request, str(error))
        return redirect("checkins:edit", checkin.participation.lab.slug, checkin.pk)
    messages.success(
        request,
        "Submitted. Thank you! The facilitators will read it and may follow up with a question.",
    )
    return redirect(checkin)


def _render_edit(request, checkin, form, metrics, stories, extra, incomplete=None):
    lab = checkin.participation.lab
    context = {
        "checkin": checkin.at(lab.today()),
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "form": form,
        "metrics": metrics,
        "stories": stories,
        "incomplete": incomplete,
        **extra,
    }
    return render(request, "checkins/checkin_form.html", context)


# --- The facilitators' follow-up -------------------------------------------------------------


@login_required
@require_POST
def checkin_question(request, slug, pk):
    checkin = get_checkin_for_user(request.user, slug, pk, manage=True)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_ask_question(
                checkin=checkin, user=request.user, message=form.cleaned_data["message"]
            )
        except CheckInError as error:
            messages.error(request, str(error))
            return redirect(checkin)
        messages.success(
            request, f"Question sent to {checkin.participation.organization.name} by e-mail."
        )
        return redirect(checkin)
    return _render_follow_up(request, checkin, question_form=form)


@login_required
@require_POST
def checkin_acknowledge(request, slug, pk):
    checkin = get_checkin_for_user(request.user, slug, pk, manage=True)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_acknowledge(
                checkin=checkin,
                user=request.user,
                message=form.cleaned_data["message"],
                notify=form.cleaned_data["notify"],
            )
        except CheckInError as error:
            messages.error(request, str(error))
            return redirect(checkin)
        note = " The organization will be e-mailed." if form.cleaned_data["notify"] else ""
        messages.success(request, f"Acknowledged.{note}")
        return redirect(checkin)
    return _render_follow_up(request, checkin, acknowledge_form=form)


def _render_follow_up(request, checkin: CheckIn, **forms):
    """The check-in page again, with the facilitator's form and its errors (nothing lost)."""
    lab = checkin.participation.lab
    context = {
        "checkin": checkin.at(lab.today()),
        "lab": lab,
        "manages": True,
        "may_edit": False,
        "stories": checkin.stories.all(),
        "events": checkin.events.select_related("actor"),
        "question_form": QuestionForm(),
        "acknowledge_form": AcknowledgeForm(),
        **forms,
        **_initiative_context(checkin),
    }
    return render(request, "checkins/checkin_detail.html", context)


# --- The due-and-overdue board ---------------------------------------------------------------


@login_required
def board(request):
    """Facilitators and admins: every check-in open, due or overdue in their labs, the
    oldest overdue first. Members: what their organizations owe. A fixed number of queries."""
    user = request.user
    today = timezone.localdate()
    visible = CheckIn.objects.visible_to(user).owed(today)
    labs = list(Lab.objects.filter(pk__in=visible.values("participation__lab")).order_by("name"))
    lab = next((lab for lab in labs if lab.slug == request.GET.get("lab")), None)
    checkins = visible.filter(participation__lab=lab) if lab else visible
    checkins = (
        checkins.select_related("participation__lab", "participation__organization")
        .annotate(
            last_reminder_at=Max(
                "reminders__sent_at", filter=Q(reminders__state=ReminderState.SENT)
            )
        )
        .order_by("due_on", "participation__organization__name", "pk")
    )
    page = Paginator(checkins, BOARD_PER_PAGE).get_page(request.GET.get("page"))
    rows = [c.at(c.participation.lab.today()) for c in page.object_list]
    context = {
        "labs": labs,
        "lab": lab,
        "page": page,
        "rows": rows,
        "manages_any": user.is_staff or user.facilitated_labs.exists(),
        "question": CheckInStatus.QUESTION,
    }
    return render(request, "checkins/board.html", context)
