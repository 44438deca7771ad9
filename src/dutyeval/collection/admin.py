from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import DataElement, DataValue, ImportAttempt
from .services import Conflict, ValidationFailed, YearClosed, correct_values, validate, values_for


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area", "unit", "kind", "over_100")
    list_filter = ("area", "kind")
    search_fields = ("code", "name")


class DataValueForm(forms.ModelForm):
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text=_("必填，记入操作记录"))

    class Meta:
        model = DataValue
        fields = ("element", "region", "year", "value")

    def clean(self):
        data = super().clean()
        inst = self.instance
        element = data.get("element") or getattr(inst, "element", None)
        region = data.get("region") or getattr(inst, "region", None)
        year = data.get("year") or getattr(inst, "year", None)
        if element is None or region is None or year is None or data.get("value") is None:
            return data
        existing = values_for(region, year)
        _, errors, _ = validate({element.code: data["value"]}, existing, values_for(region, year - 1))
        if errors:
            raise forms.ValidationError([p.reason for p in errors])
        return data

    def validate_unique(self):
        pass  # an existing figure is corrected in place by the service, not duplicated


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    """Edits go through correct_values: validated, audited with the reason, and rescored."""

    form = DataValueForm
    list_display = ("region", "year", "element", "value", "source", "author", "updated")
    list_filter = ("year", "source")
    search_fields = ("region__name", "region__code", "element__code")
    raw_id_fields = ("region", "element")
    actions = None  # no bulk delete around the service

    def get_readonly_fields(self, request, obj=None):
        return ("element", "region", "year") if obj else ()

    def save_model(self, request, obj, form, change):
        try:
            correct_values(obj.region, obj.year, {obj.element.code: obj.value}, user=request.user,
                           reason=form.cleaned_data["reason"])
        except (ValidationFailed, YearClosed, Conflict, PermissionDenied) as exc:
            problems = getattr(exc, "problems", None)
            text = "；".join(p.reason for p in problems) if problems else str(exc)
            self.message_user(request, text, messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        return False  # clear a value through the form (empty value), so the change is on record


@admin.register(ImportAttempt)
class ImportAttemptAdmin(admin.ModelAdmin):
    list_display = ("created", "region", "year", "filename", "ok", "written")
