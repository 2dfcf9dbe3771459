"""Calendar files for one meeting, the private feed, and the page to manage the feed."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from meetings.access import get_meeting_for_user
from meetings.calendar import (
    calendar_feed_get_or_create,
    calendar_feed_renew,
    feed_calendar,
    get_feed_by_token,
    ics_response,
    meeting_calendar,
    meeting_filename,
)


@login_required
@require_GET
def meeting_ics(request, slug: str, pk: int):
    meeting = get_meeting_for_user(request.user, slug, pk)
    method = "CANCEL" if meeting.is_cancelled else "PUBLISH"
    return ics_response(meeting_calendar([meeting], method=method), meeting_filename(meeting))


@require_GET
def feed(request, token: str):
    # No login: calendar apps fetch this on their own. The secret token is the key.
    calendar_feed = get_feed_by_token(token)
    if calendar_feed is None:
        raise Http404
    response = ics_response(feed_calendar(calendar_feed), "mll-meetings.ics")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def feed_settings(request):
    calendar_feed = calendar_feed_get_or_create(user=request.user)
    feed_url = settings.SITE_URL + reverse("meetings:feed", args=[calendar_feed.token])
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    context = {
        "feed_url": feed_url,
        "webcal_url": webcal_url,
        "google_url": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal_url}),
    }
    return render(request, "meetings/feed.html", context)


@login_required
@require_POST
def feed_revoke(request):
    calendar_feed_renew(user=request.user)
    messages.success(
        request,
        "Your calendar feed has a new address. The old one no longer works: "
        "subscribe again with the address below.",
    )
    return redirect("meetings:feed_settings")
