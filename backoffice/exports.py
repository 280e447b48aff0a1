"""The challenge list exported as CSV, XLSX or ODS: every matching row, in the list's order.

A text that starts like a formula (=, +, -, @…) stays text in every format: in CSV it gets the
spreadsheets' leading apostrophe, in XLSX and ODS it is written as a string cell.
"""

import csv
import io

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lifecycle.enums import AdministrationKind, ChallengeState
from lifecycle.text import spreadsheet_safe

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


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


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def to_csv(challenges) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark, as spreadsheets in French expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(headers())
    for challenge in challenges:
        writer.writerow([spreadsheet_safe(_text(value)) for value in values(challenge)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(challenges) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Défis")
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for challenge in challenges:
        sheet.append(values(challenge))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: it is a text here
                cell.data_type = "s"
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=9):
        for cell in row:
            cell.number_format = "#,##0.00"
    for row in sheet.iter_rows(min_row=2, min_col=10, max_col=10):
        for cell in row:
            cell.number_format = "dd/mm/yyyy hh:mm"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_ods(challenges) -> bytes:
    sheet = tablib.Dataset(headers=headers(), title=_("Défis"))
    for challenge in challenges:
        sheet.append([_text(value) if isinstance(value, str) else value for value in values(challenge)])
    return sheet.export("ods")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods}
