"""The lab calendar (upcoming list and month view), the meeting page, and the facilitator's
forms: schedule, edit, cancel, notes and the monthly series."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.dateparse import parse_date

from labs.access import get_lab_for_user
from labs.models import Lab
from meetings import services
from meetings.access import get_meeting_for_user
from meetings.forms import AgendaFormSet, MeetingForm, NotesForm, agenda_items
from meetings.models import Meeting, MeetingKind
from meetings.services import MeetingError
from meetings.views_people import detail_context

PAST_PER_PAGE = 20


def _lab_meetings(user, lab: Lab):
    return Meeting.objects.visible_to(user).filter(lab=lab).select_related("lab", "organization")


# --- The lab calendar ------------------------------------------------------------------------


@login_required
def meeting_list(request, slug):
    lab = get_lab_for_user(request.user, slug)
    kind = request.GET.get("kind", "")
    meetings = _lab_meetings(request.user, lab)
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    else:
        kind = ""
    now = timezone.now()
    past = meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    today = lab.today()
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "kind": kind,
        "kinds": MeetingKind.choices,
        "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        "past": Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page")),
        "this_month": (today.year, today.month),
    }
    return render(request, "meetings/meeting_list.html", context)


def _first_weekday() -> int:
    """The locale's first day of the week, as Python's calendar counts (Monday is 0)."""
    return (formats.get_format("FIRST_DAY_OF_WEEK") - 1) % 7


@login_required
def meeting_month(request, slug, year, month):
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise Http404
    lab = get_lab_for_user(request.user, slug)
    first_weekday = _first_weekday()
    weeks = calendar.Calendar(first_weekday).monthdatescalendar(year, month)
    grid_start = dt.datetime.combine(weeks[0][0], dt.time(), tzinfo=lab.tz)
    grid_end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time(), tzinfo=lab.tz)
    meetings = _lab_meetings(request.user, lab).filter(
        starts_at__gte=grid_start, starts_at__lt=grid_end
    )
    by_day = defaultdict(list)
    for meeting in meetings:
        by_day[meeting.starts_at.astimezone(lab.tz).date()].append(meeting)
    first = dt.date(year, month, 1)
    context = {
        "lab": lab,
        "manages": lab.is_facilitated_by(request.user),
        "month": first,
        "previous": first - relativedelta(months=1),
        "next": first + relativedelta(months=1),
        "today": lab.today(),
        "weekdays": [calendar.day_name[(first_weekday + i) % 7] for i in range(7)],
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "count": sum(len(ms) for day, ms in by_day.items() if day.month == month),
    }
    return render(request, "meetings/meeting_month.html", context)


# --- One meeting -----------------------------------------------------------------------------


@login_required
def meeting_detail(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk)
    lab = meeting.lab
    manages = lab.is_facilitated_by(request.user)
    agenda = list(meeting.agenda_items.all())
    context = {
        "meeting": meeting,
        "lab": lab,
        "manages": manages,
        "agenda": agenda,
        "agenda_minutes": sum(item.minutes or 0 for item in agenda),
        "viewer_tz": request.user.time_zone if request.user.time_zone != lab.time_zone else "",
        **detail_context(request, meeting, manages),
    }
    return render(request, "meetings/meeting_detail.html", context)


def _create_initial(request, lab: Lab) -> dict:
    starts = dt.datetime.combine(lab.today(), lab.meeting_time)
    initial = {
        "start_time": lab.meeting_time,
        "end_time": (starts + dt.timedelta(minutes=lab.meeting_duration_minutes)).time(),
    }
    try:
        day = parse_date(request.GET.get("date", ""))
    except ValueError:
        day = None
    if day:
        initial["date"] = day
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        initial["kind"] = kind
    return initial


@login_required
def meeting_create(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    meeting = Meeting(lab=lab, format=lab.meeting_format, location=lab.meeting_location)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting, lab=lab, initial=_create_initial(request, lab))
    agenda = AgendaFormSet(data, instance=meeting, prefix="agenda")
    if data is not None and form.is_valid() and agenda.is_valid():
        # One transaction: the invitation goes out after the agenda is saved too.
        with transaction.atomic():
            services.meeting_create(meeting=form.save(commit=False), created_by=request.user)
            services.agenda_save(meeting=meeting, items=agenda_items(agenda)[0])
        invited = services.meeting_attendees(meeting).count()
        messages.success(
            request,
            f"Scheduled “{meeting.title}”. {invited} attendee{'s' if invited != 1 else ''} "
            "will be e-mailed an invitation with the calendar file.",
        )
        return redirect(meeting)
    context = {"lab": lab, "form": form, "agenda": agenda, "manages": True}
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_edit(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    if meeting.is_cancelled:
        messages.error(request, "This meeting is cancelled; it can't be changed.")
        return redirect(meeting)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting, lab=meeting.lab)
    agenda = AgendaFormSet(data, instance=meeting, prefix="agenda")
    if data is not None and form.is_valid() and agenda.is_valid():
        keep, remove = agenda_items(agenda)
        try:
            with transaction.atomic():
                # The agenda is part of the calendar entry's description.
                changed = form.changed_fields + (["agenda"] if agenda.has_changed() else [])
                notified = services.meeting_update(meeting=form.save(commit=False), changed=changed)
                meeting.agenda_items.filter(pk__in=[item.pk for item in remove]).delete()
                services.agenda_save(meeting=meeting, items=keep)
        except MeetingError as error:
            messages.error(request, str(error))
            return redirect(meeting)
        if notified:
            note = "Attendees will be e-mailed the updated calendar file."
        else:
            note = "Nothing in the calendar entry changed, so no one was e-mailed."
        messages.success(request, f"Saved “{meeting.title}”. {note}")
        return redirect(meeting)
    context = {"lab": meeting.lab, "form": form, "agenda": agenda, "meeting": meeting}
    return render(request, "meetings/meeting_form.html", {**context, "manages": True})


@login_required
def meeting_cancel(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    if request.method == "POST":
        try:
            services.meeting_cancel(meeting=meeting, user=request.user)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Cancelled “{meeting.title}”. Attendees will be e-mailed the cancellation, "
                "which removes it from their calendars.",
            )
        return redirect(meeting)
    context = {"lab": meeting.lab, "meeting": meeting, "manages": True}
    return render(request, "meetings/meeting_cancel.html", context)


@login_required
def meeting_notes(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    form = NotesForm(request.POST if request.method == "POST" else None, instance=meeting)
    if form.is_bound and form.is_valid():
        form.save(commit=False)
        meeting.save(update_fields=["shared_notes", "facilitator_notes", "updated_at"])
        messages.success(request, "Notes saved. The shared notes are on the meeting page.")
        return redirect(f"{meeting.get_absolute_url()}#notes-heading")
    context = {"lab": meeting.lab, "meeting": meeting, "form": form, "manages": True}
    return render(request, "meetings/meeting_notes.html", context)


# --- The monthly series ----------------------------------------------------------------------


@login_required
def series(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    if request.method == "POST":
        created = services.series_create(lab=lab, created_by=request.user)
        if created:
            n = len(created)
            messages.success(
                request,
                f"Planned {n} monthly meeting{'s' if n != 1 else ''}. Attendees will be e-mailed "
                "the series' calendar file.",
            )
        else:
            messages.info(request, "Nothing to add: every month still to come is already planned.")
        return redirect("meetings:list", lab.slug)
    planned = {m.series_month: m for m in lab.meetings.filter(series_month__isnull=False)}
    now = timezone.now()
    rows = [
        (plan, planned.get(plan.month), plan.starts_at <= now) for plan in services.series_plan(lab)
    ]
    context = {
        "lab": lab,
        "manages": True,
        "rows": rows,
        "to_add": sum(1 for _, existing, past in rows if existing is None and not past),
    }
    return render(request, "meetings/series_form.html", context)
