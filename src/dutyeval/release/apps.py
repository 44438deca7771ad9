from django.apps import AppConfig


class ReleaseConfig(AppConfig):
    name = "dutyeval.release"
    verbose_name = "结果发布"
    default_auto_field = "django.db.models.BigAutoField"
