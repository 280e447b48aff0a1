from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Appel à candidatures")

    def ready(self):
        from django.db.models.signals import post_save

        from lifecycle.models import Call
        from recruitment import (
            call_rules,
            receivers,  # noqa: F401  (publishes a challenge selected while open)
        )
        from recruitment.jobs import call_jobs
        from triggers import schedules

        schedules.register_jobs(Call, "call", call_jobs)
        schedules.register_periodic("recruitment: retention", "recruitment.retention.run", daily=True)
        post_save.connect(
            call_rules.new_call_gets_default_rules, sender=Call, dispatch_uid="recruitment.rules"
        )
