from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from lifecycle import signals
        from triggers import schedules
        from webhooks import checks, outbox, receivers  # noqa: F401  (registers the check, connects the hooks)

        # A bulk move's deliveries written at once (and handed to the workers at once).
        if outbox.written_together not in signals.applied_together:
            signals.applied_together.append(outbox.written_together)
        # Sends whatever is due: retries, and anything the broker lost.
        schedules.register_periodic("webhooks: send pending", "webhooks.tasks.send_due", minutes=1)
