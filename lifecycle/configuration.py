"""Saving the programme's configuration rows (a promotion and its call, an administration, a
cohort session, a message template…): validated, saved and audited with their old and new
values, whoever saves them (the admin, a command, a job). A person's values among them (a jury
member's name and address, the EIG or mentor an attendance names, an account) are kept apart from
the trail's chain as theirs (`lifecycle.personal`, docs/personal-data.md)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, rules
from lifecycle.dossier.snapshot import diff
from lifecycle.enums import AuditKind
from lifecycle.personal import Personal

# The rows that are people (by model name): a row naming one names a person, and their own
# identity fields are their personal data.
PERSON_MODELS = frozenset(
    {"user", "contact", "mentor", "entrepreneur", "teammember", "jurymember", "invitation", "candidate"}
)
IDENTITY_FIELDS = frozenset({"first_name", "last_name", "email", "phone", "username"})


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)  # a related row, a decimal, a file


def _value(instance, field, *, is_person):
    value = _plain(getattr(instance, field.name))
    if value in (None, ""):
        return value
    if is_person and field.name in IDENTITY_FIELDS:
        return Personal(subject_of(instance), value)
    related = field.related_model
    if related is not None and related._meta.model_name in PERSON_MODELS:
        return Personal(f"{related._meta.model_name}:{getattr(instance, field.attname)}", value)
    return value


def values_of(instance) -> dict:
    """The row's own fields as flat values (its timestamps and counters left out), a person's
    marked `Personal`."""
    skipped = {"id", "created_at", "updated_at", "sequence"}
    is_person = instance._meta.model_name in PERSON_MODELS
    return {
        field.name: _value(instance, field, is_person=is_person)
        for field in instance._meta.concrete_fields
        if field.name not in skipped
    }


def subject_of(instance) -> str:
    return f"{instance._meta.model_name}:{instance.pk}"


def record_change(instance, before: dict, *, by, kind=AuditKind.SETTINGS_CHANGED, challenge=None, reason=""):
    """Audit what changed in `instance` since `before` (values_of it, or {} for a new row)."""
    changes = diff(before, values_of(instance))
    if changes:
        audit.record(challenge, kind, by=by, subject=subject_of(instance), reason=reason, changes=changes)
    return changes


def save(instance, *, by, kind=AuditKind.SETTINGS_CHANGED, reason="", validate=True):
    """Save a configuration row: a programme manager's (or the system's) act, audited."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme modifie la configuration."))
    with transaction.atomic():
        previous = (
            type(instance).objects.select_for_update().filter(pk=instance.pk).first() if instance.pk else None
        )
        before = values_of(previous) if previous else {}
        if validate:
            instance.full_clean()
        instance.save()
        record_change(instance, before, by=by, kind=kind, reason=reason)
    return instance


def delete(instance, *, by, kind=AuditKind.SETTINGS_CHANGED, reason=""):
    """Delete a configuration row (a profile, a pay level…): audited with the values it had."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme modifie la configuration."))
    with transaction.atomic():
        before, subject = values_of(instance), subject_of(instance)
        instance.delete()
        changes = diff(before, {})
        audit.record(None, kind, by=by, subject=subject, reason=reason, changes=changes)
