"""Shared fixtures: one `hookscope serve` on a temp data dir for the whole run, an endpoint per
test, and helpers to deliver exact bytes and read back what Hookscope made of them."""

import base64
import http.client
import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _binary() -> str:
    path = os.environ.get("HOOKSCOPE_BIN")
    if not path:
        target = os.environ.get("CARGO_TARGET_DIR", str(HERE.parents[1] / "target"))
        path = os.path.join(target, "debug", "hookscope")
    if not os.access(path, os.X_OK):
        pytest.exit(f"hookscope binary not found at {path}: set HOOKSCOPE_BIN", returncode=2)
    return path


class Hookscope:
    def __init__(self, binary: str, data: Path):
        self.binary = binary
        self.data = data
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data", str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"unexpected first line from serve: {first!r}")
        self.port = int(m.group(1))

    def cli(self, *args: str, input: bytes | None = None, check: bool = True):
        return subprocess.run(
            [self.binary, *args, "--data", str(self.data)],
            input=input,
            capture_output=True,
            check=check,
            timeout=30,
        )

    def json(self, *args: str):
        return json.loads(self.cli(*args, "--json").stdout)

    def endpoint(self, provider: str, secrets: list[str], public_url: str | None = None) -> str:
        """Add an endpoint with a fresh slug and wait until the running server routes to it
        (it answers 299 while the default endpoint answers 200)."""
        slug = f"{provider}-{uuid.uuid4().hex[:8]}"
        args = ["endpoints", "add", slug, "--provider", provider, "--status", "299"]
        for s in secrets:
            args += ["--secret", s]
        if public_url:
            args += ["--public-url", public_url]
        self.cli(*args)
        deadline = time.monotonic() + 5
        while self.request("GET", f"/{slug}/__ready", b"", {})[0] != 299:
            assert time.monotonic() < deadline, f"endpoint {slug} never took effect"
            time.sleep(0.1)
        return slug

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def deliver(self, slug: str, body: bytes, headers: dict, path: str = "") -> dict:
        """POST exactly `body` to the endpoint and return `show --json` of the captured event."""
        status, _ = self.request("POST", f"/{slug}{path}", body, headers)
        assert status == 299, f"request not routed to endpoint {slug}: {status}"
        newest = self.json("list", "--endpoint", slug, "--method", "POST", "--limit", "1")
        assert newest, "no event captured"
        event = self.json("show", str(newest[0]["id"]))
        assert base64_body(event) == body, "Hookscope did not store the exact bytes sent"
        return event

    def sign(self, provider: str, secret: str, body: bytes, *extra: str) -> dict:
        """`hookscope sign` → {header name: value}."""
        out = subprocess.run(
            [self.binary, "sign", "--provider", provider, "--secret", secret, *extra],
            input=body,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout.decode()
        headers = {}
        for line in out.splitlines():
            name, _, value = line.partition(": ")
            headers[name] = value
        return headers

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def base64_body(event: dict) -> bytes:
    return base64.b64decode(event["body_base64"])


def codes(event: dict) -> dict:
    """Diagnosis code → explains, from an event's signature report."""
    return {d["code"]: d["explains"] for d in event["signature"]["diagnosis"]}


def assert_valid(event: dict, provider: str):
    sig = event["signature"]
    assert event["provider"] == provider, event["provider"]
    assert sig["status"] == "valid", sig


def assert_diagnosed(event: dict, code: str, explains: bool):
    sig = event["signature"]
    assert sig["status"] == "invalid", sig
    assert codes(event).get(code) is explains, sig["diagnosis"]


def assert_stale(event: dict, age: int = 3600):
    sig = event["signature"]
    assert sig["status"] == "stale", sig
    assert abs(sig["timestamp_age_secs"] - age) <= 10, sig["timestamp_age_secs"]
    assert "stale_timestamp" in codes(event), sig["diagnosis"]


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def pretty(body: bytes) -> bytes:
    return json.dumps(json.loads(body), indent=2, ensure_ascii=False).encode()


@pytest.fixture(scope="session")
def hs(tmp_path_factory):
    server = Hookscope(_binary(), tmp_path_factory.mktemp("hookscope-data"))
    yield server
    server.stop()
