from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "dutyeval.schemes"
    default_auto_field = "django.db.models.BigAutoField"
