"""Ship the templates of the messages the triggers send (mentor task reminders, cohort sessions)."""

from django.db import migrations

EVENTS = ["mentor_task_overdue", "session_reminder"]


def seed(apps, schema_editor):
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (event, language), (subject, body) in DEFAULTS.items():
        if event in EVENTS:
            MessageTemplate.objects.get_or_create(
                event=event, language=language, defaults={"subject": subject, "body": body}
            )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.filter(event__in=EVENTS).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_message_events_for_triggers")]
    operations = [migrations.RunPython(seed, unseed)]
