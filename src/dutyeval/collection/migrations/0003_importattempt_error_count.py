from django.db import migrations, models


def count_and_cap(apps, schema_editor):
    """Existing attempts may hold a million errors in one row: count them, keep the first thousand."""
    ImportAttempt = apps.get_model("collection", "ImportAttempt")
    for pk in ImportAttempt.objects.values_list("pk", flat=True).iterator():
        attempt = ImportAttempt.objects.only("errors", "warnings").get(pk=pk)
        errors = attempt.errors or []
        ImportAttempt.objects.filter(pk=pk).update(
            error_count=len(errors), errors=errors[:1000], warnings=(attempt.warnings or [])[:1000]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0002_value_source_corrected"),
    ]

    operations = [
        migrations.AddField(
            model_name="importattempt",
            name="error_count",
            field=models.PositiveIntegerField(default=0, verbose_name="错误数"),
        ),
        migrations.RunPython(count_and_cap, migrations.RunPython.noop),
    ]
