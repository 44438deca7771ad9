from django.contrib import admin

from .models import Indicator, Scheme


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("code", "title", "points", "rule_kind", "assumed")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "version", "doc_number", "year", "frozen_at")
    readonly_fields = ("fingerprint", "frozen_at", "definition")
    inlines = [IndicatorInline]
