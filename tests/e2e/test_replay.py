"""Replay on the real app window: a real receiver (http.server on a free port) records exactly
what reached it while WebDriver drives the Replay button, the editor, the Replays tab, bulk
replay and the confirmation a non-loopback target needs. run.sh gives this module a fresh app."""

import hashlib
import hmac
import http.server
import json
import os
import queue
import socket
import threading
import time

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions

from test_app import OUT, post, row_with, txt, wait

STRIPE_SECRET = "whsec_e2eReplaySecret0123456789"


class Receiver:
    """An HTTP server answering 201 to everything and queueing what it received."""

    def __init__(self, host="127.0.0.1"):
        self.got = queue.Queue()
        got = self.got

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                got.put({"method": self.command, "path": self.path, "headers": list(self.headers.items()), "body": body})
                answer = b'{"handled":true}'
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = handle_any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, host="127.0.0.1"):
        return f"http://{host}:{self.port}"

    def next(self, timeout=10):
        return self.got.get(timeout=timeout)

    def header(self, req, name):
        return [v for k, v in req["headers"] if k.lower() == name.lower()]


@pytest.fixture(scope="module")
def driver():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote(os.environ["HOOKSCOPE_WEBDRIVER"], options=opts)
    d.implicitly_wait(0)
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-url]"))
    yield d
    d.quit()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver(host="0.0.0.0")
    yield r
    r.server.shutdown()


def invoke(driver, cmd, req):
    """Call one of the app's commands from inside the window (set-up only, not what is tested)."""
    res = driver.execute_async_script(
        "const [cmd, req, done] = arguments;"
        "window.__TAURI_INTERNALS__.invoke(cmd, { req }).then((v) => done({ ok: v ?? null }), (e) => done({ err: e }));",
        cmd,
        req,
    )
    assert "err" not in res, res
    return res["ok"]


def click(driver, el):
    # Toasts may sit over a button; a click from inside the page reaches it all the same.
    driver.execute_script("arguments[0].click()", el)


def by_testid(driver, name):
    return wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-testid={name}]"), what=name)[0]


def retype(el, text):
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(text)


def open_event(driver, path):
    click(driver, row_with(driver, path))
    wait(driver, lambda d: path in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=detail-title]")), what="detail")


def open_editor(driver):
    click(driver, by_testid(driver, "replay-edit"))
    editor = by_testid(driver, "replay-editor")
    by_testid(driver, "replay-target")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=replay-preview]"), what="the preview")
    return editor


def close_editor(driver):
    editor = by_testid(driver, "replay-editor")
    click(driver, next(b for b in editor.find_elements(By.TAG_NAME, "button") if txt(b) == "Close"))
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=replay-editor]"), what="editor closed")


def send_from_editor(driver):
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=replay-send]").is_enabled(), what="Send enabled")
    click(driver, by_testid(driver, "replay-send"))


def replays_statuses(driver):
    click(driver, by_testid(driver, "tab-replays"))
    return [txt(e) for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid=attempt-status]")]


