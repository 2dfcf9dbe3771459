from django.urls import path

from participants import views

app_name = "participants"

lab = "labs/<slug:slug>/"

urlpatterns = [
    path("call/<slug:slug>/", views.public_call, name="call"),
    path("call/<slug:slug>/thanks/", views.public_call_thanks, name="call_thanks"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path(f"{lab}interest/", views.interest_list, name="interest_list"),
    path(f"{lab}interest/<int:pk>/", views.interest_detail, name="interest_detail"),
    path(
        f"{lab}interest/<int:pk>/<str:decision>/",
        views.interest_review,
        name="interest_review",
    ),
    path(f"{lab}participants/", views.participant_list, name="list"),
    path(f"{lab}participants/invite/", views.participant_invite, name="invite"),
    path(f"{lab}participants/<int:pk>/", views.participation_detail, name="participation"),
    path(
        f"{lab}participants/<int:pk>/contract/",
        views.participation_contract,
        name="contract",
    ),
    path(
        f"{lab}participants/<int:participation_pk>/signatures/<int:pk>/file/",
        views.signature_file,
        name="signature_file",
    ),
    path(
        f"{lab}participants/<int:pk>/<str:action>/",
        views.participation_transition,
        name="transition",
    ),
    path(f"{lab}agreement/sign/", views.agreement_sign, name="sign"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
