"""Saving the programme's configuration rows (a promotion and its call, an administration, a
cohort session, a message template…): validated, saved and audited with their old and new
values, whoever saves them (the admin, a command, a job)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, rules
from lifecycle.dossier.snapshot import diff
from lifecycle.enums import AuditKind


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)  # a related row, a decimal, a file


def values_of(instance) -> dict:
    """The row's own fields as flat values (its timestamps and counters left out)."""
    skipped = {"id", "created_at", "updated_at", "sequence"}
    return {
        field.name: _plain(getattr(instance, field.name))
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
