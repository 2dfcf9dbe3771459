from django.contrib import admin

from meetings.models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Guest,
    Meeting,
    Post,
    Reminder,
)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "presenter", "minutes"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "lab", "kind", "starts_at", "format", "status", "organization"]
    list_filter = ["kind", "status", "format", "lab"]
    list_select_related = ["lab", "organization"]
    search_fields = ["title", "topic", "lab__name", "organization__name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["created_by"]
    readonly_fields = [
        "uid",
        "sequence",
        "series_month",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    inlines = [AgendaItemInline]


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "role", "meeting", "response", "responded_at"]
    list_filter = ["response", "role"]
    list_select_related = ["meeting"]
    search_fields = ["name", "email", "meeting__title"]
    raw_id_fields = ["meeting", "organization", "invited_by"]
    # The token's hash is useless to people and must not be edited.
    exclude = ["token_hash"]
    readonly_fields = ["responded_at", "created_at"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "meeting", "status", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["user", "organization", "meeting"]
    search_fields = ["user__email", "user__name", "meeting__title", "organization__name"]
    raw_id_fields = ["meeting", "user", "organization", "recorded_by"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["author", "meeting", "created_at"]
    list_select_related = ["author", "meeting"]
    search_fields = ["body", "author__email", "meeting__title"]
    raw_id_fields = ["meeting", "author"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """A record of what went out: the claims are the exactly-once guarantee, so hands off."""

    list_display = ["meeting", "user", "guest", "starts_at", "state", "claimed_at", "sent_at"]
    list_filter = ["state"]
    list_select_related = ["meeting", "user", "guest"]
    search_fields = ["meeting__title", "user__email", "guest__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__name"]
    # The token is the feed's password: revoking (a new token) happens on the person's page.
    exclude = ["token"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False
