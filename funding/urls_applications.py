# Intervention areas, the round, applications, reviews, decisions, awards and disbursements.
# Owned by the applications views; see funding/urls.py.
from django.urls import path

from funding import views_applications as views
from funding import views_areas, views_review

FUNDING = "labs/<slug:slug>/funding/"
AREAS = f"{FUNDING}areas/"
APPLICATION = f"{FUNDING}applications/<int:pk>/"

urlpatterns: list = [
    path(FUNDING, views.overview, name="overview"),
    path(f"{FUNDING}round/", views.round_edit, name="round_edit"),
    # Intervention areas
    path(AREAS, views_areas.areas, name="areas"),
    path(f"{AREAS}new/", views_areas.area_create, name="area_create"),
    path(f"{AREAS}<int:pk>/", views_areas.area, name="area"),
    path(f"{AREAS}<int:pk>/edit/", views_areas.area_edit, name="area_edit"),
    # Applications
    path(f"{FUNDING}applications/start/", views.application_start, name="application_start"),
    path(APPLICATION, views.application, name="application"),
    path(f"{APPLICATION}edit/", views.application_edit, name="application_edit"),
    path(f"{APPLICATION}submit/", views.application_submit, name="application_submit"),
    path(f"{APPLICATION}withdraw/", views.application_withdraw, name="application_withdraw"),
    path(
        f"{APPLICATION}attachments/",
        views.attachment_upload,
        name="application_attachment_upload",
    ),
    path(
        f"{APPLICATION}attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="application_attachment",
    ),
    path(
        f"{APPLICATION}attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="application_attachment_delete",
    ),
    path(f"{APPLICATION}versions/<int:number>/", views_review.version, name="version"),
    # Review, decision and money
    path(f"{APPLICATION}review/", views_review.review, name="review"),
    path(f"{APPLICATION}decide/", views_review.decide, name="decide"),
    path(f"{APPLICATION}disbursements/", views_review.disbursement_plan, name="disbursement_plan"),
    path(
        f"{APPLICATION}disbursements/<int:disbursement_pk>/paid/",
        views_review.disbursement_paid,
        name="disbursement_paid",
    ),
]
