"""Promotions and their calls: creating or changing one is a programme manager's act."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lifecycle import calendar, clock, configuration, rules
from lifecycle import criteria as criterion_lists
from lifecycle import profiles as profile_lists
from lifecycle.models import Call, PayLevel, Promotion


def open_for_submission():
    """The promotions whose call for challenges takes dossiers now (opened, and before its
    deadline, the whole minute of a 23:59 deadline included), the nearest deadline first."""
    now = clock.now()
    candidates = (
        Promotion.objects.filter(call__submission_deadline__gt=now - calendar.MINUTE)
        .filter(Q(call__submission_opens_at__isnull=True) | Q(call__submission_opens_at__lte=now))
        .select_related("call")
        .order_by("call__submission_deadline")
    )
    open_ids = [p.pk for p in candidates if now < calendar.closing(p.call.submission_deadline)]
    return candidates.filter(pk__in=open_ids)


def opening_soon():
    """The promotions whose call for challenges opens later: the portal announces their date."""
    return (
        Promotion.objects.filter(call__submission_opens_at__gt=clock.now())
        .select_related("call")
        .order_by("call__submission_opens_at")
    )


@transaction.atomic
def configure_promotion(
    *,
    number: int,
    name: str,
    year: int,
    call: dict,
    by,
    profiles: list[tuple[str, str]] | None = None,
    pay_levels: list[tuple[str, object]] | None = None,
    criteria: list[tuple[str, str, object]] | None = None,
) -> Promotion:
    """Create promotion `number` with its call, or bring both to these values; validated and
    audited. `profiles` [(code, label)] and `pay_levels` [(name, net monthly pay)] replace the
    call's lists when given (a new call otherwise offers the 2018 call's three profiles), and
    `criteria` [(name, description, weight)] the jury's (otherwise the 2018 call's five)."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme configure une promotion."))
    promotion = Promotion.objects.filter(number=number).first() or Promotion(number=number)
    promotion.name, promotion.year = name, year
    configuration.save(promotion, by=by)
    instance = Call.objects.filter(promotion=promotion).first() or Call(promotion=promotion)
    for field_name, value in call.items():
        setattr(instance, field_name, value)
    configuration.save(instance, by=by)
    if profiles is not None:
        profile_lists.set_profiles(instance, profiles, by=by)
    if pay_levels is not None:
        set_pay_levels(instance, pay_levels, by=by)
    if criteria is not None:
        criterion_lists.set_criteria(instance, criteria, by=by)
    promotion.call = instance
    return promotion


def set_pay_levels(call, wanted: list[tuple[str, object]], *, by):
    """Make the call's pay levels `wanted` [(name, net monthly pay)], in order; audited. A level
    still named by a position cannot be removed."""
    from decimal import Decimal

    existing = {level.name: level for level in call.pay_levels.all()}
    names = [name for name, _pay in wanted]
    for name, level in existing.items():
        if name not in names:
            if level.positions.exists():
                raise ValidationError(
                    _("Le niveau « %(name)s » est celui de missions de l’appel : il ne peut être retiré.")
                    % {"name": name}
                )
            configuration.delete(level, by=by)
    for rank, (name, pay) in enumerate(wanted, start=1):
        level = existing.get(name) or PayLevel(call=call, name=name)
        pay = Decimal(str(pay))
        if level.pk and level.net_monthly_pay == pay and level.rank == rank:
            continue
        level.net_monthly_pay, level.rank = pay, rank
        configuration.save(level, by=by)
