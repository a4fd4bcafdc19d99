"""GitHub: `@octokit/webhooks-methods` (npm) as the oracle, through octokit.mjs."""

import subprocess
import uuid

import pytest

from conftest import HERE, assert_diagnosed, assert_valid, compact, pretty

SECRET = "It's a Secret to Everybody"
PROVIDER = "github"


def octokit(*args: str, body: bytes) -> str:
    out = subprocess.run(
        ["node", str(HERE / "octokit.mjs"), *args],
        input=body,
        capture_output=True,
        check=True,
        timeout=30,
        cwd=HERE,
    )
    return out.stdout.decode().strip()


def payload():
    return compact(
        {
            "action": "opened",
            "issue": {"number": 1347, "title": "Found a bug", "user": {"login": "octocat"}},
            "repository": {"id": 1296269, "full_name": "octocat/Hello-World"},
            "sender": {"login": "octocat", "id": 1},
        }
    )


def sdk_headers(body: bytes, delivery: str, secret=SECRET) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery,
        "X-GitHub-Hook-ID": "292430182",
        "X-Hub-Signature-256": octokit("sign", secret, body=body),
    }


@pytest.fixture
def slug(hs):
    return hs.endpoint(PROVIDER, [SECRET])


def test_sdk_signs_hookscope_verifies(hs, slug):
    body = payload()
    delivery = str(uuid.uuid4())
    ev = hs.deliver(slug, body, sdk_headers(body, delivery))
    assert_valid(ev, PROVIDER)
    assert ev["event_type"] == "issues.opened"
    assert ev["event_id"] == delivery


def test_hookscope_signs_sdk_verifies(hs):
    body = payload()
    sig = hs.sign(PROVIDER, SECRET, body)["X-Hub-Signature-256"]
    assert octokit("verify", SECRET, sig, body=body) == "true"
    assert octokit("verify", SECRET + "x", sig, body=body) == "false"


def test_reserialized_body_is_diagnosed(hs, slug):
    body = payload()
    ev = hs.deliver(slug, pretty(body), sdk_headers(body, str(uuid.uuid4())))
    assert_diagnosed(ev, "body_reserialized", True)


def test_wrong_secret(hs, slug):
    body = payload()
    ev = hs.deliver(slug, body, sdk_headers(body, str(uuid.uuid4()), secret="not the secret"))
    assert_diagnosed(ev, "wrong_secret", False)


def test_redelivery_is_a_duplicate(hs, slug):
    body = payload()
    delivery = str(uuid.uuid4())
    first = hs.deliver(slug, body, sdk_headers(body, delivery))
    second = hs.deliver(slug, body, sdk_headers(body, delivery))
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]
