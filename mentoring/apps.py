from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Confirmation des mentors")

    def ready(self):
        from django.db.models.signals import post_migrate

        from mentoring import receivers  # noqa: F401  (connects to the lifecycle's hooks)
        from mentoring.schedules import ensure_sweep

        post_migrate.connect(ensure_sweep, sender=self)
