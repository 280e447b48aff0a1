from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_migrate

        from lifecycle import signals
        from lifecycle.models import Call
        from notifications import outbox, receivers  # noqa: F401  (connects to the lifecycle's hooks)
        from notifications.jobs import call_jobs
        from notifications.outbox import ensure_templates
        from triggers import schedules

        # A bulk move's e-mails written at once, and handed to the workers at once.
        if outbox.written_together not in signals.applied_together:
            signals.applied_together.append(outbox.written_together)
            signals.committed_together.append(outbox.enqueued_together)
        post_migrate.connect(ensure_templates, sender=self, dispatch_uid="notifications.ensure_templates")
        schedules.register_jobs(Call, "call", call_jobs)
        # Sends whatever is due: retries, and anything the broker lost.
        schedules.register_periodic(
            "notifications: send pending", "notifications.tasks.send_pending", minutes=1
        )
