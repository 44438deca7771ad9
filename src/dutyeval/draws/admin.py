from django.contrib import admin

from .models import Draw, DrawRecord, PublicInput


class ReadOnly(admin.ModelAdmin):
    """Draws change only through services.py (with an audit record); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Draw)
class DrawAdmin(ReadOnly):
    list_display = ("title", "cycle", "kind", "state", "published_at")
    list_filter = ("state", "kind")
    exclude = ("secret",)


admin.site.register(PublicInput, ReadOnly)
admin.site.register(DrawRecord, ReadOnly)
