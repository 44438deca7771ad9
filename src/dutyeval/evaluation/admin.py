from django.contrib import admin

from .models import Cycle, Submission


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "data_year", "scheme", "root", "deadline")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("region", "cycle", "state", "submitted_at")
    list_filter = ("state", "cycle")
    search_fields = ("region__name", "region__code")
    raw_id_fields = ("region",)
    # the workflow state changes only through evaluation.services (submit / return / accept), audited
    readonly_fields = ("state", "submitted_at", "submitted_by", "return_reason")
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False
