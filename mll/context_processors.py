def navigation(request):
    """The signed-in person's organizations for the menu, in one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_memberships": user.memberships.select_related("organization")}
