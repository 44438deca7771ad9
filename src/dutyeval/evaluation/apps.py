from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_values_changed(sender, region, year, **kwargs):
    from .models import HISTORY_YEARS, Cycle
    from .recompute import schedule_recompute

    cycles = Cycle.objects.filter(
        submissions__region=region, data_year__gte=year, data_year__lte=year + HISTORY_YEARS
    ).distinct()
    for cycle in cycles:
        schedule_recompute(cycle, f"{region.name}{year}年数据变更")


class EvaluationConfig(AppConfig):
    name = "dutyeval.evaluation"
    verbose_name = _("评价")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from dutyeval.collection.signals import values_changed

        values_changed.connect(_on_values_changed, dispatch_uid="evaluation.recompute")
