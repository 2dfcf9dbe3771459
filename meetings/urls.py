from django.urls import path

from meetings import views

app_name = "meetings"

MEETINGS = "labs/<slug:slug>/meetings/"

urlpatterns = [
    path(MEETINGS, views.meeting_list, name="list"),
    path(f"{MEETINGS}<int:year>/<int:month>/", views.meeting_month, name="month"),
    path(f"{MEETINGS}new/", views.meeting_create, name="create"),
    path(f"{MEETINGS}series/", views.series, name="series"),
    path(f"{MEETINGS}<int:pk>/", views.meeting_detail, name="detail"),
    path(f"{MEETINGS}<int:pk>/edit/", views.meeting_edit, name="edit"),
    path(f"{MEETINGS}<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path(f"{MEETINGS}<int:pk>/notes/", views.meeting_notes, name="notes"),
]

from meetings import urls_calendar, urls_people  # noqa: E402

urlpatterns += urls_calendar.urlpatterns + urls_people.urlpatterns
