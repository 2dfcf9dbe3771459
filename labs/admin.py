from django.contrib import admin

from labs.models import Lab, LiteratureSource, Milestone


class LiteratureSourceInline(admin.TabularInline):
    model = LiteratureSource
    extra = 0


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "start_date", "funding_pool", "currency", "call_is_published"]
    search_fields = ["name", "city"]
    filter_horizontal = ["facilitators"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LiteratureSourceInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "lab", "phase", "due_date", "completed_at"]
    list_filter = ["phase", "lab"]
    list_select_related = ["lab"]
