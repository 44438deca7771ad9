from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemesConfig(AppConfig):
    name = "dutyeval.schemes"
    verbose_name = _("评价方案")
    default_auto_field = "django.db.models.BigAutoField"
