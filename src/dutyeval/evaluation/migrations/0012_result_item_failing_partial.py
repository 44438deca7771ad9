from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0011_result_worded")]

    operations = [
        migrations.RemoveIndex(model_name="resultitem", name="result_item_failing"),
        migrations.AddIndex(
            model_name="resultitem",
            index=models.Index(
                condition=models.Q(("failed", True), ("status", "insufficient"), _connector="OR"),
                fields=["code"],
                name="result_item_failing",
            ),
        ),
    ]
