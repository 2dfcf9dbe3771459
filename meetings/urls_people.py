"""Attendance, guests and their RSVP link, the discussion and attachments.

A plain list: meetings/urls.py adds it to the `meetings` namespace."""

from django.urls import path

from meetings import views_people as views

meeting = "labs/<slug:slug>/meetings/<int:pk>/"

urlpatterns = [
    path("labs/<slug:slug>/meetings/attendance/", views.lab_attendance, name="lab_attendance"),
    path(f"{meeting}attendance/", views.attendance, name="attendance"),
    path(f"{meeting}guests/add/", views.guest_add, name="guest_add"),
    path(f"{meeting}guests/<int:guest_pk>/remove/", views.guest_remove, name="guest_remove"),
    path("meetings/rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path(f"{meeting}posts/", views.post_create, name="post_create"),
    path(f"{meeting}attachments/add/", views.attachment_upload, name="attachment_upload"),
    path(
        f"{meeting}attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        f"{meeting}attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
