from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The administrations' pages: writing, submitting and following their dossiers."""

    name = "portal"
    verbose_name = _("Portail des administrations")
