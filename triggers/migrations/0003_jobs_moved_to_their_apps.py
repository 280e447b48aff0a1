"""The dated jobs' tasks moved to the apps they belong to: existing schedules name them there, so a
job due before the next sync runs (and one that ran is not run again)."""

from django.db import migrations

MOVED = {
    "triggers.jobs.open_recruitment": "recruitment.jobs.open_recruitment",
    "triggers.jobs.close_recruitment": "recruitment.jobs.close_recruitment",
    "triggers.jobs.remind_submission_deadline": "notifications.jobs.remind_submission_deadline",
}


def rename(apps, schema_editor, moves):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in moves.items():
        Schedule.objects.filter(func=old).update(func=new)


class Migration(migrations.Migration):
    dependencies = [
        ("triggers", "0002_recruitment_closure_leaves_for_recruitment"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, editor: rename(apps, editor, MOVED),
            lambda apps, editor: rename(apps, editor, {new: old for old, new in MOVED.items()}),
        )
    ]
