from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortConfig(AppConfig):
    name = "cohort"
    verbose_name = _("Sessions de promotion")

    def ready(self):
        from cohort.jobs import call_jobs, session_jobs
        from cohort.models import CohortSession
        from lifecycle.models import Call
        from triggers import schedules

        schedules.register_jobs(Call, "call", call_jobs)
        # A session planned, moved or cancelled (here or in the admin): its reminder follows.
        schedules.register_jobs(CohortSession, "session", session_jobs)
