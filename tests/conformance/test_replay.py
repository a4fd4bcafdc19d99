"""Replay: an hour-old signed delivery replayed to a receiver that verifies with the provider's
official SDK. As captured it is rejected as stale (or, edited, as invalid); with `--resign` the
SDK accepts it, so re-signing is what made it pass."""

import base64
import http.server
import queue
import threading
import time
import uuid

import pytest
import stripe
from slack_sdk.signature import SignatureVerifier
from standardwebhooks import Webhook, WebhookVerificationError

import test_github
import test_slack
import test_standard_webhooks
import test_stripe

HOUR_AGO = int(time.time()) - 3600


class Receiver:
    """An HTTP server in a thread recording (path, headers, body) of each request."""

    def __init__(self):
        self.got = queue.Queue()
        got = self.got

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                got.put((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/handler"

    def next(self):
        return self.got.get(timeout=10)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def replay(hs, event_id, receiver, *extra):
    out = hs.cli("replay", str(event_id), "--to", receiver.url, *extra, check=False)
    assert out.returncode == 0, out
    return receiver.next()


def test_stripe_resigned_replay_passes_the_sdk(hs, receiver):
    slug = hs.endpoint("stripe", [test_stripe.SECRET])
    body = test_stripe.payload()
    ev = hs.deliver(slug, body, test_stripe.sdk_headers(body, timestamp=HOUR_AGO))
    _, headers, got = replay(hs, ev["id"], receiver)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(got.decode(), headers["stripe-signature"], test_stripe.SECRET, tolerance=300)
    path, headers, got = replay(hs, ev["id"], receiver, "--resign")
    assert path == "/handler" and got == body
    assert stripe.WebhookSignature.verify_header(got.decode(), headers["stripe-signature"], test_stripe.SECRET, tolerance=300)


def test_standard_webhooks_resigned_replay_passes_the_sdk(hs, receiver):
    secret = test_standard_webhooks.SECRET
    slug = hs.endpoint("standard-webhooks", [secret])
    body = test_standard_webhooks.payload()
    ev = hs.deliver(slug, body, test_standard_webhooks.sdk_headers(body, "msg_replay1", timestamp=HOUR_AGO))
    _, headers, got = replay(hs, ev["id"], receiver)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got, headers)
    _, headers, got = replay(hs, ev["id"], receiver, "--resign")
    assert got == body and headers["webhook-id"] == "msg_replay1"
    assert Webhook(secret).verify(got, headers) is not None


def test_slack_resigned_replay_passes_the_sdk(hs, receiver):
    slug = hs.endpoint("slack", [test_slack.SECRET])
    body = test_slack.payload()
    ev = hs.deliver(slug, body, test_slack.sdk_headers(body, timestamp=HOUR_AGO))
    _, headers, got = replay(hs, ev["id"], receiver)
    assert SignatureVerifier(test_slack.SECRET).is_valid_request(got, headers) is False
    _, headers, got = replay(hs, ev["id"], receiver, "--resign")
    assert SignatureVerifier(test_slack.SECRET).is_valid_request(got, headers) is True


def test_github_edited_and_resigned_replay_passes_octokit(hs, receiver, tmp_path):
    slug = hs.endpoint("github", [test_github.SECRET])
    body = test_github.payload()
    ev = hs.deliver(slug, body, test_github.sdk_headers(body, str(uuid.uuid4())))
    edited = tmp_path / "edited.json"
    edited.write_bytes(body.replace(b"Found a bug", b"Found two bugs"))
    _, headers, got = replay(hs, ev["id"], receiver, "--body-file", str(edited))
    verify = lambda h, b: test_github.octokit("verify", test_github.SECRET, h["x-hub-signature-256"], body=b)
    assert verify(headers, got) == "false"
    _, headers, got = replay(hs, ev["id"], receiver, "--body-file", str(edited), "--resign")
    assert got == edited.read_bytes()
    assert verify(headers, got) == "true"
