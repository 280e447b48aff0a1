import hashlib
import hmac

import pytest

from lifecycle.keyed import hmac_sha256


@pytest.mark.parametrize("length", [0, 1, 32, 63, 64, 65, 200])
@pytest.mark.parametrize("message", [b"", b"personal:user:1:salt:[]", "événement ☃".encode() * 50])
def test_the_same_digest_as_the_standard_library(length, message):
    key = bytes(number * 7 % 256 for number in range(length))
    assert hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()


def test_two_keys_in_turn_keep_their_own_pads():
    first, second = b"premiere-cle", b"seconde-cle"
    for key in (first, second, first):
        assert hmac_sha256(key, b"m") == hmac.new(key, b"m", hashlib.sha256).hexdigest()
