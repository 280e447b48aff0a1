from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_migrate

        from notifications import receivers  # noqa: F401  (connects to the lifecycle's hooks)
        from notifications.schedules import ensure_sweep

        post_migrate.connect(ensure_sweep, sender=self)
