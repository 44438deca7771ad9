from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "dutyeval.departments"
    verbose_name = "责任分工"
    default_auto_field = "django.db.models.BigAutoField"
