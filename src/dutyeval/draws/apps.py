from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "dutyeval.draws"
    verbose_name = "抽签"
    default_auto_field = "django.db.models.BigAutoField"
