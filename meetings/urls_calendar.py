"""Calendar URLs, added to the `meetings` namespace by meetings/urls.py."""

from django.urls import path

from meetings import views_calendar

urlpatterns = [
    path(
        "labs/<slug:slug>/meetings/<int:pk>/calendar.ics",
        views_calendar.meeting_ics,
        name="ics",
    ),
    path("calendar/<str:token>.ics", views_calendar.feed, name="feed"),
    path("account/calendar/", views_calendar.feed_settings, name="feed_settings"),
    path("account/calendar/revoke/", views_calendar.feed_revoke, name="feed_revoke"),
]
