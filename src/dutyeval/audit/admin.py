from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read only: the log is append-only (see AuditLog)."""

    list_display = ("created", "label", "actor", "region", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id")
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
