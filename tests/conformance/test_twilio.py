"""Twilio: `twilio.request_validator.RequestValidator` as the oracle, for the form-params
HMAC-SHA1 scheme and for JSON bodies covered by `bodySHA256`."""

import hashlib
import json
from urllib.parse import parse_qsl, urlencode

import pytest
from twilio.request_validator import RequestValidator

from conftest import assert_diagnosed, assert_valid, compact, pretty

TOKEN = "12345678901234567890123456789012"
PROVIDER = "twilio"
# The URL configured in the Twilio console; Hookscope sits behind it (a tunnel).
FORM_URL = "https://hooks.example.com/twilio/sms"
JSON_URL = "https://hooks.example.com/twilio/events"
FORM_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "User-Agent": "TwilioProxy/1.1",
}


def form_body(sid="SM1f0e8ae6ade43cb3c0ce4525424e404f", status="delivered") -> bytes:
    return urlencode(
        {
            "AccountSid": "AC0123456789abcdef0123456789abcdef",
            "ApiVersion": "2010-04-01",
            "From": "+15017122661",
            "To": "+15558675310",
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "ToCity": "",  # Twilio sends blank parameters, and signs them
            "Body": "Hello from Twilio & friends: 100% ✓",
        }
    ).encode()


def form_params(body: bytes) -> dict:
    """The POST parameters as a web framework hands them to the SDK (blank ones included)."""
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def form_signature(body: bytes, token=TOKEN, url=FORM_URL) -> str:
    return RequestValidator(token).compute_signature(url, form_params(body))


def json_body() -> bytes:
    return compact(
        {
            "type": "com.twilio.messaging.message.delivered",
            "id": "EZ5b8a4a2a1c4e4d0e8b7c2c9f9f0e1d2a",
            "data": {"messageSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "to": "+15558675310"},
        }
    )


def json_query(body: bytes) -> str:
    return "bodySHA256=" + hashlib.sha256(body).hexdigest()


@pytest.fixture
def form_slug(hs):
    return hs.endpoint(PROVIDER, [TOKEN], public_url=FORM_URL)


@pytest.fixture
def json_slug(hs):
    return hs.endpoint(PROVIDER, [TOKEN], public_url=JSON_URL)


def test_form_sdk_signs_hookscope_verifies(hs, form_slug):
    # The configured URL may carry a query; Twilio signs it as part of the URL.
    body = form_body()
    query = "?site=eu&ref=a%2Fb"
    headers = {**FORM_HEADERS, "X-Twilio-Signature": form_signature(body, url=FORM_URL + query)}
    ev = hs.deliver(form_slug, body, headers, path=query)
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "message.delivered"
    assert ev["event_id"] == "SM1f0e8ae6ade43cb3c0ce4525424e404f"


def test_form_hookscope_signs_sdk_verifies(hs):
    body = form_body()
    sig = hs.sign(PROVIDER, TOKEN, body, "--url", FORM_URL)["X-Twilio-Signature"]
    params = form_params(body)
    assert RequestValidator(TOKEN).validate(FORM_URL, params, sig) is True
    assert RequestValidator(TOKEN).validate(FORM_URL, {**params, "Body": "changed"}, sig) is False


def test_form_tampered_param_is_invalid(hs, form_slug):
    sig = form_signature(form_body())
    ev = hs.deliver(form_slug, form_body(status="failed"), {**FORM_HEADERS, "X-Twilio-Signature": sig})
    assert_diagnosed(ev, "wrong_secret", False)


def test_form_wrong_token(hs, form_slug):
    body = form_body()
    headers = {**FORM_HEADERS, "X-Twilio-Signature": form_signature(body, token="f" * 32)}
    ev = hs.deliver(form_slug, body, headers)
    assert_diagnosed(ev, "wrong_secret", False)


def test_form_signed_for_the_local_url_is_a_url_mismatch(hs, form_slug):
    # Twilio signs the URL it called: a signature over the http:// URL fails against the public https one.
    body = form_body()
    sig = form_signature(body, url=FORM_URL.replace("https://", "http://"))
    ev = hs.deliver(form_slug, body, {**FORM_HEADERS, "X-Twilio-Signature": sig})
    assert_diagnosed(ev, "url_mismatch", True)


def test_form_retry_is_a_duplicate(hs, form_slug):
    body = form_body(sid="SMdup0e8ae6ade43cb3c0ce4525424e404")
    headers = {
        **FORM_HEADERS,
        "X-Twilio-Signature": form_signature(body),
        "I-Twilio-Idempotency-Token": "f6f3a1c2-3d4e-4f50-8a6b-7c8d9e0f1a2b",
    }
    first = hs.deliver(form_slug, body, headers)
    second = hs.deliver(form_slug, body, headers)
    assert_valid(first, PROVIDER)
    assert first["event_id"] == "f6f3a1c2-3d4e-4f50-8a6b-7c8d9e0f1a2b"
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]


