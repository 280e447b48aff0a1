"""Promotions and their calls: creating or changing one is a programme manager's act."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import clock, configuration, rules
from lifecycle.models import Call, Promotion


def open_for_submission():
    """The promotions whose call for challenges takes dossiers now, the nearest deadline first."""
    return (
        Promotion.objects.filter(call__submission_deadline__gt=clock.now())
        .select_related("call")
        .order_by("call__submission_deadline")
    )


@transaction.atomic
def configure_promotion(*, number: int, name: str, year: int, call: dict, by) -> Promotion:
    """Create promotion `number` with its call, or bring both to these values; validated."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme configure une promotion."))
    promotion = Promotion.objects.filter(number=number).first() or Promotion(number=number)
    promotion.name, promotion.year = name, year
    configuration.save(promotion, by=by)
    instance = Call.objects.filter(promotion=promotion).first() or Call(promotion=promotion)
    for field_name, value in call.items():
        setattr(instance, field_name, value)
    configuration.save(instance, by=by)
    promotion.call = instance
    return promotion
