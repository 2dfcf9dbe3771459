"""Funding in the admin: for looking things up and fixing typos. Statuses, awards and the
audit trail are read-only here: they change only through the workflows in funding.services,
which guard each transition, keep the pool invariant and record who did what."""

from django.contrib import admin

from funding.models import (
    Application,
    ApplicationAttachment,
    ApplicationEvent,
    ApplicationVersion,
    AreaComment,
    Award,
    BudgetLine,
    Deliverable,
    DeliverableEvent,
    Disbursement,
    FundingReminder,
    FundingRound,
    InterventionArea,
    ProgressUpdate,
    Review,
    ReviewScore,
    RubricCriterion,
    SuccessMetric,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AreaCommentInline(admin.TabularInline):
    model = AreaComment
    extra = 0
    fields = ["author", "body", "feasibility", "fits_funding", "on_revision", "created_at"]
    readonly_fields = ["author", "on_revision", "created_at"]


@admin.register(InterventionArea)
class InterventionAreaAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "lab", "revision", "updated_at"]
    list_filter = ["lab"]
    list_select_related = ["organization", "lab"]
    search_fields = ["title", "organization__name", "weakness", "idea"]
    raw_id_fields = ["author"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [AreaCommentInline]


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ["position", "name", "description", "max_score"]


@admin.register(FundingRound)
class FundingRoundAdmin(admin.ModelAdmin):
    list_display = ["lab", "opens_on", "deadline", "max_award"]
    list_select_related = ["lab"]
    search_fields = ["lab__name"]
    inlines = [RubricCriterionInline]


class SuccessMetricInline(admin.TabularInline):
    model = SuccessMetric
    extra = 0
    fields = ["position", "name", "unit", "baseline", "target"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ["position", "category", "description", "amount"]


class AttachmentInline(ReadOnlyInline):
    model = ApplicationAttachment
    fields = ["name", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = ApplicationVersion
    fields = ["number", "submitted_by", "submitted_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["created_at", "from_status", "to_status", "actor", "message"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "round", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "round__lab"]
    list_select_related = ["organization", "round__lab"]
    search_fields = ["title", "organization__name", "round__lab__name"]
    raw_id_fields = ["round", "organization", "intervention_area", "created_by"]
    readonly_fields = [
        "status",
        "submitted_at",
        "decided_at",
        "decision_message",
        "created_at",
        "updated_at",
    ]
    inlines = [SuccessMetricInline, BudgetLineInline, AttachmentInline, VersionInline, EventInline]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    fields = ["criterion", "score", "note"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "version", "reviewer", "updated_at"]
    list_select_related = ["application", "version", "reviewer"]
    search_fields = ["application__title", "application__organization__name", "reviewer__email"]
    raw_id_fields = ["application", "version", "reviewer"]
    inlines = [ReviewScoreInline]


class DisbursementInline(admin.TabularInline):
    model = Disbursement
    extra = 0
    fields = ["planned_on", "amount", "status", "paid_on", "recorded_by"]
    readonly_fields = ["status", "paid_on", "recorded_by"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["application", "lab", "amount", "approved_by", "approved_at"]
    list_filter = ["lab"]
    list_select_related = ["application__organization", "lab", "approved_by"]
    search_fields = ["application__title", "application__organization__name"]
    # The amount is checked against the pool when approving; it isn't edited here.
    readonly_fields = ["application", "lab", "amount", "approved_by", "approved_at"]
    inlines = [DisbursementInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["application", "month", "author", "updated_at"]
    list_select_related = ["application__organization", "author"]
    search_fields = ["application__title", "application__organization__name"]
    raw_id_fields = ["application", "author"]
    date_hierarchy = "month"


class DeliverableEventInline(ReadOnlyInline):
    model = DeliverableEvent
    fields = ["created_at", "from_status", "to_status", "actor", "message"]
    readonly_fields = fields


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["application", "status", "submitted_at", "accepted_at", "on_public_page"]
    list_filter = ["status", "on_public_page"]
    list_select_related = ["application__organization"]
    search_fields = ["application__title", "application__organization__name"]
    raw_id_fields = ["application"]
    readonly_fields = ["status", "submitted_at", "accepted_at", "created_at", "updated_at"]
    inlines = [DeliverableEventInline]


@admin.register(FundingReminder)
class FundingReminderAdmin(admin.ModelAdmin):
    list_display = ["application", "key", "claimed_at", "sent_at"]
    list_select_related = ["application__organization"]
    search_fields = ["key", "application__organization__name"]
    readonly_fields = ["application", "key", "claimed_at", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False
