"""Ranks stored before the official order existed (complete reviews only, capped grade first, ties
sharing a rank) are redone from the stored totals at upgrade, not at the cycle's next recompute."""

from types import SimpleNamespace

from django.db import migrations


def rerank_all(apps, schema_editor):
    from dutyeval.evaluation.recompute import rerank  # one SQL statement on the tables, no model code

    Cycle = apps.get_model("evaluation", "Cycle")
    for cycle in Cycle.objects.select_related("scheme"):
        rerank(SimpleNamespace(pk=cycle.pk, scheme=SimpleNamespace(grade_bands=cycle.scheme.grade_bands)))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0009_result_item_write_cost")]

    operations = [migrations.RunPython(rerank_all, migrations.RunPython.noop)]
