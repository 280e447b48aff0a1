"""Any table of typed rows written as CSV, XLSX or ODS (the challenge list's export, the jury's
exports): one writer for every interface.

A text that starts like a formula (=, +, -, @…) stays text in every format: in CSV it gets the
spreadsheets' leading apostrophe, in XLSX and ODS it is written as a string cell.
"""

import csv
import io

import tablib
from openpyxl import Workbook
from openpyxl.styles import Font

from lifecycle.text import spreadsheet_safe

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def write_table(
    file_format: str, headers: list[str], rows, *, title: str, formats: dict | None = None
) -> bytes:
    """`rows` (lists of typed values: text, numbers, moments without zone, None) under `headers`,
    as `file_format` ("csv", "xlsx" or "ods") writes them. `formats` gives XLSX columns (0-based)
    a number format ("#,##0.00", "dd/mm/yyyy hh:mm"). A text that looks like a formula stays text
    in every format; numbers stay numbers (never an apostrophe before a minus sign)."""
    return WRITERS_OF_TABLES[file_format](headers, rows, title=title, formats=formats or {})


def _csv_table(headers, rows, *, title, formats) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark, as spreadsheets in French expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [spreadsheet_safe(value) if isinstance(value, str) else _text(value) for value in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_table(headers, rows, *, title, formats) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: it is a text here
                cell.data_type = "s"
    for column, number_format in formats.items():
        for row in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            for cell in row:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods_table(headers, rows, *, title, formats) -> bytes:
    sheet = tablib.Dataset(headers=headers, title=title)
    for row in rows:
        sheet.append(list(row))
    return sheet.export("ods")


WRITERS_OF_TABLES = {"csv": _csv_table, "xlsx": _xlsx_table, "ods": _ods_table}
