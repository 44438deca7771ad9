from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "dutyeval.audit"
    verbose_name = _("审计日志")
    default_auto_field = "django.db.models.BigAutoField"
