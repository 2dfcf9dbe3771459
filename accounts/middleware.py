import zoneinfo

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show every date and time in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequireMFAMiddleware:
    """Admins and facilitators set up an authenticator app before they do anything else.

    On unless MLL_REQUIRE_MFA is off (the demo and local development turn it off).
    """

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/call/", "/invitations/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MLL_REQUIRE_MFA and self._must_enroll(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enroll(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self.EXEMPT_PREFIXES):
            return False
        privileged = user.is_staff or user.can_create_labs or user.facilitated_labs.exists()
        if not privileged:
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
