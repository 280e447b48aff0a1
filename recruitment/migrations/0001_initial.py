"""RecruitmentClosure, taken over from the triggers app (triggers 0002 renamed its table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("lifecycle", "0002_audit_event_append_only"),
        ("triggers", "0002_recruitment_closure_leaves_for_recruitment"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecruitmentClosure",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("closes_at", models.DateTimeField(verbose_name="clôture prévue par le calendrier")),
                        ("recorded_at", models.DateTimeField(verbose_name="clôture enregistrée le")),
                        (
                            "call",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recruitment_closures",
                                to="lifecycle.call",
                                verbose_name="appel à projets",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "clôture de l’appel à candidatures",
                        "verbose_name_plural": "clôtures des appels à candidatures",
                        "ordering": ["call", "closes_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("call", "closes_at"), name="recruitment_closed_once_per_closing"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
