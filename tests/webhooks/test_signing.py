"""The verification helper docs/webhooks.md gives receivers, and the receiver that uses it."""

from pathlib import Path

import httpx
import pytest

from webhooks import signing
from webhooks.receiver import Receiver

SECRET = "whsec_secret-de-test"
BODY = '{"type": "challenge.moved", "challenge": {"name": "Défi été"}}'.encode()


def test_a_signed_body_verifies():
    headers = signing.headers(
        SECRET, BODY, delivery_id="d-1", event_type="challenge.moved", timestamp=1_700_000_000
    )
    signing.verify(SECRET, BODY, headers, now=1_700_000_010)
    assert headers["X-EIG-Signature"].startswith("v1=") and len(headers["X-EIG-Signature"]) == 67


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h, b: (h, b.replace(b"moved", b"moves")), "signature does not match the body"),
        (lambda h, b: ({**h, "X-EIG-Signature": "v1=" + "0" * 64}, b), "signature does not match the body"),
        (lambda h, b: ({**h, "X-EIG-Timestamp": "1700000001"}, b), "signature does not match the body"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "X-EIG-Signature"}, b), "missing or malformed"),
    ],
    ids=["body changed", "forged signature", "timestamp changed", "unsigned"],
)
def test_a_forged_or_altered_delivery_is_rejected(change, message):
    headers = signing.headers(
        SECRET, BODY, delivery_id="d-1", event_type="challenge.moved", timestamp=1_700_000_000
    )
    headers, body = change(headers, BODY)
    with pytest.raises(signing.InvalidSignature, match=message):
        signing.verify(SECRET, body, headers, now=1_700_000_010)


def test_an_old_request_sent_again_is_rejected():
    headers = signing.headers(
        SECRET, BODY, delivery_id="d-1", event_type="challenge.moved", timestamp=1_700_000_000
    )
    with pytest.raises(signing.InvalidSignature, match="timestamp outside the tolerance"):
        signing.verify(SECRET, BODY, headers, now=1_700_000_000 + signing.TOLERANCE + 1)


def test_the_receiver_answers_401_to_a_forged_signature_and_200_to_a_true_one():
    with Receiver(SECRET) as receiver:
        good = signing.headers(SECRET, BODY, delivery_id="d-1", event_type="challenge.moved")
        forged = signing.headers("whsec_autre", BODY, delivery_id="d-2", event_type="challenge.moved")
        assert httpx.post(receiver.url, content=BODY, headers=forged).status_code == 401
        assert httpx.post(receiver.url, content=BODY, headers=good).status_code == 200
        assert httpx.post(receiver.url, content=BODY, headers=good).status_code == 200  # again: dropped
    assert [taken["id"] for taken in receiver.taken] == ["d-1"]
    assert receiver.rejected == ["signature does not match the body"]
    assert receiver.duplicates == ["d-1"]


def _helper_of_the_docs() -> dict:
    """The verification helper as docs/webhooks.md prints it for receivers, run as they would."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    block = text.split("## Checking a delivery", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(block, "docs/webhooks.md", "exec"), namespace)
    return namespace


def test_the_helper_the_docs_give_takes_a_true_delivery_and_rejects_a_forged_one():
    helper = _helper_of_the_docs()
    headers = signing.headers(
        SECRET, BODY, delivery_id="d-1", event_type="challenge.moved", timestamp=1_700_000_000
    )
    helper["verify"](SECRET, BODY, headers, now=1_700_000_010)
    forged = signing.headers("whsec_autre", BODY, delivery_id="d-2", event_type="challenge.moved")
    with pytest.raises(helper["InvalidSignature"], match="signature does not match the body"):
        helper["verify"](SECRET, BODY, forged)
    with pytest.raises(helper["InvalidSignature"], match="timestamp outside the tolerance"):
        helper["verify"](SECRET, BODY, headers, now=1_700_000_000 + signing.TOLERANCE + 1)
    with pytest.raises(helper["InvalidSignature"], match="signature does not match the body"):
        helper["verify"](SECRET, BODY.replace(b"moved", b"moves"), headers, now=1_700_000_010)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-EIG-Timestamp": "1700000000", "X-EIG-Signature": "v1=é" + "0" * 63},
        {"X-EIG-Timestamp": "9" * 400, "X-EIG-Signature": "v1=" + "0" * 64},
        {"X-EIG-Timestamp": "-1700000000", "X-EIG-Signature": "v1=" + "0" * 64},
        {"X-EIG-Timestamp": "1700000000", "X-EIG-Signature": ""},
    ],
    ids=["non-ascii signature", "huge timestamp", "negative timestamp", "empty signature"],
)
def test_a_malformed_request_is_rejected_not_crashed_on_by_both_helpers(headers):
    helper = _helper_of_the_docs()
    for verify, invalid in (
        (signing.verify, signing.InvalidSignature),
        (helper["verify"], helper["InvalidSignature"]),
    ):
        with pytest.raises(invalid):
            verify(SECRET, BODY, headers, now=1_700_000_010)
