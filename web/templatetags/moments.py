"""Moments in the pages, in Paris time (TIME_ZONE) and in the active language: `{% load moments %}`,
then `{{ when|moment }}` ("17 juin 2018 à 17:00", "17 June 2018 at 17:00"), `{{ when|moment_seconds }}`,
`{{ day|day }}` ("17 juin 2018"). The formats are translated strings, so that no French word is left
in an English page (Django's `date` filter with "j F Y à H:i" would keep the "à")."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


def _local(value):
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def moment(value) -> str:
    """A moment to the minute ("17 juin 2018 à 17:00"); a date alone is a day."""
    if isinstance(value, dt.datetime):
        return date_format(_local(value), _("j F Y à H:i"))
    return day(value)


@register.filter
def moment_seconds(value) -> str:
    """A moment to the second, as the audit trail holds it ("17 juin 2018 à 17:00:05")."""
    if isinstance(value, dt.datetime):
        return date_format(_local(value), _("j F Y à H:i:s"))
    return day(value)


@register.filter
def day(value) -> str:
    """A day ("17 juin 2018"); a moment's day in Paris."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return "" if value is None else str(value)


@register.filter
def long_day(value) -> str:
    """A day with its weekday ("dimanche 17 juin 2018")."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    if isinstance(value, dt.date):
        return date_format(value, "l j F Y")
    return "" if value is None else str(value)
