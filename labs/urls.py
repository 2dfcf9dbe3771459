from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("", views.home, name="home"),
    path("labs/new/", views.lab_create, name="create"),
    path("labs/<slug:slug>/", views.lab_detail, name="detail"),
    path("labs/<slug:slug>/edit/", views.lab_edit, name="edit"),
    path("labs/<slug:slug>/timeline/", views.lab_timeline, name="timeline"),
    path("labs/<slug:slug>/timeline/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path(
        "labs/<slug:slug>/timeline/<int:pk>/toggle/",
        views.milestone_toggle,
        name="milestone_toggle",
    ),
    path(
        "labs/<slug:slug>/timeline/<int:pk>/move/<str:direction>/",
        views.milestone_move,
        name="milestone_move",
    ),
    path(
        "labs/<slug:slug>/timeline/<int:pk>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("labs/<slug:slug>/agreement/", views.lab_agreement, name="agreement"),
    path("labs/<slug:slug>/agreement/file/", views.lab_agreement_file, name="agreement_file"),
]
