"""The people side of meetings: attendance, guests and their private RSVP link, the discussion
thread and attachments. The meeting page itself (views.py) shows these through `detail_context`
and the `_*_section.html` partials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from labs.access import get_lab_for_user
from labs.models import Lab
from meetings import services
from meetings.access import (
    get_attachment_for_user,
    get_guest_by_token,
    get_guest_for_facilitator,
    get_meeting_for_user,
)
from meetings.forms_people import AttachmentForm, AttendanceForm, GuestForm, PostForm
from meetings.models import (
    Attendance,
    AttendanceStatus,
    GuestResponse,
    Meeting,
)
from meetings.services import CURRENT, MeetingError
from mll.downloads import serve_private_file
from participants.models import Membership, Organization

RECENT_MEETINGS = 12


def _back_to(meeting: Meeting, section: str = ""):
    return redirect(f"{meeting.get_absolute_url()}{'#' + section if section else ''}")


# --- The meeting page's sections ----------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    expected: int
    recorded: int
    in_person: int
    remote: int
    excused: int
    absent: int

    @property
    def present(self) -> int:
        return self.in_person + self.remote

    @property
    def not_recorded(self) -> int:
        return max(self.expected - self.recorded, 0)


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    counts = meeting.attendance.aggregate(
        recorded=Count("pk"),
        **{
            status: Count("pk", filter=Q(status=status))
            for status in (
                AttendanceStatus.IN_PERSON,
                AttendanceStatus.REMOTE,
                AttendanceStatus.EXCUSED,
                AttendanceStatus.ABSENT,
            )
        },
    )
    expected = services.expected_memberships(meeting).values("user_id").distinct().count()
    return AttendanceSummary(expected=expected, **counts)


def _posts(meeting: Meeting) -> list:
    """The discussion, each post with its author's organization(s) in this lab."""
    lab_memberships = (
        Membership.objects.filter(
            organization__participations__lab_id=meeting.lab_id,
            organization__participations__status__in=CURRENT,
        )
        .select_related("organization")
        .order_by("organization__name")
    )
    posts = list(
        meeting.posts.select_related("author").prefetch_related(
            Prefetch("author__memberships", queryset=lab_memberships, to_attr="lab_memberships")
        )
    )
    if posts:
        facilitators = set(meeting.lab.facilitators.values_list("pk", flat=True))
        for post in posts:
            orgs = [m.organization.name for m in post.author.lab_memberships]
            if orgs:
                post.author_org = ", ".join(dict.fromkeys(orgs))
            elif post.author_id in facilitators:
                post.author_org = "Facilitator"
            elif post.author.is_staff:
                post.author_org = "MLL staff"
            else:
                post.author_org = ""
    return posts


def detail_context(request, meeting: Meeting, manages: bool) -> dict:
    """What the attendance, guests, discussion and attachments partials need, in a fixed
    number of queries however many posts, guests and files the meeting has."""
    guests = list(meeting.guests.select_related("organization")) if meeting.takes_guests else []
    open_ = not meeting.is_cancelled
    return {
        "meeting": meeting,
        "lab": meeting.lab,
        "manages": manages,
        "posts": _posts(meeting),
        # Own id prefixes: these forms share the page with the meeting's other sections.
        "post_form": PostForm(auto_id="post_%s") if open_ else None,
        "guests": guests,
        "guests_coming": sum(g.response == GuestResponse.YES for g in guests),
        "guests_declined": sum(g.response == GuestResponse.NO for g in guests),
        "guest_form": (
            GuestForm(meeting=meeting, auto_id="guest_%s")
            if manages and meeting.takes_guests and open_
            else None
        ),
        "attachments": list(meeting.attachments.all()),
        "attachment_form": AttachmentForm(auto_id="attachment_%s") if manages else None,
        "attendance_summary": attendance_summary(meeting) if manages else None,
    }


# --- Attendance ---------------------------------------------------------------------------------


@login_required
def attendance(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        memberships=services.expected_memberships(meeting),
        records=meeting.attendance.all(),
    )
    if request.method == "POST" and meeting.is_cancelled:
        messages.error(request, "This meeting was cancelled; there is no attendance to record.")
        return _back_to(meeting)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.attendance_record(
                meeting=meeting, statuses=form.statuses(), recorded_by=request.user
            )
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Attendance saved: {saved} of {len(form.memberships)}.")
            return _back_to(meeting, "attendance")
    context = {"lab": meeting.lab, "meeting": meeting, "form": form}
    return render(request, "meetings/attendance_form.html", context)


@dataclass(frozen=True)
class AttendanceCell:
    present: int
    recorded: int
    expected: int


