from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortConfig(AppConfig):
    name = "cohort"
    verbose_name = _("Sessions de promotion")

    def ready(self):
        from cohort import receivers  # noqa: F401  (a session's changes move its reminder)