def json_headers(sig: str) -> dict:
    return {"Content-Type": "application/json", "User-Agent": "TwilioProxy/1.1", "X-Twilio-Signature": sig}


def test_json_sdk_signs_hookscope_verifies(hs, json_slug):
    body = json_body()
    url = f"{JSON_URL}?{json_query(body)}"
    # What Twilio signs for a JSON body: the URL with its bodySHA256, no params.
    sig = RequestValidator(TOKEN).compute_signature(url, {})
    assert RequestValidator(TOKEN).validate(url, body.decode(), sig) is True
    ev = hs.deliver(json_slug, body, json_headers(sig), path=f"?{json_query(body)}")
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "com.twilio.messaging.message.delivered"
    assert ev["event_id"] == "EZ5b8a4a2a1c4e4d0e8b7c2c9f9f0e1d2a"


def test_json_hookscope_signs_sdk_verifies(hs):
    body = json_body()
    url = f"{JSON_URL}?{json_query(body)}"
    sig = hs.sign(PROVIDER, TOKEN, body, "--url", url)["X-Twilio-Signature"]
    validator = RequestValidator(TOKEN)
    assert validator.validate(url, body.decode(), sig) is True
    assert validator.validate(url, json.dumps(json.loads(body)), sig) is False


def test_json_reserialized_body_fails_its_hash(hs, json_slug):
    body = json_body()
    sig = RequestValidator(TOKEN).compute_signature(f"{JSON_URL}?{json_query(body)}", {})
    changed = pretty(body)
    url = f"{JSON_URL}?{json_query(body)}"
    assert RequestValidator(TOKEN).validate(url, changed.decode(), sig) is False
    ev = hs.deliver(json_slug, changed, json_headers(sig), path=f"?{json_query(body)}")
    assert_diagnosed(ev, "body_hash_mismatch", True)


def test_json_wrong_token(hs, json_slug):
    body = json_body()
    sig = RequestValidator("0" * 32).compute_signature(f"{JSON_URL}?{json_query(body)}", {})
    ev = hs.deliver(json_slug, body, json_headers(sig), path=f"?{json_query(body)}")
    assert_diagnosed(ev, "wrong_secret", False)


def test_form_shared_key_hmac_sha256(hs):
    # The SharedKey option: HMAC-SHA256 under the SharedKey secret, announced by a header.
    secret = "sharedkey-secret-0123456789"
    slug = hs.endpoint(PROVIDER, [secret], public_url=FORM_URL)
    body = form_body()
    params = form_params(body)
    sig = RequestValidator(secret).compute_signature(FORM_URL, params, algorithm="HMAC_SHA256")
    settings = "key=webhooks_sharedkey_KS0123,algorithm=HMAC_SHA256"
    headers = {**FORM_HEADERS, "X-Twilio-Signature": sig, "X-Twilio-Webhooks-Signature-Settings": settings}
    ev = hs.deliver(slug, body, headers)
    assert_valid(ev, PROVIDER)
    # Without the settings header the same signature is diagnosed as an algorithm mismatch.
    del headers["X-Twilio-Webhooks-Signature-Settings"]
    assert RequestValidator(secret).validate(FORM_URL, params, sig) is False
    assert_diagnosed(hs.deliver(slug, body, headers), "algorithm_mismatch", True)