def non_loopback_ip():
    """An address of this machine that is not loopback (the route to a TEST-NET host)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_exact_replay_to_a_real_receiver_then_the_replay_key(driver, receiver):
    body = b'{"order":"replay-me","bytes":"\xc3\xa9\\u0000"}'
    post("/default/hooks/x?a=1&b=%20", body, {"X-Test": "original"})
    open_event(driver, "/default/hooks/x")
    open_editor(driver)
    retype(by_testid(driver, "replay-target"), receiver.url() + "/base")
    wait(driver, lambda d: receiver.url() + "/base/hooks/x?a=1&b=%20" in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=replay-preview]")), what="the preview's URL")
    send_from_editor(driver)
    got = receiver.next()
    assert got["method"] == "POST"
    assert got["path"] == "/base/hooks/x?a=1&b=%20"
    assert got["body"] == body
    assert receiver.header(got, "x-test") == ["original"]
    assert receiver.header(got, "host") == [f"127.0.0.1:{receiver.port}"]
    answer = by_testid(driver, "replay-answer")
    wait(driver, lambda d: "201" in txt(answer), what="the answer in the editor")
    close_editor(driver)

    # The target was remembered: `r` replays exactly there.
    ActionChains(driver).move_to_element(driver.find_element(By.CSS_SELECTOR, "[data-testid=detail-title]")).click().send_keys("r").perform()
    again = receiver.next()
    assert (again["method"], again["path"], again["body"]) == ("POST", "/base/hooks/x?a=1&b=%20", body)
    wait(driver, lambda d: replays_statuses(d) == ["201", "201"], what="two 2xx attempts in the Replays tab")
    first = driver.find_elements(By.CSS_SELECTOR, "[data-testid=attempt] button.summary")[0]
    click(driver, first)
    detail = by_testid(driver, "attempt-detail")
    wait(driver, lambda d: "x-test" in txt(detail) and "handled" in txt(detail), what="the sent request and the answer")
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(OUT, "replays-tab.png"))


def test_replay_with_an_edited_header_and_body(driver, receiver):
    post("/default/edit-me", {"v": 1}, {"X-Test": "before", "X-Keep": "kept"})
    open_event(driver, "/default/edit-me")
    open_editor(driver)
    retype(by_testid(driver, "replay-target"), receiver.url())
    rows = driver.find_elements(By.CSS_SELECTOR, "[data-testid=header-row]")
    row = next(r for r in rows if r.find_elements(By.TAG_NAME, "input")[0].get_property("value") == "x-test")
    retype(row.find_elements(By.TAG_NAME, "input")[1], "after")
    click(driver, by_testid(driver, "add-header"))
    new = driver.find_elements(By.CSS_SELECTOR, "[data-testid=header-row]")[-1].find_elements(By.TAG_NAME, "input")
    new[0].send_keys("X-Added")
    new[1].send_keys("yes")
    retype(by_testid(driver, "replay-body"), '{"v":2,"edited":true}')
    wait(driver, lambda d: "x-added: yes" in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=replay-preview]")).lower(), what="the edit in the preview")
    send_from_editor(driver)
    got = receiver.next()
    assert got["path"] == "/edit-me"
    assert got["body"] == b'{"v":2,"edited":true}'
    assert receiver.header(got, "x-test") == ["after"]
    assert receiver.header(got, "x-added") == ["yes"]
    assert receiver.header(got, "x-keep") == ["kept"]
    assert receiver.header(got, "content-length") == ["21"]
    close_editor(driver)


def test_a_resigned_stripe_replay_verifies_with_a_fresh_timestamp(driver, receiver):
    invoke(driver, "endpoint_create", {"slug": "stripe", "fields": {"provider": "stripe", "secrets": [STRIPE_SECRET]}})
    body = b'{"id":"evt_e2e","object":"event","type":"payment_intent.succeeded"}'
    old = 1600000000
    stale = hmac.new(STRIPE_SECRET.encode(), f"{old}.".encode() + body, hashlib.sha256).hexdigest()
    post("/stripe/webhook", body, {"Stripe-Signature": f"t={old},v1={stale}"})
    open_event(driver, "/stripe/webhook")
    open_editor(driver)
    retype(by_testid(driver, "replay-target"), receiver.url())
    resign = by_testid(driver, "replay-resign")
    label = resign.find_element(By.XPATH, "..")
    assert "stripe" in txt(label) and "whsec_…6789" in txt(label), txt(label)
    click(driver, resign)
    def fresh_preview(d):
        shown = txt(d.find_element(By.CSS_SELECTOR, "[data-testid=replay-preview]"))
        return receiver.url() + "/webhook" in shown and "stripe-signature: t=" in shown and f"t={old}," not in shown

    wait(driver, fresh_preview, what="a fresh signature in the preview")
    assert resign.is_selected()
    time.sleep(0.5)  # NOTE: the screenshot can lag the DOM under Xvfb by a frame or two.
    driver.save_screenshot(os.path.join(OUT, "replay-editor.png"))
    send_from_editor(driver)
    got = receiver.next()
    assert got["body"] == body
    [sig] = receiver.header(got, "stripe-signature")
    parts = dict(p.split("=", 1) for p in sig.split(","))
    t = int(parts["t"])
    assert abs(time.time() - t) < 120, f"fresh timestamp: {t}"
    expected = hmac.new(STRIPE_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    close_editor(driver)


def test_resign_is_disabled_with_the_reason_when_the_endpoint_has_no_secret(driver):
    post("/default/unsigned", {"x": 1}, {"Stripe-Signature": "t=1,v1=00"})
    open_event(driver, "/default/unsigned")
    open_editor(driver)
    assert not by_testid(driver, "replay-resign").is_enabled()
    assert txt(by_testid(driver, "resign-unavailable")).startswith("Cannot re-sign:")
    close_editor(driver)


def test_a_remote_target_needs_the_users_confirmation(driver, receiver):
    ip = non_loopback_ip()
    if ip is None:
        pytest.skip("this machine has no address other than loopback")
    post("/default/far", {"far": True})
    open_event(driver, "/default/far")
    open_editor(driver)
    retype(by_testid(driver, "replay-target"), receiver.url(ip))
    wait(driver, lambda d: "not on this machine" in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=replay-editor]")), what="the remote warning")
    send_from_editor(driver)
    dialog = by_testid(driver, "remote-confirm")
    assert ip in txt(dialog)
    click(driver, by_testid(driver, "remote-cancel"))
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=remote-confirm]"), what="dialog closed")
    with pytest.raises(queue.Empty):
        receiver.next(timeout=1)
    send_from_editor(driver)
    click(driver, by_testid(driver, "remote-allow"))
    got = receiver.next()
    assert got["path"] == "/far" and json.loads(got["body"]) == {"far": True}
    close_editor(driver)


def test_bulk_replay_of_a_selection_shows_progress(driver, receiver):
    invoke(driver, "replay_target_set", {"slug": "default", "target": None})
    post("/default/bulk-1", {"n": 1})
    post("/default/bulk-2", {"n": 2})
    row_with(driver, "/default/bulk-2")
    click(driver, by_testid(driver, "bulk-open"))
    click(driver, row_with(driver, "/default/bulk-2"))
    click(driver, row_with(driver, "/default/bulk-1"))
    bar = by_testid(driver, "bulk-replay")
    wait(driver, lambda d: "2 selected" in txt(bar), what="two ticked")
    retype(by_testid(driver, "bulk-target"), receiver.url())
    retype(by_testid(driver, "bulk-rate"), "20")
    click(driver, by_testid(driver, "bulk-start"))
    first, second = receiver.next(), receiver.next()
    assert [first["path"], second["path"]] == ["/bulk-1", "/bulk-2"], "oldest first"
    counts = by_testid(driver, "bulk-counts")
    wait(driver, lambda d: "2/2" in txt(counts) and "2 ok" in txt(counts) and "done" in txt(counts), what="the final counts")
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(OUT, "bulk-replay.png"))
