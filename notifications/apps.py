from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from lifecycle.models import Call
        from notifications import receivers  # noqa: F401  (connects to the lifecycle's hooks)
        from notifications.jobs import call_jobs
        from triggers import schedules

        schedules.register_jobs(Call, "call", call_jobs)
        # Sends whatever is due: retries, and anything the broker lost.
        schedules.register_periodic(
            "notifications: send pending", "notifications.tasks.send_pending", minutes=1
        )
