from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemarchesConfig(AppConfig):
    name = "demarches"
    verbose_name = _("Démarches simplifiées")

    def ready(self):
        from triggers import schedules

        # The démarches whose sync is scheduled, every hour (demarches.tasks).
        schedules.register_periodic("demarches: sync", "demarches.tasks.sync_scheduled")
