"""Bulk inserts through PostgreSQL's COPY: the bulk creation of dossiers (imports, the DS sync)
and the bench's synthetic world.

`bulk_create` spends most of a large insert in Python: compiling one placeholder per value and
binding each of them (about 20 µs a row for the 2 million audit events of the bench's
100,000-challenge world), and on PostgreSQL Django 5.2 sends the rows as arrays whose texts
psycopg escapes one by one in Python (the long descriptions, the events' JSON). COPY streams the
rows' values as they are, escaped by psycopg's C code. The rows are the models' own instances
(their defaults filled by Django, `pre_save` applied as the ORM's insert does: a file stored, a
time set) and the audit events are chained by `lifecycle.audit.record_many` itself: only the
writing differs. Elsewhere than on PostgreSQL, the ORM's bulk insert.
"""

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.db import connection, models

# Values psycopg takes as Django holds them; any other (a file field's, say) goes through the
# field's own conversion, as the ORM's insert would.
PLAIN = frozenset({int, str, bool, type(None), float, Decimal, dt.date, dt.datetime, uuid.UUID})


def _columns(model):
    """(column, read) of the model's concrete fields: `read(instance)` gives the value COPY
    writes, as the ORM's insert would (`pre_save` where a field has its own, JSON as its text,
    values of other types than PLAIN converted by the field)."""
    columns = []
    for field in model._meta.concrete_fields:
        own_pre_save = type(field).pre_save is not models.Field.pre_save  # a time set, a file stored
        if isinstance(field, models.JSONField):

            def read(instance, field=field, encoder=field.encoder):
                value = getattr(instance, field.attname)
                return None if value is None else json.dumps(value, cls=encoder)

        elif own_pre_save:

            def read(instance, field=field):
                value = field.pre_save(instance, True)
                return value if type(value) in PLAIN else field.get_db_prep_save(value, connection)

        else:

            def read(instance, attname=field.attname, field=field):
                value = getattr(instance, attname)
                return value if type(value) in PLAIN else field.get_db_prep_save(value, connection)

        columns.append((field.column, read))
    return columns


def _new_ids(model, count: int) -> list[int]:
    """`count` ids drawn from the table's own sequence, as the inserts would have drawn them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, names: list[str], rows):
    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def create(objects: list) -> list:
    """Insert unsaved instances of one model, their ids set (as `bulk_create` does)."""
    if not objects:
        return objects
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects, batch_size=2000)
    for instance, pk in zip(objects, _new_ids(model, len(objects)), strict=True):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias
    columns = _columns(model)
    readers = [read for _column, read in columns]
    _copy(
        model._meta.db_table,
        [column for column, _read in columns],
        ([read(instance) for read in readers] for instance in objects),
    )
    return objects


def insert_events(events, apart):
    """`lifecycle.audit.record_many`'s `insert`: the chained events, then their personal rows
    ((owner, values, salt) per row, no model instance built for them)."""
    from lifecycle import audit  # the trail writes through this module
    from lifecycle.models import PersonalData

    if connection.vendor != "postgresql":
        return audit.bulk_inserted(events, apart)
    create(events)
    _copy(
        PersonalData._meta.db_table,
        ["event_id", "owner", "values", "salt", "erased_at"],
        (
            (event.pk, owner, json.dumps(values), salt, None)
            for event, rows in apart
            for owner, values, salt in rows
        ),
    )
