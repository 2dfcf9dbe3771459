from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mll.health import healthz

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "MLL administration"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("", include("participants.urls")),
    path("", include("meetings.urls")),
    path("", include("funding.urls")),
    path("", include("checkins.urls")),
    path("", include("impact.urls")),
    path("", include("labs.urls")),
]
