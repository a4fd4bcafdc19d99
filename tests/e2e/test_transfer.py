"""End to end on the real app window: the test-event picker, and export/import through the
Export / Import menu.

NOTE: WebDriver cannot drive a native file dialog. run.sh starts this phase with
HOOKSCOPE_TEST_SAVE_PATH / HOOKSCOPE_TEST_OPEN_PATH, which a debug build's backend answers
instead of opening the GTK dialog (release builds ignore them). Everything after the dialog (the
menu action, the command, the file written or read, the toast, the list) is the code a user
runs; the native dialog itself is not covered here."""

import base64
import http.server
import json
import os
import threading
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import Select, WebDriverWait

OUT = os.environ["HOOKSCOPE_E2E_OUT"]
SAVE_PATH = os.environ["HOOKSCOPE_TEST_SAVE_PATH"]
OPEN_PATH = os.environ["HOOKSCOPE_TEST_OPEN_PATH"]
SECRET = "whsec_e2e_transfer_secret_0123456789"


def txt(el):
    """Rendered text (innerText: WebKitWebDriver's element text skips overflow-hidden cells)."""
    return el.get_property("innerText") or ""


@pytest.fixture(scope="module")
def driver():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote(os.environ["HOOKSCOPE_WEBDRIVER"], options=opts)
    d.implicitly_wait(0)
    yield d
    d.quit()


def wait(driver, cond, timeout=10, what="condition"):
    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=ignored).until(
        lambda d: cond(d), what
    )


def el(driver, testid):
    return wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-testid={testid}]"), what=testid)[0]


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "[data-testid=event-list] .row.event")


def row_with(driver, *texts):
    def find(d):
        for r in rows(d):
            if all(t in txt(r) for t in texts):
                return r
        return False

    return wait(driver, find, what=f"a row with {texts!r}")


def toast_with(driver, text):
    def find(d):
        for t in d.find_elements(By.CSS_SELECTOR, "[data-testid=toast]"):
            if text in txt(t):
                return t
        return False

    return wait(driver, find, what=f"a toast with {text!r}")


def dismiss_toasts(driver):
    for b in driver.find_elements(By.CSS_SELECTOR, "[data-testid=toast] button[aria-label=Dismiss]"):
        try:
            b.click()
        except StaleElementReferenceException:
            pass


