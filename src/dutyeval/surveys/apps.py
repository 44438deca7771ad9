from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dutyeval.surveys"
    verbose_name = "满意度调查"
    default_auto_field = "django.db.models.BigAutoField"
