from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "dutyeval.panels"
    verbose_name = "评审组"
    default_auto_field = "django.db.models.BigAutoField"
