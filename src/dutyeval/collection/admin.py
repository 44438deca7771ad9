from django.contrib import admin

from .models import DataElement, DataValue, ImportAttempt


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area", "unit", "kind", "over_100")
    list_filter = ("area", "kind")
    search_fields = ("code", "name")


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "element", "value", "source", "author", "updated")
    list_filter = ("year", "source")
    search_fields = ("region__name", "region__code", "element__code")
    raw_id_fields = ("region", "element", "author")


@admin.register(ImportAttempt)
class ImportAttemptAdmin(admin.ModelAdmin):
    list_display = ("created", "region", "year", "filename", "ok", "written")
