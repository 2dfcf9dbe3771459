from django.contrib import admin

from participants.models import (
    AgreementSignature,
    ClientGroup,
    ExpressionOfInterest,
    Invitation,
    Membership,
    Organization,
    Participation,
    ParticipationEvent,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state", "active_mentors", "active_mentees"]
    search_fields = ["name", "city"]
    filter_horizontal = ["client_groups"]
    inlines = [MembershipInline]


@admin.register(ClientGroup)
class ClientGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class ParticipationEventInline(admin.TabularInline):
    model = ParticipationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    # Status changes go through the app's workflow so each one is recorded.
    list_display = ["organization", "lab", "status"]
    list_filter = ["status", "lab"]
    list_select_related = ["organization", "lab"]
    readonly_fields = ["status"]
    inlines = [ParticipationEventInline]


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    list_display = ["organization_name", "lab", "contact_email", "status", "created_at"]
    list_filter = ["status", "lab"]
    search_fields = ["organization_name", "contact_email"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organization",
        "lab",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_select_related = ["organization", "lab"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by"]


admin.site.register(AgreementSignature)
