"""The columns a manager chose to publish: read, and changed (a configuration change, audited)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, rules
from lifecycle.enums import AuditKind
from opendata import fields
from opendata.models import PublishedFields

ROW = 1  # the one row of the choice


def current() -> list[str]:
    """The columns published now, in the list's order: the manager's choice, else the default;
    always the required ones, never a name the list does not hold (`export.columns` says why)."""
    row = PublishedFields.objects.filter(pk=ROW).first()
    return ordered(row.names if row is not None else fields.default_selection())


def ordered(names) -> list[str]:
    """`names` kept to the list's columns, in its order, the required ones added."""
    wanted = set(names) | set(fields.REQUIRED)
    return [item.name for item in fields.FIELDS if item.name in wanted]


def choose(names: list[str], *, by) -> list[str]:
    """Publish the columns `names` from now on (the required ones always): a programme
    manager's (or the system's) change of configuration, audited (`open_data_fields`, subject
    "publishedfields:1") with the old and new lists. An unknown name is refused, nothing saved."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme choisit les colonnes publiées."))
    unknown = [name for name in names if name not in fields.BY_NAME]
    if unknown:
        raise ValidationError(
            {"names": _("Colonnes inconnues, jamais publiées : %(names)s.") % {"names": ", ".join(unknown)}}
        )
    chosen = ordered(names)
    with transaction.atomic():
        row = PublishedFields.objects.select_for_update().filter(pk=ROW).first()
        before = ordered(row.names) if row is not None else ordered(fields.default_selection())
        if row is not None and row.names == chosen:
            return chosen
        row = row or PublishedFields(pk=ROW)
        row.names = chosen
        row.full_clean()
        row.save()
        if before != chosen:
            audit.record(
                None,
                AuditKind.OPEN_DATA_FIELDS_CHANGED,
                by=by,
                subject=f"publishedfields:{ROW}",
                changes={"names": [before, chosen]},
            )
    return chosen
