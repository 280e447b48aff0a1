"""The client's address that throttling counts (web.addresses)."""

import pytest
from django.http import HttpRequest

from web.addresses import client_ip


def request_from(remote=None, forwarded=None):
    request = HttpRequest()
    if remote is not None:
        request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (False, "203.0.113.7", "10.0.0.1", "203.0.113.7"),  # no proxy: the header is anyone's
        (True, "127.0.0.1", "198.51.100.66", "198.51.100.66"),
        (True, "127.0.0.1", "1.2.3.4, 198.51.100.66", "198.51.100.66"),  # the left is the client's
        (True, "127.0.0.1", "198.51.100.66, 10.0.0.2", "198.51.100.66"),  # two proxies of ours
        (True, "127.0.0.1", "pas-une-adresse, 198.51.100.66", "198.51.100.66"),
        (True, "127.0.0.1", "198.51.100.66, pas-une-adresse", "127.0.0.1"),  # garbage from ours: ours
        (True, "127.0.0.1", None, "127.0.0.1"),
        (True, "198.51.100.9", "192.0.2.1", "198.51.100.9"),  # not from a proxy of ours
        (True, "::1", "2001:db8::7", "2001:db8::7"),
        (True, None, "192.0.2.1", None),  # a request built in code has no address
    ],
)
def test_the_client_s_address(settings, trusted, remote, forwarded, expected):
    settings.TRUST_PROXY_HEADER = trusted
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert client_ip(request_from(remote, forwarded)) == expected
