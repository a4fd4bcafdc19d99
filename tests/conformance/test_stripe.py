"""Stripe: the `stripe` SDK's WebhookSignature as the oracle."""

import time

import pytest
import stripe
from stripe import WebhookSignature

from conftest import assert_diagnosed, assert_stale, assert_valid, compact, pretty

SECRET = "whsec_conformance_0a6b2c9d8e7f"
PROVIDER = "stripe"


def payload(event_id="evt_1QcoNf2eZvKYlo2Cq8LBx9Ra"):
    return compact(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": "payment_intent.succeeded",
            "livemode": False,
            "data": {
                "object": {
                    "id": "pi_3QcoNe2eZvKYlo2C0hJ2xk1P",
                    "object": "payment_intent",
                    "amount": 2000,
                    "currency": "usd",
                    "status": "succeeded",
                    "metadata": {"order": "A-1001", "note": "café ☕"},
                }
            },
        }
    )


def sdk_headers(body: bytes, secret=SECRET, timestamp=None) -> dict:
    header = WebhookSignature.generate_signature_header(body.decode(), secret, timestamp)
    return {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header}


@pytest.fixture
def slug(hs):
    return hs.endpoint(PROVIDER, [SECRET])


def test_sdk_signs_hookscope_verifies(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body))
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "payment_intent.succeeded"
    assert ev["event_id"] == "evt_1QcoNf2eZvKYlo2Cq8LBx9Ra"
    # `verify` on the stored event agrees, and exits 0.
    assert hs.cli("verify", str(ev["id"]), check=False).returncode == 0


def test_hookscope_signs_sdk_verifies(hs):
    body = payload()
    header = hs.sign(PROVIDER, SECRET, body)["Stripe-Signature"]
    assert WebhookSignature.verify_header(body, header, SECRET, tolerance=300) is True
    event = stripe.Webhook.construct_event(body, header, SECRET)
    assert event.id == "evt_1QcoNf2eZvKYlo2Cq8LBx9Ra"
    # And the SDK rejects it under another secret: the check above is not vacuous.
    with pytest.raises(stripe.SignatureVerificationError):
        WebhookSignature.verify_header(body, header, SECRET + "x", tolerance=300)


def test_reserialized_body_is_diagnosed(hs, slug):
    body = payload()
    ev = hs.deliver(slug, pretty(body), sdk_headers(body))
    assert_diagnosed(ev, "body_reserialized", True)
    assert hs.cli("verify", str(ev["id"]), check=False).returncode != 0


def test_wrong_secret(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body, secret="whsec_someone_elses"))
    assert_diagnosed(ev, "wrong_secret", False)


def test_old_timestamp_is_stale(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body, timestamp=int(time.time()) - 3600))
    assert_stale(ev)
    # The SDK agrees: the signature matches but it is outside the 300 s tolerance.
    header = sdk_headers(body, timestamp=int(time.time()) - 3600)["Stripe-Signature"]
    WebhookSignature.verify_header(body, header, SECRET, tolerance=None)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        WebhookSignature.verify_header(body, header, SECRET, tolerance=300)


def test_retry_is_a_duplicate(hs, slug):
    body = payload("evt_dup_1QcoNf2eZvKYlo2C")
    first = hs.deliver(slug, body, sdk_headers(body))
    # Stripe re-signs a retry with a new timestamp; the event id is what repeats.
    second = hs.deliver(slug, body, sdk_headers(body, timestamp=int(time.time()) + 1))
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]
    assert_valid(second, PROVIDER)


def test_one_v1_per_rolled_secret(hs, slug):
    # While a secret is rolled Stripe sends a v1 per active secret; either must be accepted.
    body = payload()
    ts = int(time.time())
    old = sdk_headers(body, secret="whsec_rolled_out_secret", timestamp=ts)["Stripe-Signature"]
    new = sdk_headers(body, timestamp=ts)["Stripe-Signature"]
    header = old + "," + new.split(",", 1)[1]
    WebhookSignature.verify_header(body, header, SECRET, tolerance=300)
    ev = hs.deliver(slug, body, {"Content-Type": "application/json", "Stripe-Signature": header})
    assert_valid(ev, PROVIDER)
