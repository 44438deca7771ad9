from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0010_rerank_stored_results")]

    operations = [
        migrations.AddField(
            model_name="result",
            name="worded",
            field=models.BooleanField(default=True, verbose_name="已生成说明"),
        ),
    ]
