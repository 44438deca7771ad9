from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_values_changed(sender, region, year, **kwargs):
    """Queue the recompute of every cycle that reads this region's figures of `year`: as an evaluated
    region, or as a child whose figures its parent's score sums. Only that region is recomputed."""
    from .models import HISTORY_YEARS, Submission
    from .recompute import schedule_recompute

    evaluated = [region.pk] + ([region.parent_id] if region.parent_id else [])
    subs = Submission.objects.filter(
        region_id__in=evaluated, cycle__data_year__gte=year, cycle__data_year__lte=year + HISTORY_YEARS
    ).select_related("cycle", "region")
    for sub in subs:
        schedule_recompute(sub.cycle, f"{region.name}{year}年数据变更", region=sub.region)


class EvaluationConfig(AppConfig):
    name = "dutyeval.evaluation"
    verbose_name = _("评价")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from dutyeval.collection.signals import values_changed

        values_changed.connect(_on_values_changed, dispatch_uid="evaluation.recompute")
        # the balance coefficients reach schemes that score them (catalogue.yaml `derived.balance`)
        from .balance_figures import cycle_balance_figures
        from .recompute import DERIVED_SOURCES

        if cycle_balance_figures not in DERIVED_SOURCES:
            DERIVED_SOURCES.append(cycle_balance_figures)
