from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriggersConfig(AppConfig):
    name = "triggers"
    verbose_name = _("Déclencheurs planifiés")

    def ready(self):
        from django.db.models.signals import post_migrate

        from triggers import receivers  # noqa: F401  (a call's dates move its jobs)
        from triggers.schedules import ensure_sync

        post_migrate.connect(ensure_sync, sender=self)
