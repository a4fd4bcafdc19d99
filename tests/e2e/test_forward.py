"""Auto-forward on the real app: an endpoint forwards to a real receiver that is down at
first; the sidebar shows the failed tries (and the failed-forward rule notifies), then the
receiver starts and gets the event byte-exact, and the status turns OK."""

import http.server
import os
import re
import socket
import threading
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import Select

from test_app import CAPTURE, OUT, txt, wait

BODY = '{"type":"order.created","note":"caf\u00e9 \u2713","n":[1,2,3]}\n'.encode()


@pytest.fixture(scope="module")
def driver():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote(os.environ["HOOKSCOPE_WEBDRIVER"], options=opts)
    d.implicitly_wait(0)
    yield d
    d.quit()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records every request it gets and answers 200."""

    got = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        Receiver.got.append((self.command, self.path, headers, body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def fill(driver, el, value):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.clear()
    el.send_keys(value)


def glance(d):
    found = d.find_elements(By.CSS_SELECTOR, "[data-testid=forward-glance-fwd]")
    return found[0] if found else None


def notifications():
    return open(os.environ["HOOKSCOPE_DBUS_LOG"]).read()


def test_a_down_target_fails_visibly_then_gets_the_event_once_up(driver):
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-url]"))

    # Notify only on failed forwards.
    driver.find_element(By.XPATH, "//header//button[text()='Settings']").click()
    rule = wait(driver, lambda d: [s for s in d.find_elements(By.CSS_SELECTOR, "form[aria-label=Settings] select")
                                   if s.find_elements(By.CSS_SELECTOR, "option[value=failed_forward]")])[0]
    Select(rule).select_by_value("failed_forward")
    driver.find_element(By.CSS_SELECTOR, "form[aria-label=Settings] button[type=submit]").click()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "form[aria-label=Settings]"), what="settings saved")

    # A new endpoint, then its Auto-forward section.
    driver.find_element(By.CSS_SELECTOR, "[data-testid=add-endpoint]").click()
    form = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form[aria-label='New endpoint']"))[0]
    form.find_element(By.CSS_SELECTOR, "input[required]").send_keys("fwd")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=edit-fwd]"))[0].click()
    section = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=forward-section]"))[0]
    port = free_port()
    target = f"http://127.0.0.1:{port}/hooks"
    field = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=forward-target]"))[0]
    for testid, value in [("forward-target", target), ("forward-retry-initial", "300"), ("forward-retry-max", "800")]:
        fill(driver, section.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]"), value)
    assert field.get_property("value") == target
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid=forward-allow-remote]"), "loopback needs no confirmation"
    save = section.find_element(By.CSS_SELECTOR, "[data-testid=forward-save]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
    save.click()
    wait(driver, lambda d: glance(d) and f"127.0.0.1:{port}/hooks" in txt(glance(d)), what="forwarding on in the sidebar")

    # The receiver is down: the try fails, the sidebar says so, a notification names it.
    req = urllib.request.Request(CAPTURE + "/fwd/orders?x=1", data=BODY, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Order", "4711")
    with urllib.request.urlopen(req, timeout=5) as res:
        assert res.status == 200, "capture answers at once, whatever the forward target does"
    wait(driver, lambda d: glance(d).get_attribute("data-failed") == "true", what="a failed try in the sidebar")
    assert "connection refused" in txt(glance(driver))
    assert "1 waiting" in txt(glance(driver))
    wait(driver, lambda d: "Forward failed · POST /fwd/orders → 127.0.0.1" in notifications(), what="a failed-forward notification")
    assert re.search(r'string "connection refused[^"]* · attempt \d+, retrying"', notifications())
    driver.execute_script("document.querySelector('nav.sidebar').scrollTop = 0")
    time.sleep(0.3)
    driver.get_screenshot_as_file(os.path.join(OUT, "forward-failing.png"))

    # Up: the backlog goes out, byte-exact, and the status turns OK.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        wait(driver, lambda d: Receiver.got, timeout=15, what="the event at the receiver")
        method, path, headers, body = Receiver.got[0]
        assert (method, path, body) == ("POST", "/hooks/orders?x=1", BODY)
        assert headers.get("x-order") == "4711"
        assert headers.get("host") == f"127.0.0.1:{port}"
        wait(driver, lambda d: glance(d).get_attribute("data-failed") == "false" and "✓ 200" in txt(glance(d)),
             what="the status turns OK")
        assert "waiting" not in txt(glance(driver))
        wait(driver, lambda d: "Nothing waiting" in txt(d.find_element(By.CSS_SELECTOR, "[data-testid=forward-backlog]")))
        driver.execute_script("document.querySelector('[data-testid=forward-section]').scrollIntoView()")
        time.sleep(0.3)
        driver.get_screenshot_as_file(os.path.join(OUT, "forward-delivered.png"))
        assert len(Receiver.got) == 1, "delivered once"
    finally:
        server.shutdown()


def test_remote_targets_are_confirmed_and_routes_are_added_and_removed(driver):
    section = driver.find_element(By.CSS_SELECTOR, "[data-testid=forward-section]")
    target = section.find_element(By.CSS_SELECTOR, "[data-testid=forward-target]")
    kept = target.get_property("value")
    fill(driver, target, "https://example.com/hooks")
    confirm = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=forward-allow-remote]"), what="a confirmation")
    assert not confirm[0].is_selected()
    fill(driver, target, kept)
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=forward-allow-remote]"))

    fill(driver, section.find_element(By.CSS_SELECTOR, "[data-testid=route-pattern]"), "invoice.*")
    fill(driver, section.find_element(By.CSS_SELECTOR, "[data-testid=route-target]"), "http://localhost:3000/billing")
    section.find_element(By.CSS_SELECTOR, "[data-testid=route-add]").click()
    table = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=routes]"), what="the routes table")[0]
    assert "invoice.*" in txt(table) and "localhost:3000/billing" in txt(table)
    driver.find_element(By.CSS_SELECTOR, "[aria-label='Remove route 1']").click()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=routes]"), what="the route removed")
