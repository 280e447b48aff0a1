"""Ship the default templates as rows, so managers edit them in place."""

from django.db import migrations


def seed(apps, schema_editor):
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (event, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            event=event, language=language, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
