from django.contrib import admin

from .models import Expert, Panel, PanelMember


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("user", "home", "unit", "active")
    list_filter = ("active",)
    search_fields = ("user__username", "user__display_name", "unit")


class MemberInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    readonly_fields = ("reviewer", "role", "signed_off_at", "assigned_by")
    can_delete = False


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    """Read-only: panels change through the 评审分组 page, which records every change with its reason."""

    list_display = ("submission", "reconciled_at", "decided_at")
    inlines = [MemberInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
