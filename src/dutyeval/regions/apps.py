from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "dutyeval.regions"
    verbose_name = _("行政区划与学校")
    default_auto_field = "django.db.models.BigAutoField"
