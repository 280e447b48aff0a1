from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The programme managers' pages, and the audit review shared with auditors."""

    name = "backoffice"
    verbose_name = _("Gestion du programme")