def invoke(driver, cmd, req):
    """Set-up through the app's own IPC (what the UI's backend seam calls)."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke(arguments[0], {req: arguments[1]})"
        ".then(r => done({ok: r}), e => done({err: e}));",
        cmd,
        req,
    )


class Receiver(http.server.BaseHTTPRequestHandler):
    """A handler that records what reached it and answers 202."""

    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        Receiver.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        answer = b'{"received":true}'
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    server.shutdown()


def open_picker(driver):
    el(driver, "trigger-button").click()
    return el(driver, "trigger-picker")


def test_a_stripe_test_event_lands_in_an_endpoint_signed_with_its_secret(driver):
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-url]"))
    created = invoke(driver, "endpoint_create", {"slug": "shop", "fields": {"secrets": [SECRET]}})
    assert "ok" in created, created
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=endpoint-shop]"), what="the endpoint")
    open_picker(driver)
    provider = Select(el(driver, "trigger-provider"))
    wait(driver, lambda d: len(provider.options) >= 3, what="templates loaded")
    provider.select_by_value("stripe")
    Select(el(driver, "trigger-event")).select_by_value("payment_intent.succeeded")
    el(driver, "trigger-into-endpoint").click()
    Select(el(driver, "trigger-endpoint")).select_by_value("shop")
    assert "signed with shop's secret" in txt(el(driver, "trigger-signing"))
    time.sleep(0.2)
    driver.get_screenshot_as_file(os.path.join(OUT, "trigger-picker.png"))
    el(driver, "trigger-send").click()
    toast_with(driver, "Test event captured")
    row = row_with(driver, "/shop", "payment_intent.succeeded")
    assert "valid" in txt(row) and "stripe" in txt(row)
    title = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=detail-title]"))[0]
    assert "/shop" in txt(title), "the new event is opened"
    dismiss_toasts(driver)


def test_a_test_event_sent_to_a_handler_shows_its_answer_and_remote_targets_ask_first(driver, receiver):
    open_picker(driver)
    Select(el(driver, "trigger-provider")).select_by_value("github")
    Select(el(driver, "trigger-event")).select_by_value("push")
    el(driver, "trigger-to-url").click()
    url = el(driver, "trigger-url")
    url.clear()
    url.send_keys("http://192.0.2.1:9/hooks")
    Select(el(driver, "trigger-sign-with")).select_by_value("shop")
    el(driver, "trigger-send").click()
    assert "not a loopback address" in txt(el(driver, "remote-confirm"))
    assert Receiver.seen == []
    el(driver, "remote-cancel").click()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=remote-confirm]"), what="consent dialog closed")

    url.clear()
    url.send_keys(receiver)
    el(driver, "trigger-send").click()
    answer = el(driver, "trigger-answer")
    wait(driver, lambda d: "202 from" in txt(answer), what="the handler's answer")
    assert '{"received":true}' in txt(answer)
    path, headers, body = Receiver.seen[-1]
    assert path == "/webhooks"
    assert headers["x-github-event"] == "push"
    assert headers["x-hub-signature-256"].startswith("sha256=")
    assert json.loads(body)["ref"] == "refs/heads/main"
    driver.get_screenshot_as_file(os.path.join(OUT, "trigger-answer.png"))
    el(driver, "trigger-close").click()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=trigger-picker]"), what="picker closed")


def test_export_writes_a_har_document_with_the_events(driver):
    # An event elsewhere, which an export of `shop` must leave out.
    other = invoke(driver, "trigger_capture", {"provider": "github", "event": "ping", "endpoint": "default"})
    assert "ok" in other, other
    row_with(driver, "/default", "ping")
    el(driver, "endpoint-shop").click()
    row_with(driver, "/shop")
    el(driver, "transfer-menu").click()
    el(driver, "export-format-har").click()
    el(driver, "export-scope-endpoint").click()
    wait(driver, lambda d: el(d, "export-scope-endpoint").is_selected(), what="only shop chosen")
    driver.get_screenshot_as_file(os.path.join(OUT, "transfer-menu.png"))
    el(driver, "export-button").click()
    name = os.path.basename(SAVE_PATH)
    toast_with(driver, f"Exported 1 event to {name}")
    with open(SAVE_PATH) as f:
        har = json.load(f)
    assert har["log"]["version"] == "1.2"
    entries = har["log"]["entries"]
    assert len(entries) == 1
    assert entries[0]["request"]["method"] == "POST"
    assert entries[0]["request"]["url"].endswith("/shop")
    assert entries[0]["_hookscope"]["event_type"] == "payment_intent.succeeded"
    assert json.loads(entries[0]["request"]["postData"]["text"])["type"] == "payment_intent.succeeded"
    assert not [n for n in os.listdir(os.path.dirname(SAVE_PATH)) if n.endswith(".part")]
    dismiss_toasts(driver)


def event_json(i, path):
    body = json.dumps({"n": i, "note": "from another machine"}).encode()
    return json.dumps(
        {
            "id": i,
            "endpoint": "legacy",
            "received_at": f"2024-01-02T03:04:0{i}.000001Z",
            "method": "POST",
            "path": path,
            "query": "",
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "application/json"]],
            "body_base64": base64.b64encode(body).decode(),
            "body_size": len(body),
            "content_type": "application/json",
            "remote_addr": None,
            "response_status": 200,
            "rejected": None,
            "provider": None,
            "event_type": None,
            "event_id": None,
            "signature": None,
            "duplicate_of": None,
        }
    )


def test_an_ndjson_import_brings_events_in_marked_imported_and_a_malformed_one_is_refused(driver):
    with open(OPEN_PATH, "w") as f:
        f.write(event_json(1, "/legacy/first") + "\n" + event_json(2, "/legacy/second") + "\n")
    el(driver, "endpoint-all").click()
    el(driver, "transfer-menu").click()
    el(driver, "import-button").click()
    name = os.path.basename(OPEN_PATH)
    toast_with(driver, f"Imported 2 events from {name}")
    row = row_with(driver, "/legacy/second")
    assert row.find_element(By.CSS_SELECTOR, "[data-testid=imported-mark]").get_attribute("aria-label") == "imported"
    row.click()
    wait(driver, lambda d: "/legacy/second" in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=detail-title]")))
    assert txt(el(driver, "detail-imported")) == "imported"
    # Captured events carry no mark.
    assert not row_with(driver, "/shop").find_elements(By.CSS_SELECTOR, "[data-testid=imported-mark]")
    dismiss_toasts(driver)

    before = len(rows(driver))
    with open(OPEN_PATH, "w") as f:
        f.write(event_json(3, "/legacy/third") + "\n" + '{"id": 4, "endpoint": "legacy"}\n')
    el(driver, "transfer-menu").click()
    el(driver, "import-button").click()
    refused = toast_with(driver, "Import refused: nothing imported")
    assert name in txt(refused) and "line 2" in txt(refused) and "missing field" in txt(refused)
    time.sleep(0.5)
    assert len(rows(driver)) == before
    assert not [r for r in rows(driver) if "/legacy/third" in txt(r)]
    driver.get_screenshot_as_file(os.path.join(OUT, "import-refused.png"))
