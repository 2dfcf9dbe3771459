# Initiatives, monthly progress, spending, final deliverables and the showcase.
from django.urls import path

from funding import views_deliverables as deliverables
from funding import views_initiatives as initiatives

lab = "labs/<slug:slug>/"
one = f"{lab}initiatives/<int:pk>/"

urlpatterns: list = [
    path(f"{lab}initiatives/", initiatives.initiatives, name="initiatives"),
    path(one, initiatives.initiative, name="initiative"),
    path(f"{one}updates/new/", initiatives.update_create, name="update_create"),
    path(f"{one}updates/<int:update_pk>/", initiatives.update, name="update"),
    path(f"{one}updates/<int:update_pk>/edit/", initiatives.update_edit, name="update_edit"),
    path(f"{one}updates/<int:update_pk>/reply/", initiatives.update_reply, name="update_reply"),
    path(f"{one}deliverable/", deliverables.deliverable, name="deliverable"),
    path(f"{one}deliverable/edit/", deliverables.deliverable_edit, name="deliverable_edit"),
    path(f"{one}deliverable/submit/", deliverables.deliverable_submit, name="deliverable_submit"),
    path(f"{one}deliverable/decide/", deliverables.deliverable_decide, name="deliverable_decide"),
    path(
        f"{one}deliverable/publish/", deliverables.deliverable_publish, name="deliverable_publish"
    ),
    path(
        f"{one}deliverable/files/<int:attachment_pk>/",
        deliverables.deliverable_attachment,
        name="deliverable_attachment",
    ),
    path(
        f"{one}deliverable/files/<int:attachment_pk>/delete/",
        deliverables.deliverable_attachment_delete,
        name="deliverable_attachment_delete",
    ),
    path(f"{lab}showcase/", deliverables.showcase, name="showcase"),
    path("call/<slug:slug>/showcase/", deliverables.public_showcase, name="public_showcase"),
]
