from django.contrib import admin

from .models import Region, School, SchoolYearRecord


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "county")
    list_filter = ("type",)
    search_fields = ("code", "name", "county__name")
    raw_id_fields = ("county",)


@admin.register(SchoolYearRecord)
class SchoolYearRecordAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "level", "students")
    list_filter = ("year", "level")
    raw_id_fields = ("school",)
