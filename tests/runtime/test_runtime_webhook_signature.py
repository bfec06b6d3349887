"""Enode's webhook signature scheme (runtime/_webhooks.py): the one implementation the
clients' `unwrap`, the mock's deliveries and the contract suite's receiver checks share."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys

import pytest

from enode_codegen.runtime._webhooks import (
    SECRET_ENV,
    WebhookVerificationError,
    header,
    sign,
    signed_delivery,
    verify_signature,
)

SECRET = "a-webhook-secret-of-32-characters"
EVENTS = [
    {"createdAt": "2024-10-01T12:00:00Z", "version": "2024-10-01", "event": "enode:webhook:test"}
]


def test_signature_is_hmac_sha1_of_the_raw_body_in_lowercase_hex() -> None:
    body, headers = signed_delivery(EVENTS, SECRET, delivery_id="d-1")
    expected = hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert headers["X-Enode-Signature"] == f"sha1={expected}"
    assert headers["X-Enode-Delivery"] == "d-1"
    assert json.loads(body) == EVENTS
    verify_signature(body, headers["X-Enode-Signature"], SECRET)


@pytest.mark.parametrize(
    ("body", "signature", "secret", "says"),
    [
        (b"[]", None, SECRET, "no X-Enode-Signature"),
        (b"[]", "sha256=" + "0" * 64, SECRET, "not of the form"),
        (b"[]", sign(b"[]", "another-secret"), SECRET, "does not match"),
        (b"[ ]", sign(b"[]", SECRET), SECRET, "does not match"),
    ],
    ids=["missing", "other-scheme", "wrong-secret", "re-serialised-body"],
)
def test_bad_signatures_raise_without_echoing_the_secret(
    body: bytes, signature: str | None, secret: str, says: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=says) as caught:
        verify_signature(body, signature, secret)
    assert SECRET not in str(caught.value) and sign(body, SECRET) not in str(caught.value)


def test_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    body, headers = signed_delivery(EVENTS, SECRET)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(WebhookVerificationError, match=SECRET_ENV):
        verify_signature(body, headers["X-Enode-Signature"])
    monkeypatch.setenv(SECRET_ENV, SECRET)
    verify_signature(body, headers["X-Enode-Signature"])


def test_header_names_are_case_insensitive_and_batches_are_capped() -> None:
    assert header({"x-enode-signature": "sha1=ab"}, "X-Enode-Signature") == "sha1=ab"
    assert header({}, "X-Enode-Signature") is None
    with pytest.raises(ValueError, match="at most 100"):
        signed_delivery(EVENTS * 101, SECRET)


def test_signing_and_the_error_tree_load_without_pydantic() -> None:
    """The mock and the contract suite sign through `_webhooks` without pydantic's model
    machinery; its errors are part of EnodeError's tree."""
    script = (
        "import sys\n"
        "from enode_codegen.runtime import _webhooks, EnodeError\n"
        "assert 'pydantic' not in sys.modules, 'pydantic loaded'\n"
        "assert issubclass(_webhooks.WebhookVerificationError, EnodeError)\n"
        "body, headers = _webhooks.signed_delivery([{'event': 'system:heartbeat'}], 's')\n"
        "_webhooks.verify_signature(body, headers['X-Enode-Signature'], 's')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
