from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriggersConfig(AppConfig):
    name = "triggers"
    verbose_name = _("Tâches planifiées")

    def ready(self):
        from django.db.models.signals import post_migrate

        from triggers.schedules import ensure_periodic

        post_migrate.connect(ensure_periodic, sender=self, dispatch_uid="triggers.ensure_periodic")
