from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    name = "jury"
    verbose_name = _("Jury de sélection des défis")

    def ready(self):
        from jury import receivers  # noqa: F401  (a jury member's seat follows their invitation)
