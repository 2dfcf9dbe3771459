from django.contrib import admin

from checkins.models import CheckIn, CheckInEvent, CheckInReminder, CheckInStory, CheckInValue


class ValueInline(admin.TabularInline):
    model = CheckInValue
    extra = 0
    fields = ["standard", "metric", "value"]
    raw_id_fields = ["metric"]


class StoryInline(admin.StackedInline):
    model = CheckInStory
    extra = 0
    fields = ["position", "title", "body", "consent_to_share"]


class EventInline(admin.TabularInline):
    model = CheckInEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "message"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReminderInline(admin.TabularInline):
    model = CheckInReminder
    extra = 0
    fields = ["kind", "send_at", "state", "sent_at", "attempts", "last_error", "recipients"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lab", "months", "due_on", "status", "submitted_at"]
    list_filter = ["status", "months", "participation__lab"]
    list_select_related = ["participation__organization", "participation__lab"]
    search_fields = ["participation__organization__name", "participation__lab__name"]
    date_hierarchy = "due_on"
    raw_id_fields = ["participation", "submitted_by"]
    readonly_fields = [
        "submitted_at",
        "submitted_by",
        "acknowledged_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ValueInline, StoryInline, EventInline, ReminderInline]

    @admin.display(ordering="participation__lab__name")
    def lab(self, obj: CheckIn):
        return obj.participation.lab


@admin.register(CheckInReminder)
class CheckInReminderAdmin(admin.ModelAdmin):
    list_display = ["checkin", "kind", "send_at", "state", "sent_at", "attempts"]
    list_filter = ["state", "kind"]
    list_select_related = ["checkin__participation__organization"]
    raw_id_fields = ["checkin"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error", "recipients"]
