"""The audit chain's head, published outside the database every day.

Someone with full access to the database (and the chain's key) could rewrite the whole trail
consistently; they cannot rewrite what was published elsewhere. `publish_head` writes the head
(length and last hash) to a place the database's users cannot reach — a folder or an object
store's prefix (`settings.AUDIT_ANCHOR_LOCATION`) — and e-mails it to the auditors; `manage.py
audit verify --head LENGTH:HASH` then proves that the first LENGTH events are the published ones.
"""

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Profile
from lifecycle import clock
from lifecycle.models import AuditChainHead
from lifecycle.models.audit import GENESIS_HASH

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedHead:
    length: int
    last_hash: str
    published_at: str
    location: str
    recipients: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.length}:{self.last_hash}"


def _storage():
    """A folder, or (s3://bucket/prefix) the default object storage under that prefix."""
    location = settings.AUDIT_ANCHOR_LOCATION
    if location.startswith("s3://"):
        return storages["default"], location.removeprefix("s3://").partition("/")[2].strip("/")
    return FileSystemStorage(location=location), ""


def recipients() -> list[str]:
    """The active auditors' addresses, and AUDIT_ANCHOR_EMAILS (someone outside the programme,
    e.g. an inspection's mailbox: the auditors' accounts are in the database it vouches for)."""
    profiles = Profile.objects.filter(role=Role.AUDITOR, user__is_active=True).select_related("user")
    addresses = {profile.user.email for profile in profiles if profile.user.email}
    return sorted(addresses | set(settings.AUDIT_ANCHOR_EMAILS))


NOBODY_TOLD = (
    "La tête du journal d’audit n’a été envoyée à personne : aucun auditeur actif n’a d’adresse et "
    "AUDIT_ANCHOR_EMAILS est vide. Elle n’est conservée qu’à l’emplacement de publication."
)


def publish_head() -> PublishedHead:
    """Write today's head outside the database and e-mail it to the auditors (sent at once, not
    through the outbox: it must not depend on the database it vouches for)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    length, last_hash = (head.length, head.last_hash) if head else (0, GENESIS_HASH)
    moment = timezone.localtime(clock.now())
    record = {"length": length, "last_hash": last_hash, "published_at": moment.isoformat(timespec="seconds")}
    storage, prefix = _storage()
    name = "/".join(filter(None, [prefix, f"audit-head-{moment:%Y-%m-%dT%H%M%S}.json"]))
    saved = storage.save(name, ContentFile(json.dumps(record, indent=2).encode()))
    told = tuple(recipients())
    if not told:
        logger.warning(NOBODY_TOLD)
    else:
        send_mail(
            _("[EIG] Tête du journal d’audit au %(date)s") % {"date": f"{moment:%d/%m/%Y %H:%M}"},
            _(
                "Bonjour,\n\nLe journal d’audit compte %(length)d événements ; l’empreinte du dernier "
                "est :\n\n%(length)d:%(hash)s\n\nConservez ce message. Pour vérifier plus tard que les "
                "%(length)d premiers événements n’ont pas été réécrits :\n\n"
                "    manage.py audit verify --head %(length)d:%(hash)s\n"
            )
            % {"length": length, "hash": last_hash},
            None,
            list(told),
        )
    logger.info("Audit head %s:%s published to %s", length, last_hash, saved)
    return PublishedHead(length, last_hash, record["published_at"], saved, told)