def attendance_matrix(lab: Lab, *, limit: int = RECENT_MEETINGS):
    """Recent meetings × participating organizations: who came, out of whom. Four queries."""
    meetings = list(
        lab.meetings.scheduled()
        .filter(starts_at__lte=timezone.now())
        .select_related("organization")
        .order_by("-starts_at", "-pk")[:limit]
    )
    orgs = list(
        Organization.objects.filter(participations__lab=lab, participations__status__in=CURRENT)
        .annotate(
            members=Count("memberships", filter=Q(memberships__user__is_active=True), distinct=True)
        )
        .order_by("name")
    )
    counts = {
        (row["meeting_id"], row["organization_id"]): row
        for row in Attendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .values("meeting_id", "organization_id")
        .annotate(
            recorded=Count("pk"),
            present=Count("pk", filter=Q(status__in=AttendanceStatus.present())),
        )
        .order_by()
    }
    rows = []
    for meeting in meetings:
        cells = []
        for org in orgs:
            if meeting.organization_id and meeting.organization_id != org.pk:
                cells.append(None)  # another organization's 1:1 session
                continue
            row = counts.get((meeting.pk, org.pk), {"recorded": 0, "present": 0})
            cells.append(
                AttendanceCell(
                    present=row["present"],
                    recorded=row["recorded"],
                    expected=max(org.members, row["recorded"]),
                )
            )
        rows.append((meeting, cells))
    return orgs, rows


@login_required
def lab_attendance(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    overall, per_org = services.attendance_rates(lab)
    orgs, rows = attendance_matrix(lab)
    context = {
        "lab": lab,
        "manages": True,
        "overall": overall,
        "per_org": per_org,
        "orgs": orgs,
        "rows": rows,
        "recent": RECENT_MEETINGS,
    }
    return render(request, "meetings/lab_attendance.html", context)


# --- Guests -------------------------------------------------------------------------------------


@login_required
def guest_add(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    form = GuestForm(request.POST if request.method == "POST" else None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        guest = form.save(commit=False)
        guest.meeting = meeting
        try:
            services.guest_invite(guest=guest, invited_by=request.user)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{guest.name} is invited; the invitation is on its way.")
            return _back_to(meeting, "guests")
    context = {"lab": meeting.lab, "meeting": meeting, "form": form}
    return render(request, "meetings/guest_form.html", context)


@require_POST
@login_required
def guest_remove(request, slug, pk, guest_pk):
    guest = get_guest_for_facilitator(request.user, slug, pk, guest_pk)
    services.guest_remove(guest=guest)
    messages.success(request, f"{guest.name} is no longer on the guest list.")
    return _back_to(guest.meeting, "guests")


def rsvp(request, token):
    """A guest's private page: only what they need to come, and yes/no. No account."""
    guest = get_guest_by_token(token)
    meeting = guest.meeting
    if request.method == "POST":
        answer = request.POST.get("answer")
        if meeting.is_cancelled:
            messages.error(request, "This meeting was cancelled; there is nothing to answer.")
        elif answer in ("yes", "no"):
            services.guest_respond(guest=guest, coming=answer == "yes")
            messages.success(
                request,
                "Thank you, we'll see you there."
                if answer == "yes"
                else "Thank you for letting us know.",
            )
        return redirect("meetings:rsvp", token)
    # Only these fields reach the template: nothing else of the meeting or the lab.
    context = {
        "guest_name": guest.name,
        "response": guest.response,
        "response_display": guest.get_response_display(),
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "time_zone": meeting.lab.time_zone,
        "format": meeting.get_format_display(),
        "location": meeting.location,
        "video_url": meeting.video_url,
        "agenda": list(meeting.agenda_items.values_list("title", flat=True)),
        "cancelled": meeting.is_cancelled,
    }
    response = render(request, "meetings/rsvp.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    # The token is in the URL: the site-wide "same-origin" referrer policy keeps it from the
    # video link's host ("no-referrer" would make the browser send Origin: null and fail CSRF).
    return response


# --- Discussion ---------------------------------------------------------------------------------


@require_POST
@login_required
def post_create(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            services.post_create(
                meeting=meeting, author=request.user, body=form.cleaned_data["body"]
            )
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your post is up.")
        return _back_to(meeting, "discussion")
    context = {"lab": meeting.lab, "meeting": meeting, "form": form}
    return render(request, "meetings/people/post_form.html", context)


# --- Attachments --------------------------------------------------------------------------------


@login_required
def attachment_upload(request, slug, pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    # A POST with no file at all is still a submission: bind it so it says what's missing.
    bound = request.method == "POST"
    form = AttachmentForm(request.POST, request.FILES) if bound else AttachmentForm()
    if request.method == "POST" and form.is_valid():
        attachment = form.save(commit=False)
        attachment.meeting = meeting
        attachment.uploaded_by = request.user
        attachment.save()
        messages.success(request, f"{attachment.name} is attached.")
        return _back_to(meeting, "attachments")
    context = {"lab": meeting.lab, "meeting": meeting, "form": form}
    return render(request, "meetings/people/attachment_form.html", context)


@login_required
def attachment_download(request, slug, pk, attachment_pk):
    attachment = get_attachment_for_user(request.user, slug, pk, attachment_pk)
    return serve_private_file(attachment.file, download_name=PurePath(attachment.name).stem)


@require_POST
@login_required
def attachment_delete(request, slug, pk, attachment_pk):
    meeting = get_meeting_for_user(request.user, slug, pk, manage=True)
    attachment = get_object_or_404(meeting.attachments, pk=attachment_pk)
    stored = attachment.file
    attachment.delete()
    # The file goes once the row is surely gone.
    transaction.on_commit(lambda: stored.storage.delete(stored.name))
    messages.success(request, f"{attachment.name} is removed.")
    return _back_to(meeting, "attachments")
