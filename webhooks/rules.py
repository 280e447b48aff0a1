"""Who holds, hears and replays webhooks, and where a webhook may send: one place for each rule,
asked by the outbox, the sending, the services and the pages."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from lifecycle import rules


def may_hold(user, administration_id) -> bool:
    """A manager's webhook hears every administration, a contact's its own only, while the
    person holds that role (an inactive account holds nothing)."""
    if rules.is_programme_manager(user):
        return True
    return (
        administration_id is not None
        and rules.is_administration_contact(user)
        and user.profile.administration_id == administration_id
    )


def may_register(user) -> bool:
    """Programme managers, and administrations' contacts for their administration."""
    administration_id = getattr(getattr(user, "profile", None), "administration_id", None)
    return may_hold(user, administration_id)


def may_replay(user) -> bool:
    return rules.is_system(user) or rules.is_programme_manager(user)


class Unreachable(Exception):
    """A webhook's address leads inside the building (or nowhere): nothing is sent there."""


def internal(address: str) -> bool:
    """An IP address of the programme's own network, or of nobody's (loopback, private,
    link-local, reserved, multicast)."""
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def check_destination(url: str) -> None:
    """Raise Unreachable unless every address `url`'s host resolves to is public: a webhook must
    not let a person reach the programme's own network (loopback, private, link-local — the
    cloud's metadata —, reserved). `WEBHOOKS_ALLOW_PRIVATE` (development, tests) lifts it."""
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise Unreachable(_("Adresse introuvable : %(host)s.") % {"host": parts.hostname}) from error
    if any(internal(info[4][0]) for info in found):
        raise Unreachable(
            _("Adresse interne refusée : %(host)s mène au réseau du programme, pas à un service public.")
            % {"host": parts.hostname}
        )
