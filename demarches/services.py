"""The programme's acts on a démarche: adding it, its mapping, its schedule, and a manager's answer
to DS's values kept aside (a dossier changed on DS after a decision). Each is audited; the pages,
the command and the admin call these."""

from django.db import transaction

from demarches import mapping as ds_mapping
from demarches.client import DsClient
from demarches.models import Demarche, DsDossier, LinkStatus
from demarches.sync import Sync, SyncError, check_manager, reason_of, subject_of
from lifecycle import audit, configuration
from lifecycle.enums import AuditKind


def add_demarche(number: int, promotion, *, by, mapping=None) -> Demarche:
    check_manager(by)
    ds_mapping.validate(mapping or {})
    demarche = Demarche(number=number, promotion=promotion, mapping=mapping or {})
    configuration.save(demarche, by=by, kind=AuditKind.DS_MAPPING_CHANGED)
    return demarche


def set_mapping(demarche: Demarche, mapping: dict, *, by) -> Demarche:
    """A new mapping (checked: `mapping.validate`), audited with the old one. The next sync reads
    the whole démarche again (its cursor forgotten): the dossiers already imported are read
    through the new mapping, those it does not change found unchanged."""
    check_manager(by)
    ds_mapping.validate(mapping)
    if mapping != demarche.mapping:
        demarche.mapping, demarche.cursor = mapping, ""
    configuration.save(demarche, by=by, kind=AuditKind.DS_MAPPING_CHANGED)
    return demarche


def set_scheduled(demarche: Demarche, scheduled: bool, *, by) -> Demarche:
    check_manager(by)
    demarche.scheduled = scheduled
    configuration.save(demarche, by=by, kind=AuditKind.DS_MAPPING_CHANGED)
    return demarche


def apply_pending(link: DsDossier, *, by, client: DsClient | None = None) -> DsDossier:
    """DS's values of a dossier changed after a decision, written over ours: the dossier is read
    again from DS (its values now, a fresh attachment URL) and written through the dossier's
    edits; our state stays (it moves only by a transition)."""
    check_manager(by)
    if link.status != LinkStatus.CHANGED_AFTER_DECISION:
        raise SyncError("Ce dossier n’a pas de valeurs de DS en attente.")
    own = client is None
    client = client or DsClient()
    try:
        with transaction.atomic():
            refused = Sync(link.demarche, by=by, client=client).write_again(link)
            if refused:
                raise SyncError(refused)
            _settle(link, by=by, reason="valeurs de DS appliquées")
    finally:
        if own:
            client.close()
    return link


def dismiss_pending(link: DsDossier, *, by) -> DsDossier:
    """DS's values of a dossier changed after a decision, set aside: ours stay, audited."""
    check_manager(by)
    if link.status != LinkStatus.CHANGED_AFTER_DECISION:
        raise SyncError("Ce dossier n’a pas de valeurs de DS en attente.")
    with transaction.atomic():
        _settle(link, by=by, reason="valeurs de DS écartées, celles du programme gardées")
    return link


def _settle(link: DsDossier, *, by, reason: str):
    link.refresh_from_db()
    challenge = link.challenge
    link.status, link.problem, link.pending = LinkStatus.IMPORTED, "", {}
    link.synced_state = challenge.state  # our decision, acknowledged: DS's next changes apply
    link.save()
    audit.record(
        challenge,
        AuditKind.DS_UPDATED,
        by=by,
        subject=subject_of(link.demarche, link.number),
        reason=f"{reason_of(link.demarche, link.number)} : {reason}",
    )
