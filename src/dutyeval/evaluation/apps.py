from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "dutyeval.evaluation"
    default_auto_field = "django.db.models.BigAutoField"
