"""Standard Webhooks: the `standardwebhooks` reference library as the oracle."""

import base64
import json
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from conftest import assert_diagnosed, assert_stale, assert_valid, compact, pretty

SECRET = "whsec_" + base64.b64encode(b"conformance-key-0123456789abcdef").decode()
PROVIDER = "standard-webhooks"


def payload():
    return compact(
        {
            "type": "invoice.paid",
            "timestamp": "2026-03-01T10:00:00Z",
            "data": {"invoice_id": "inv_29fd1", "amount": 4200, "customer": "Zoë"},
        }
    )


def sdk_headers(body: bytes, msg_id: str, secret=SECRET, timestamp=None) -> dict:
    ts = int(time.time()) if timestamp is None else timestamp
    when = datetime.fromtimestamp(ts, tz=timezone.utc)
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": Webhook(secret).sign(msg_id, when, body.decode()),
    }


@pytest.fixture
def slug(hs):
    return hs.endpoint(PROVIDER, [SECRET])


def test_sdk_signs_hookscope_verifies(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body, "msg_2cYkP0a1"))
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "invoice.paid"
    assert ev["event_id"] == "msg_2cYkP0a1"


def test_hookscope_signs_sdk_verifies(hs):
    body = payload()
    headers = hs.sign(PROVIDER, SECRET, body)
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers.keys()
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)
    other = "whsec_" + base64.b64encode(b"another-key-0123456789abcdef01").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)


def test_reserialized_body_is_diagnosed(hs, slug):
    body = payload()
    ev = hs.deliver(slug, pretty(body), sdk_headers(body, "msg_2cYkP0a2"))
    assert_diagnosed(ev, "body_reserialized", True)


def test_wrong_secret(hs, slug):
    body = payload()
    other = "whsec_" + base64.b64encode(b"another-key-0123456789abcdef01").decode()
    ev = hs.deliver(slug, body, sdk_headers(body, "msg_2cYkP0a3", secret=other))
    assert_diagnosed(ev, "wrong_secret", False)


def test_old_timestamp_is_stale(hs, slug):
    body = payload()
    headers = sdk_headers(body, "msg_2cYkP0a4", timestamp=int(time.time()) - 3600)
    ev = hs.deliver(slug, body, headers)
    assert_stale(ev)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(SECRET).verify(body, headers)


def test_retry_is_a_duplicate(hs, slug):
    body = payload()
    first = hs.deliver(slug, body, sdk_headers(body, "msg_2cYkP0dup"))
    second = hs.deliver(slug, body, sdk_headers(body, "msg_2cYkP0dup", timestamp=int(time.time()) + 1))
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]


KEY = b"conformance-key-0123456789abcdef"


@pytest.mark.parametrize(
    "secret",
    [
        "whsec_" + base64.b64encode(KEY).decode(),
        "whsec_" + base64.b64encode(KEY[:31]).decode().rstrip("="),  # unpadded, as the SDK allows
        base64.b64encode(KEY).decode(),  # no prefix
    ],
    ids=["prefixed", "unpadded", "no-prefix"],
)
def test_secret_forms_agree_both_ways(hs, secret):
    body = payload()
    assert Webhook(secret).verify(body, hs.sign(PROVIDER, secret, body)) is not None
    headers = sdk_headers(body, "msg_forms", secret=secret)
    slug = hs.endpoint(PROVIDER, [secret])
    assert_valid(hs.deliver(slug, body, headers), PROVIDER)


def test_one_of_several_signatures_matches(hs, slug):
    # During a key rotation the sender lists a signature per key, space-separated.
    body = payload()
    old = "whsec_" + base64.b64encode(b"retired-key-0123456789abcdef012").decode()
    headers = sdk_headers(body, "msg_rotation", secret=old)
    current = sdk_headers(body, "msg_rotation", timestamp=int(headers["webhook-timestamp"]))
    headers["webhook-signature"] += " " + current["webhook-signature"]
    assert Webhook(SECRET).verify(body, headers) is not None
    assert_valid(hs.deliver(slug, body, headers), PROVIDER)
