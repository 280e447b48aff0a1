from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The shell shared by the pages: layout in the State design system, sign-in, navigation."""

    name = "web"
    verbose_name = _("Interface")
