from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class DutyUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "region__name", "region__code")
    autocomplete_fields = ("region",)
    fieldsets = UserAdmin.fieldsets + (("履职评价", {"fields": ("display_name", "role", "region")}),)
