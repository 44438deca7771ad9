from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dutyeval.rectification"
    verbose_name = "问题整改"
    default_auto_field = "django.db.models.BigAutoField"
