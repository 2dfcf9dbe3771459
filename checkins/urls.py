from django.urls import path

from checkins import views

app_name = "checkins"

urlpatterns = [
    path("checkins/", views.board, name="board"),
    path("labs/<slug:slug>/checkins/", views.lab_checkins, name="lab"),
    path("labs/<slug:slug>/checkins/<int:pk>/", views.checkin_detail, name="detail"),
    path("labs/<slug:slug>/checkins/<int:pk>/edit/", views.checkin_edit, name="edit"),
    path(
        "labs/<slug:slug>/checkins/<int:pk>/question/",
        views.checkin_question,
        name="question",
    ),
    path(
        "labs/<slug:slug>/checkins/<int:pk>/acknowledge/",
        views.checkin_acknowledge,
        name="acknowledge",
    ),
]
