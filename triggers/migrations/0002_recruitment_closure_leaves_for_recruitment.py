"""RecruitmentClosure moves to the recruitment app: its table is renamed, the model leaves this
app's state (recruitment 0001 takes it, without touching the database)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("triggers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("RecruitmentClosure", "recruitment_recruitmentclosure"),
            ],
            state_operations=[
                migrations.DeleteModel("RecruitmentClosure"),
            ],
        ),
    ]
