from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Confirmation des mentors")

    def ready(self):
        from mentoring import receivers  # noqa: F401  (connects to the lifecycle's hooks)
        from triggers import schedules

        # Due reminders, and processes a receiver missed.
        schedules.register_periodic("mentoring: sweep", "mentoring.tasks.sweep", minutes=5)
