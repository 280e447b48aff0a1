"""The open-data files, made from the database when asked: the rows of the published challenges
(`fields.PUBLISHED_STATES`), as CSV (UTF-8, comma-separated, RFC 4180) and JSON (an array of
objects, the same values), and the Table Schema that describes every column of both.

The files are French whatever the language of the page that asks for them (titles, labels of
states and kinds): one dataset, one text. Values are published as written: no apostrophe before
a text that starts like a spreadsheet formula (web.tables adds one for the managers' exports),
since a machine reading open data would take it for part of the value.
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.utils import timezone, translation

from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent, Challenge, SoughtProfile
from opendata import fields, selection

FILE_STEM = "defis-eig"
SCHEMA_FILENAME = f"{FILE_STEM}.schema.json"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


def columns(names=None) -> list[fields.Field]:
    """The columns of `names` (default: the manager's choice), in the list's order. THE GUARD:
    a name that is not one of `fields.FIELDS` is dropped, whoever asks (a form, a command, a row
    written by hand in the database): nothing outside the list is ever published."""
    return [
        fields.BY_NAME[name] for name in selection.ordered(selection.current() if names is None else names)
    ]


def published_challenges(promotion=None):
    """The challenges the programme publishes (of `promotion`, else every promotion's), by
    promotion then name, with what their columns read."""
    challenges = (
        Challenge.objects.filter(state__in=fields.PUBLISHED_STATES)
        .select_related("promotion", "administration__ministry")
        .prefetch_related("eig_positions", "partner_administrations")
        .order_by("promotion__number", "name", "pk")
    )
    return challenges.filter(promotion=promotion) if promotion is not None else challenges


def facts_of(challenges) -> fields.Facts:
    """The days of the challenges' dated moves (the last of each, in Paris) and their calls'
    profiles' labels: two queries for any number of challenges."""
    ids = [challenge.pk for challenge in challenges]
    moves: dict[int, dict[str, dt.date]] = {}
    events = (
        AuditEvent.objects.filter(
            challenge_id__in=ids, kind=AuditKind.TRANSITION, transition__in=fields.DATED_MOVES
        )
        .order_by("id")
        .values_list("challenge_id", "transition", "created_at")
    )
    for challenge_id, move, moment in events:
        moves.setdefault(challenge_id, {})[move] = timezone.localtime(moment).date()
    profiles: dict[int, dict[str, str]] = {}
    promotions = {challenge.promotion_id for challenge in challenges}
    for promotion_id, code, label in SoughtProfile.objects.filter(
        call__promotion_id__in=promotions
    ).values_list("call__promotion_id", "code", "label"):
        profiles.setdefault(promotion_id, {})[code] = label
    return fields.Facts(moves=moves, profiles=profiles)


def rows(challenges, chosen: list[fields.Field]) -> list[list]:
    """The typed values (int, str, date, None) of each challenge, in the columns' order."""
    challenges = list(challenges)
    facts = facts_of(challenges)
    with translation.override("fr"):
        return [[column.read(challenge, facts) for column in chosen] for challenge in challenges]


def table_schema(chosen: list[fields.Field]) -> dict:
    """The Table Schema (frictionless) of the files: every column, its type and constraints."""
    with translation.override("fr"):
        return {
            "fields": [column.descriptor() for column in chosen],
            "primaryKey": fields.PRIMARY_KEY,
            "missingValues": [""],
        }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value == "" else value


def csv_bytes(chosen: list[fields.Field], values: list[list]) -> bytes:
    """RFC 4180: comma-separated, quoted when needed (a text's line breaks stay inside its
    quotes), CRLF between rows, UTF-8 without byte order mark; a header of the columns' names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in chosen])
    writer.writerows([_cell(value) for value in row] for row in values)
    return buffer.getvalue().encode("utf-8")


def json_bytes(chosen: list[fields.Field], values: list[list]) -> bytes:
    """An array of objects keyed by the columns' names; an empty text is null, as in the CSV
    (the schema's missing value)."""
    records = [
        {column.name: _json_value(value) for column, value in zip(chosen, row, strict=True)} for row in values
    ]
    return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema_bytes(chosen: list[fields.Field]) -> bytes:
    return (json.dumps(table_schema(chosen), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def filename(file_format: str, promotion=None) -> str:
    stem = f"{FILE_STEM}-{promotion.number}" if promotion is not None else FILE_STEM
    return f"{stem}.{file_format}"


@dataclass(frozen=True)
class Bundle:
    """The files as they are published, read at once (one choice of columns for the three)."""

    columns: list
    challenge_count: int
    files: list[File]

    def file(self, name: str) -> File:
        return next(file for file in self.files if file.filename == name)


def bundle(*, promotion=None, names=None) -> Bundle:
    """The CSV, the JSON and their schema, for the published challenges of `promotion` (else of
    every promotion), in the columns of `names` (else the manager's choice)."""
    chosen = columns(names)
    challenges = list(published_challenges(promotion))
    values = rows(challenges, chosen)
    return Bundle(
        columns=chosen,
        challenge_count=len(challenges),
        files=[
            File(filename("csv", promotion), CSV_TYPE, csv_bytes(chosen, values)),
            File(filename("json", promotion), JSON_TYPE, json_bytes(chosen, values)),
            File(SCHEMA_FILENAME, JSON_TYPE, schema_bytes(chosen)),
        ],
    )


def schema_file(*, names=None) -> File:
    """The schema alone: no challenge read."""
    return File(SCHEMA_FILENAME, JSON_TYPE, schema_bytes(columns(names)))


def files(*, promotion=None, names=None) -> list[File]:
    return bundle(promotion=promotion, names=names).files
