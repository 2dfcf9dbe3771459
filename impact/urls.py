from django.urls import path

from impact import views

app_name = "impact"

urlpatterns = [
    path("impact/", views.report, name="report"),
    path("impact/export.csv", views.export_csv, name="export_csv"),
    path("impact/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("labs/<slug:slug>/impact/", views.mine, name="mine"),
    path(
        "labs/<slug:slug>/impact/<int:participation_pk>/",
        views.organization,
        name="organization",
    ),
]
