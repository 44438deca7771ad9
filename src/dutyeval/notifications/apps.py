from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dutyeval.notifications"
    verbose_name = _("消息提醒")
    default_auto_field = "django.db.models.BigAutoField"
