"""The challenge list exported as CSV, XLSX or ODS: every matching row, in the list's order,
written by `web.tables.write_table` (a text that looks like a formula stays text)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle.enums import AdministrationKind, ChallengeState
from web.tables import FORMATS, write_table

__all__ = ["FORMATS", "WRITERS", "headers", "values"]


def headers() -> list[str]:
    return [
        _("Identifiant"),
        _("Défi"),
        _("Administration"),
        _("Nature de l’administration"),
        _("Promotion"),
        _("État"),
        _("Co-financement demandé"),
        _("Montant du co-financement (€)"),
        _("Coût total employeur (€)"),
        _("Dernier changement d’état (heure de Paris)"),
    ]


def values(challenge) -> list:
    """One row with typed values: numbers stay numbers, the date is Paris time without zone."""
    changed = challenge.state_changed_at
    return [
        challenge.pk,
        challenge.name,
        challenge.administration.name,
        str(AdministrationKind(challenge.administration.kind).label),
        challenge.promotion.name,
        str(ChallengeState(challenge.state).label),
        _("Oui") if challenge.cofinancing_requested else _("Non"),
        challenge.cofinancing_amount,
        challenge.total_employer_cost,
        timezone.localtime(changed).replace(tzinfo=None, microsecond=0) if changed else None,
    ]


# Amounts with two decimals, the last change to the minute.
CHALLENGE_FORMATS = {7: "#,##0.00", 8: "#,##0.00", 9: "dd/mm/yyyy hh:mm"}


def _challenge_table(file_format, challenges) -> bytes:
    return write_table(
        file_format,
        headers(),
        (values(challenge) for challenge in challenges),
        title=_("Défis"),
        formats=CHALLENGE_FORMATS,
    )


def to_csv(challenges) -> bytes:
    return _challenge_table("csv", challenges)


def to_xlsx(challenges) -> bytes:
    return _challenge_table("xlsx", challenges)


def to_ods(challenges) -> bytes:
    return _challenge_table("ods", challenges)


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods}
