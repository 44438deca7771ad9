from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "dutyeval.fieldwork"
    verbose_name = "实地核查"
    default_auto_field = "django.db.models.BigAutoField"
