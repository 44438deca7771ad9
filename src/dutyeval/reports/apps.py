from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "dutyeval.reports"
    verbose_name = _("自评报告")
    default_auto_field = "django.db.models.BigAutoField"
