"""Slack: `slack_sdk.signature.SignatureVerifier` as the oracle."""

import time

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from conftest import assert_diagnosed, assert_stale, assert_valid, compact, pretty

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PROVIDER = "slack"


def payload(event_id="Ev08MFMKH6"):
    return compact(
        {
            "token": "XXYYZZ",
            "team_id": "T123ABC456",
            "api_app_id": "A123ABC456",
            "event": {
                "type": "app_mention",
                "user": "U123ABC456",
                "text": "<@U0LAN0Z89> is it everything a river should be?",
                "ts": "1515449522.000016",
                "channel": "C123ABC456",
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1515449522,
        }
    )


def sdk_headers(body: bytes, secret=SECRET, timestamp=None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig,
    }


@pytest.fixture
def slug(hs):
    return hs.endpoint(PROVIDER, [SECRET])


def test_sdk_signs_hookscope_verifies(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body))
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "app_mention"
    assert ev["event_id"] == "Ev08MFMKH6"


def test_slash_command_form_verifies(hs, slug):
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121"
    )
    headers = sdk_headers(body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    ev = hs.deliver(slug, body, headers)
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "/webhook-collect"
    assert ev["event_id"] == "398738663015.47445629121"


def test_hookscope_signs_sdk_verifies(hs):
    body = payload()
    headers = hs.sign(PROVIDER, SECRET, body)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers) is True
    assert SignatureVerifier(SECRET + "x").is_valid_request(body, headers) is False


def test_reserialized_body_is_diagnosed(hs, slug):
    body = payload()
    ev = hs.deliver(slug, pretty(body), sdk_headers(body))
    assert_diagnosed(ev, "body_reserialized", True)


def test_wrong_secret(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body, secret="0000000000000000000000000000dead"))
    assert_diagnosed(ev, "wrong_secret", False)


def test_old_timestamp_is_stale(hs, slug):
    body = payload()
    old = int(time.time()) - 3600
    ev = hs.deliver(slug, body, sdk_headers(body, timestamp=old))
    assert_stale(ev)

    class Then(Clock):
        def now(self):
            return old + 1

    headers = sdk_headers(body, timestamp=old)
    # The SDK rejects it now and accepts it at the time it was signed: only its age is wrong.
    assert SignatureVerifier(SECRET).is_valid_request(body, headers) is False
    assert SignatureVerifier(SECRET, clock=Then()).is_valid_request(body, headers) is True


def test_retry_is_a_duplicate(hs, slug):
    body = payload("Ev08DUPL1CATE")
    first = hs.deliver(slug, body, sdk_headers(body))
    retry = sdk_headers(body, timestamp=int(time.time()) + 1)
    retry.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    second = hs.deliver(slug, body, retry)
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]
    assert_valid(second, PROVIDER)
