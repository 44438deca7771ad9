from django.contrib import admin

from .models import Assignment, Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "region__name", "region__code"]
    raw_id_fields = ["region"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "department", "submission"]
    list_filter = ["kind"]
    raw_id_fields = ["submission", "department"]
