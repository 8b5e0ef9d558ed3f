"""Member counts by age band of the day (fewer rows than by birth year), flows also by month.

The kept counts are a cache of the register: they are emptied here and rebuilt on the next read.
"""

from django.db import migrations, models


def forget_kept_counts(apps, schema_editor):
    for name in ("MemberTally", "FlowTally", "TransferTally", "TallyDay"):
        apps.get_model("reports", name).objects.all().delete()
    apps.get_model("reports", "TallyState").objects.exclude(name="lock").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_stale_mark_triggers")]

    operations = [
        migrations.RunPython(forget_kept_counts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="membertally", name="birth_year"),
        migrations.RemoveField(model_name="membertally", name="card"),
        migrations.RemoveField(model_name="membertally", name="honorary"),
        migrations.AddField(
            model_name="membertally",
            name="band",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membertally", name="age_sum", field=models.BigIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="membertally", name="card", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="membertally", name="honorary", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(model_name="flowtally", name="month", field=models.BooleanField(default=False)),
        migrations.RemoveIndex(model_name="flowtally", name="reports_flowtally_day_idx"),
        migrations.AddIndex(
            model_name="flowtally",
            index=models.Index(fields=["month", "day", "tally"], name="reports_flowtally_day_idx"),
        ),
    ]
