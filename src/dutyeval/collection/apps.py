from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync(sender, **kwargs):
    from .services import sync_catalogue

    sync_catalogue()


class CollectionConfig(AppConfig):
    name = "dutyeval.collection"
    verbose_name = _("数据采集")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_sync, sender=self)
