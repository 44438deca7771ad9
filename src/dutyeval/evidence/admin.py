from django.contrib import admin

from .models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("filename", "submission", "indicator", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("filename", "sha256", "submission__region__name", "submission__region__code")
    raw_id_fields = ("submission", "indicator", "uploaded_by")
    # files are added and removed only through evidence.services (checked, audited, file on disk kept in step)
    readonly_fields = [f.name for f in Evidence._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
