"""The client's address, as throttling and the audit trail count it.

Without a trusted proxy, it is the connection's address (REMOTE_ADDR) and X-Forwarded-For is
ignored: anyone can write that header. Behind a reverse proxy (DJANGO_TRUST_PROXY_HEADER=1), the
connection comes from the proxy, so the header is read, but only when the connection really
comes from one of DJANGO_TRUSTED_PROXIES, and only from the right: each proxy appends the address
it saw, so the right-most entry that is not one of our proxies is the first address no one of
ours can have forged. Taking the left-most one (what the client wrote) would let an attacker
choose the address he is counted under; counting the proxy's own address would let one
attacker lock everyone out.
"""

import ipaddress

from django.conf import settings


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def trusted_proxies():
    return [ipaddress.ip_network(n, strict=False) for n in settings.TRUSTED_PROXIES]


def client_ip(request) -> str | None:
    """The address, or None when the request has none (a request built in code): axes then
    stores none, and PostgreSQL's inet column takes nothing else."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = trusted_proxies() if settings.TRUST_PROXY_HEADER else []
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([e for e in forwarded.split(",") if e.strip()]):
        address = _parse(entry)
        if address is None:  # garbage written by the client: stop at what our proxy vouched for
            break
        if not _trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)
