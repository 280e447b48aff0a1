from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Appel à candidatures")

    def ready(self):
        from lifecycle.models import Call
        from recruitment import receivers  # noqa: F401  (publishes a challenge selected while open)
        from recruitment.jobs import call_jobs
        from triggers import schedules

        schedules.register_jobs(Call, "call", call_jobs)
